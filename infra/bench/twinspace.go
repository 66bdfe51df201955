package bench

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"etwin/shared/account"
	"etwin/shared/contact"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/project"
	"etwin/shared/token"
	"etwin/shared/twinspace"
)

// benchPartners is the size of the TwinSpace the read and page scenarios use.
const benchPartners = 50

// approvedProject writes an approved project whose first two partners are its founders
// (administrators), the others members, as the projects use cases leave it.
func (ds *dataset) approvedProject(ctx context.Context, partners []*seedMember) (string, error) {
	now := time.Now().UTC()
	a, b := partners[0], partners[1]
	p := project.Project{ProjectID: token.SortableID("p-", now), Status: project.Approved, Title: "Water around us",
		Founders:  []project.Founder{{MemberID: a.ID, SchoolID: a.School.SchoolID, Country: a.School.Country}, {MemberID: b.ID, SchoolID: b.School.SchoolID, Country: b.School.Country}},
		FounderID: a.ID, CofounderID: b.ID, Version: 3, CreatedAt: now, UpdatedAt: now, ApprovedAt: &now}
	var pts []project.Partner
	for i, m := range partners {
		role := project.RoleMember
		if i < 2 {
			role = project.RoleAdmin
		}
		pts = append(pts, project.Partner{MemberID: m.ID, Role: role, Founder: i < 2, SchoolID: m.School.SchoolID,
			Country: m.School.Country, FirstName: m.FirstName, LastName: m.LastName, AddedAt: now})
	}
	for start := 0; start < len(pts); start += 90 {
		if err := ds.store.PutProjectTree(ctx, p, pts[start:min(start+90, len(pts))]); err != nil {
			return "", err
		}
	}
	return p.ProjectID, nil
}

// bigTwinSpace is a project with benchPartners partners (the general pool and own) and
// pages pages.
func (ds *dataset) bigTwinSpace(ctx context.Context, own []*seedMember, pages int) (string, error) {
	partners := append(append([]*seedMember{}, ds.general...), own...)[:benchPartners]
	pid, err := ds.approvedProject(ctx, partners)
	if err != nil {
		return "", err
	}
	for i := range pages {
		pg := twinspace.Page{PageID: token.SortableID("g-", time.Now()), Title: fmt.Sprintf("Week %d", i+1),
			Body: "We met on Tuesday, introduced our classes and planned the next activity together.", AuthorID: partners[i%len(partners)].ID, CreatedAt: time.Now().UTC()}
		if err := ds.store.AddPage(ctx, pid, pg); err != nil {
			return "", err
		}
	}
	return pid, nil
}

// befriend makes a and b contacts the way an accepted request does.
func (ds *dataset) befriend(ctx context.Context, a, b *seedMember) error {
	now := time.Now().UTC()
	person := func(m *seedMember) contact.Person {
		return contact.Person{MemberID: m.ID, FirstName: m.FirstName, LastName: m.LastName, Country: m.Country}
	}
	r := contact.Request{RequestID: token.SortableID("r-", now), Status: contact.StatusPending, From: person(a), To: person(b), CreatedAt: now}
	n := notify.New(notify.Recipient{MemberID: b.ID}, notify.KindContactRequest, notify.Subject{Type: notify.SubjectContactRequest, ID: r.RequestID}, nil, now)
	if err := ds.store.CreateContactRequest(ctx, r, contact.Day(now), 1<<30, n); err != nil {
		return err
	}
	d := contact.Decision{Request: r, ForSender: person(b), ForInvitee: person(a)}
	d.Request.Status, d.Request.DecidedAt = contact.StatusAccepted, &now
	return ds.store.DecideContactRequest(ctx, d)
}

// staffSession opens a session for a staff account (the session carries role and country).
func (ds *dataset) staffSession(ctx context.Context, role, country string) (string, error) {
	secret, id := token.New(), token.ID("m-")
	now := time.Now().UTC()
	err := ds.store.PutSession(ctx, account.Session{MemberID: id, TokenHash: token.Hash(secret), Role: role, Country: country, CreatedAt: now, LastSeenAt: now})
	return id + "." + secret, err
}

func twinspaceScenarios() []*scenario {
	teamOwn := func(int) int { return benchPartners - generalMembers }
	return []*scenario{
		{Function: "twinspace-get", Variant: fmt.Sprintf("%d partners, 20 pages", benchPartners), Gateway: true, dedicated: teamOwn,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				pid, err := ds.bigTwinSpace(ctx, own, 20)
				if err != nil {
					return nil, err
				}
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Token: toks[i%len(toks)], Params: map[string]string{"projectId": pid}}
				}), err
			}},
		{Function: "project-page-create", Gateway: true, dedicated: teamOwn,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				pid, err := ds.bigTwinSpace(ctx, own, 0)
				if err != nil {
					return nil, err
				}
				toks, err := ds.sessions(ctx, ds.general)
				return each(n, func(i int) request {
					return request{Want: http.StatusCreated, Token: toks[i%len(toks)], Params: map[string]string{"projectId": pid},
						Body: map[string]string{"title": fmt.Sprintf("Week %d", i), "body": "Our pupils presented their towns."}}
				}), err
			}},
		{Function: "project-member-role", Gateway: true, dedicated: teamOwn,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				pid, err := ds.bigTwinSpace(ctx, own, 0)
				if err != nil {
					return nil, err
				}
				tok, err := ds.session(ctx, ds.general[0])
				return each(n, func(i int) request {
					return request{Want: http.StatusOK, Token: tok, Body: map[string]string{"role": []string{"admin", "member"}[i%2]},
						Params: map[string]string{"projectId": pid, "memberId": ds.general[2+i%(generalMembers-2)].ID}}
				}), err
			}},
		{Function: "project-member-add", Gateway: true, dedicated: one,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				admin := ds.general[0]
				pid, err := ds.approvedProject(ctx, ds.general[:2])
				if err != nil {
					return nil, err
				}
				if err := parallel(ctx, n, ds.workers, func(i int) error { return ds.befriend(ctx, admin, own[i]) }); err != nil {
					return nil, err
				}
				tok, err := ds.session(ctx, admin)
				return each(n, func(i int) request {
					return request{Want: http.StatusCreated, Token: tok, Params: map[string]string{"projectId": pid},
						Body: map[string]string{"memberId": own[i].ID}}
				}), err
			}},
		{Function: "project-member-remove", Gateway: true, dedicated: one,
			prepare: func(ctx context.Context, ds *dataset, own []*seedMember, n int) ([]request, error) {
				pid, err := ds.approvedProject(ctx, append(append([]*seedMember{}, ds.general[:2]...), own...))
				if err != nil {
					return nil, err
				}
				tok, err := ds.session(ctx, ds.general[0])
				return each(n, func(i int) request {
					return request{Want: http.StatusNoContent, Token: tok, Params: map[string]string{"projectId": pid, "memberId": own[i].ID}}
				}), err
			}},
		{Function: "project-label-award", Variant: "national, 2 partners", Gateway: true,
			prepare: func(ctx context.Context, ds *dataset, _ []*seedMember, n int) ([]request, error) {
				pids := make([]string, n)
				founders := make([]*seedMember, n)
				err := parallel(ctx, n, ds.workers, func(i int) error {
					a := ds.general[i%len(ds.general)]
					b := ds.general[(i+1)%len(ds.general)]
					for j := 2; b.School.Country == a.School.Country; j++ {
						b = ds.general[(i+j)%len(ds.general)]
					}
					founders[i] = a
					var err error
					pids[i], err = ds.approvedProject(ctx, []*seedMember{a, b})
					return err
				})
				if err != nil {
					return nil, err
				}
				toks := map[string]string{}
				for _, c := range countries {
					if toks[c.code], err = ds.staffSession(ctx, member.RoleNSO, c.code); err != nil {
						return nil, err
					}
				}
				return each(n, func(i int) request {
					a := founders[i]
					return request{Want: http.StatusCreated, Token: toks[a.School.Country], Params: map[string]string{"projectId": pids[i]},
						Body: map[string]string{"kind": "national", "schoolId": a.School.SchoolID}}
				}), nil
			}},
	}
}

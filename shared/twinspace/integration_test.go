package twinspace_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/apperr"
	"etwin/shared/contact"
	"etwin/shared/cursor"
	"etwin/shared/ddb"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/outbox"
	"etwin/shared/principal"
	"etwin/shared/project"
	"etwin/shared/registration"
	"etwin/shared/school"
	"etwin/shared/token"
	"etwin/shared/twinspace"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type fixture struct {
	store    *ddb.Store
	svc      *twinspace.Service
	contacts *contact.Service
}

func setup(t *testing.T) fixture {
	st := ddb.New(testenv.DDB(), testenv.NewTable(t))
	signer := cursor.New("0123456789abcdef0123456789abcdef")
	return fixture{store: st, svc: &twinspace.Service{Store: st},
		contacts: &contact.Service{Store: st, Cursors: signer}}
}

type person struct {
	who    principal.Principal
	member member.Member
}

// addTeacher registers a teacher with a new school in country.
func (f fixture) addTeacher(t *testing.T, first, country string) person {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	u := strings.ToLower(token.ID("u"))[:12]
	p := registration.Pending{TokenHash: token.Hash(token.New()), FirstName: first, LastName: "Pop", Email: u + "@example.org",
		Username: u, PasswordHash: "x", Language: "en", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := f.store.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	sc := &school.School{SchoolID: token.ID("s-"), Name: "School " + u, Country: country, City: "Town", Address: "a", PostalCode: "700",
		SchoolType: "primary", Phone: "0232000000", Email: "s@example.org", HeadTeacher: "H", Pupils: 10, RegisteredAt: now}
	m := member.Member{MemberID: token.ID("m-"), Username: u, FirstName: first, LastName: "Pop", Email: p.Email, Language: "en",
		Role: member.RoleTeacher, Schools: []member.SchoolRef{sc.Ref()}, Country: country, PasswordHash: "x", CreatedAt: now}
	if err := f.store.Complete(ctx, registration.Completion{Pending: p, Member: m, NewSchool: sc, SchoolID: sc.SchoolID, Now: now}); err != nil {
		t.Fatal(err)
	}
	return person{who: principal.Principal{MemberID: m.MemberID, Role: member.RoleTeacher}, member: m}
}

// befriend makes a and b contacts (request and acceptance).
func (f fixture) befriend(t *testing.T, a, b person) {
	t.Helper()
	ctx := context.Background()
	r, err := f.contacts.Create(ctx, a.who, contact.CreateInput{MemberID: b.who.MemberID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.contacts.Decide(ctx, b.who, r.RequestID, true); err != nil {
		t.Fatal(err)
	}
}

func partnerOf(p person, founder bool) project.Partner {
	role := project.RoleMember
	if founder {
		role = project.RoleAdmin
	}
	s := p.member.Schools[0]
	return project.Partner{MemberID: p.who.MemberID, Role: role, Founder: founder, SchoolID: s.SchoolID, Country: s.Country,
		FirstName: p.member.FirstName, LastName: p.member.LastName, AddedAt: time.Now().UTC()}
}

// approved writes an approved project founded by a and b.
func (f fixture) approved(t *testing.T, a, b person) string {
	t.Helper()
	now := time.Now().UTC()
	p := project.Project{ProjectID: token.SortableID("p-", now), Status: project.Approved, Title: "Water",
		Founders: []project.Founder{
			{MemberID: a.who.MemberID, SchoolID: a.member.Schools[0].SchoolID, Country: a.member.Schools[0].Country},
			{MemberID: b.who.MemberID, SchoolID: b.member.Schools[0].SchoolID, Country: b.member.Schools[0].Country}},
		FounderID: a.who.MemberID, CofounderID: b.who.MemberID, Version: 3, CreatedAt: now, UpdatedAt: now, ApprovedAt: &now}
	if err := f.store.PutProjectTree(context.Background(), p, []project.Partner{partnerOf(a, true), partnerOf(b, true)}); err != nil {
		t.Fatal(err)
	}
	return p.ProjectID
}

func status(err error) int {
	if err == nil {
		return 0
	}
	return apperr.StatusOf(err)
}

// A removed partner loses access at once: the very next read and write see the removal.
func TestRemovedPartnerLosesAccessAtOnce(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b, c := f.addTeacher(t, "Ana", "RO"), f.addTeacher(t, "Bob", "FR"), f.addTeacher(t, "Cai", "RO")
	f.befriend(t, a, c)
	pid := f.approved(t, a, b)
	if _, err := f.svc.Get(ctx, c.who, pid); status(err) != 404 {
		t.Fatalf("before being added: %v", err)
	}
	if _, err := f.svc.AddMember(ctx, a.who, pid, twinspace.MemberInput{MemberID: c.who.MemberID}); err != nil {
		t.Fatal(err)
	}
	// the partner's school counts them as a teacher of the project (the same transaction)
	sum, found, err := f.store.SchoolSummary(ctx, c.member.Schools[0].SchoolID)
	if pf := sum.Projects[pid]; err != nil || !found || !slices.Contains(pf.Members, c.who.MemberID) {
		t.Fatalf("summary of the partner's school: %+v %v %v", sum, found, err)
	}
	for i := 0; i < 5; i++ {
		if _, err := f.svc.Get(ctx, c.who, pid); err != nil {
			t.Fatalf("partner read: %v", err)
		}
		if err := f.svc.RemoveMember(ctx, a.who, pid, c.who.MemberID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Get(ctx, c.who, pid); status(err) != 404 {
			t.Fatalf("round %d: read right after removal: %v", i, err)
		}
		if _, err := f.svc.AddPage(ctx, c.who, pid, twinspace.PageInput{Title: "t", Body: "b"}); status(err) != 404 {
			t.Fatalf("round %d: page right after removal: %v", i, err)
		}
		if _, err := f.svc.AddMember(ctx, a.who, pid, twinspace.MemberInput{MemberID: c.who.MemberID}); err != nil {
			t.Fatal(err)
		}
	}
}

// Two administrators adding the same partner at once: one 201, one 409; one notification.
func TestConcurrentAddSamePartner(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b, c := f.addTeacher(t, "Ana", "RO"), f.addTeacher(t, "Bob", "FR"), f.addTeacher(t, "Cai", "RO")
	f.befriend(t, a, c)
	f.befriend(t, b, c)
	for round := 0; round < 4; round++ {
		pid := f.approved(t, a, b)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, admin := range []person{a, b} {
			wg.Add(1)
			go func(i int, admin person) {
				defer wg.Done()
				_, errs[i] = f.svc.AddMember(ctx, admin.who, pid, twinspace.MemberInput{MemberID: c.who.MemberID})
			}(i, admin)
		}
		wg.Wait()
		ok, conflict := 0, 0
		for _, err := range errs {
			switch status(err) {
			case 0:
				ok++
			case 409:
				conflict++
			default:
				t.Fatalf("unexpected %v", err)
			}
		}
		if ok != 1 || conflict != 1 {
			t.Fatalf("round %d: %v", round, errs)
		}
		sp, _, err := f.store.GetTwinSpace(ctx, pid)
		if err != nil || len(sp.Partners) != 3 {
			t.Fatalf("partners %+v %v", sp.Partners, err)
		}
	}
	notes, _, err := f.store.ListNotifications(ctx, c.who.MemberID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	added := 0
	for _, n := range notes {
		if n.Kind == notify.KindPartnerAdded {
			added++
		}
	}
	if added != 4 {
		t.Fatalf("%d partner_added notifications, want one per project (4)", added)
	}
}

// Two (non-founder) administrators lowering each other at once: exactly one wins, so the
// TwinSpace never ends up with fewer administrators than the rules allow; a concurrent
// raise and lower of the same partner leaves one of the two roles, as read back.
func TestConcurrentRoleChanges(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b := f.addTeacher(t, "Ana", "RO"), f.addTeacher(t, "Bob", "FR")
	c, d := f.addTeacher(t, "Cai", "RO"), f.addTeacher(t, "Dan", "FR")
	f.befriend(t, a, c)
	f.befriend(t, a, d)
	pid := f.approved(t, a, b)
	for _, p := range []person{c, d} {
		if _, err := f.svc.AddMember(ctx, a.who, pid, twinspace.MemberInput{MemberID: p.who.MemberID}); err != nil {
			t.Fatal(err)
		}
	}
	for round := 0; round < 4; round++ {
		for _, p := range []person{c, d} {
			if _, err := f.svc.SetRole(ctx, a.who, pid, p.who.MemberID, twinspace.RoleInput{Role: project.RoleAdmin}); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, pair := range [][2]person{{c, d}, {d, c}} {
			wg.Add(1)
			go func(i int, by, of person) {
				defer wg.Done()
				_, errs[i] = f.svc.SetRole(ctx, by.who, pid, of.who.MemberID, twinspace.RoleInput{Role: project.RoleMember})
			}(i, pair[0], pair[1])
		}
		wg.Wait()
		ok := 0
		for _, err := range errs {
			switch status(err) {
			case 0:
				ok++
			case 403, 409:
			default:
				t.Fatalf("unexpected %v", err)
			}
		}
		sp, _, err := f.store.GetTwinSpace(ctx, pid)
		if err != nil {
			t.Fatal(err)
		}
		pc, _ := sp.Partner(c.who.MemberID)
		pd, _ := sp.Partner(d.who.MemberID)
		admins := 0
		for _, p := range []project.Partner{pc, pd} {
			if p.Role == project.RoleAdmin {
				admins++
			}
		}
		if ok != 1 || admins != 1 {
			t.Fatalf("round %d: %d won, %d of the two still admin (%v)", round, ok, admins, errs)
		}
	}

	// A raises c while b lowers c: the stored role is one of the two.
	var wg sync.WaitGroup
	for _, x := range []struct {
		by   person
		role string
	}{{a, project.RoleAdmin}, {b, project.RoleMember}} {
		wg.Add(1)
		go func(by person, role string) {
			defer wg.Done()
			if _, err := f.svc.SetRole(ctx, by.who, pid, c.who.MemberID, twinspace.RoleInput{Role: role}); err != nil && status(err) != 409 {
				t.Errorf("%v", err)
			}
		}(x.by, x.role)
	}
	wg.Wait()
	sp, _, _ := f.store.GetTwinSpace(ctx, pid)
	if pc, ok := sp.Partner(c.who.MemberID); !ok || (pc.Role != project.RoleAdmin && pc.Role != project.RoleMember) {
		t.Fatalf("c after the race: %+v", pc)
	}
	// Founders stay.
	if _, err := f.svc.SetRole(ctx, b.who, pid, a.who.MemberID, twinspace.RoleInput{Role: project.RoleMember}); status(err) != 409 {
		t.Fatalf("lowering a founder: %v", err)
	}
	if err := f.svc.RemoveMember(ctx, b.who, pid, a.who.MemberID); status(err) != 409 {
		t.Fatalf("removing a founder: %v", err)
	}
}

// The store's own conditions hold when the checks before them are skipped: a founder's
// item is never deleted or lowered, a member cannot act as an administrator.
func TestStoreConditions(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b, c := f.addTeacher(t, "Ana", "RO"), f.addTeacher(t, "Bob", "FR"), f.addTeacher(t, "Cai", "RO")
	f.befriend(t, a, c)
	pid := f.approved(t, a, b)
	if _, err := f.svc.AddMember(ctx, a.who, pid, twinspace.MemberInput{MemberID: c.who.MemberID}); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		name string
		err  error
		want error
	}{
		{"remove a founder", f.store.RemovePartner(ctx, pid, a.who.MemberID, b.who.MemberID), twinspace.ErrFounder},
		{"lower a founder", f.store.SetPartnerRole(ctx, pid, a.who.MemberID, b.who.MemberID, project.RoleMember), twinspace.ErrFounder},
		{"a member removes", f.store.RemovePartner(ctx, pid, c.who.MemberID, a.who.MemberID), twinspace.ErrNotAdmin},
		{"a member raises self", f.store.SetPartnerRole(ctx, pid, c.who.MemberID, c.who.MemberID, project.RoleAdmin), twinspace.ErrNotAdmin},
		{"a stranger's page", f.store.AddPage(ctx, pid, twinspace.Page{PageID: "g-1", Title: "t", Body: "b", AuthorID: "m-nobody", CreatedAt: time.Now()}), twinspace.ErrGone},
		{"remove a non-partner", f.store.RemovePartner(ctx, pid, a.who.MemberID, "m-nobody"), twinspace.ErrNotPartner},
	} {
		if x.err != x.want {
			t.Errorf("%s: %v, want %v", x.name, x.err, x.want)
		}
	}
}

// contactGoneAfterCheck is the real store, except that a contact it confirms is removed
// right after (as another request could, between the check and the write).
type contactGoneAfterCheck struct{ *ddb.Store }

func (s contactGoneAfterCheck) IsContact(ctx context.Context, memberID, otherID string) (bool, error) {
	ok, err := s.Store.IsContact(ctx, memberID, otherID)
	if ok && err == nil {
		err = s.Store.DeleteContact(ctx, memberID, otherID)
	}
	return ok, err
}

// The contact precondition is checked again in the transaction that adds the partner: a
// contact removed after the check is not added.
func TestAddingRechecksTheContact(t *testing.T) {
	f := setup(t)
	ctx := context.Background()
	a, b, c := f.addTeacher(t, "Ana", "RO"), f.addTeacher(t, "Bob", "FR"), f.addTeacher(t, "Cai", "RO")
	f.befriend(t, a, c)
	pid := f.approved(t, a, b)
	svc := *f.svc
	svc.Store = contactGoneAfterCheck{f.store}
	_, err := svc.AddMember(ctx, a.who, pid, twinspace.MemberInput{MemberID: c.who.MemberID})
	if e, ok := apperr.As(err); !ok || e.Status != 422 || len(e.Fields) != 1 || e.Fields[0].Field != "memberId" {
		t.Fatalf("adding a contact removed meanwhile: %v", err)
	}
	if ok, err := f.store.IsContact(ctx, a.who.MemberID, c.who.MemberID); ok || err != nil {
		t.Fatalf("the contact is still there (%v): the test checks nothing", err)
	}
	if ok, err := f.store.IsPartner(ctx, pid, c.who.MemberID); ok || err != nil {
		t.Fatalf("the partner was written (%v)", err)
	}
	ns, _, err := f.store.ListNotifications(ctx, c.who.MemberID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range ns {
		if n.Kind == notify.KindPartnerAdded {
			t.Fatalf("a partner-added notification was written: %+v", n)
		}
	}
}

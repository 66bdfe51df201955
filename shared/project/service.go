package project

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"time"

	"etwin/shared/action"
	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/principal"
	"etwin/shared/school"
	"etwin/shared/stats"
	"etwin/shared/token"
)

// Service runs the project lifecycle: founding, the approvals, the NSO queue and the
// reminders.
type Service struct {
	Store   Store
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Page is a page of a list.
type Page[T any] = notify.Page[T]

func recipientOf(m member.Member, found bool, id string) notify.Recipient {
	if !found {
		return notify.Recipient{MemberID: id}
	}
	return notify.RecipientOf(m)
}

func subjectOf(projectID string) notify.Subject {
	return notify.Subject{Type: notify.SubjectProject, ID: projectID}
}

// caller is who acts, with their partnership looked up when it matters (a teacher who is
// not a founder).
func (s *Service) caller(ctx context.Context, who principal.Principal, p *Project) (Caller, error) {
	c := Caller{MemberID: who.MemberID, Role: who.Role, Country: who.Country}
	if who.Role == member.RoleTeacher && !p.IsFounder(who.MemberID) {
		ok, err := s.Store.IsPartner(ctx, p.ProjectID, who.MemberID)
		if err != nil {
			return Caller{}, err
		}
		c.Partner = ok
	}
	return c, nil
}

func (s *Service) read(ctx context.Context, projectID string) (Project, error) {
	if !school.ValidID(projectID) {
		return Project{}, NotFound()
	}
	p, ok, err := s.Store.GetProject(ctx, projectID)
	if err != nil {
		return Project{}, err
	}
	if !ok {
		return Project{}, NotFound()
	}
	return p, nil
}

// update runs decide on the project through the store's versioned update (the store
// reads, and reads and decides again when others wrote first).
func (s *Service) update(ctx context.Context, projectID string, decide func(p *Project) (Effects, error)) (Project, error) {
	if !school.ValidID(projectID) {
		return Project{}, NotFound()
	}
	p, err := s.Store.UpdateProject(ctx, projectID, decide)
	if errors.Is(err, ErrNoProject) {
		return Project{}, NotFound()
	}
	return p, err
}

// Create founds a project: the caller (a teacher) and the co-founder (one of their
// contacts with a school in another country) are its founders; the co-founder is asked
// to approve.
func (s *Service) Create(ctx context.Context, who principal.Principal, in CreateInput) (Project, error) {
	if who.Role != member.RoleTeacher {
		return Project{}, apperr.Forbidden("Only teachers found projects.")
	}
	if err := in.Validate(); err != nil {
		return Project{}, err
	}
	bad := func(field, msg string) error { return apperr.Invalid(apperr.FieldError{Field: field, Message: msg}) }
	if in.CofounderID == who.MemberID {
		return Project{}, bad("cofounderId", "must be another teacher than you")
	}
	founder, ok, err := s.Store.GetMember(ctx, who.MemberID)
	if err != nil {
		return Project{}, err
	}
	if !ok {
		return Project{}, apperr.NoSession()
	}
	var sc member.SchoolRef
	for _, r := range founder.Schools {
		if in.SchoolID == "" || r.SchoolID == in.SchoolID {
			sc = r
			break
		}
	}
	if sc.SchoolID == "" {
		return Project{}, bad("schoolId", "is not one of your schools")
	}
	contact, err := s.Store.IsContact(ctx, who.MemberID, in.CofounderID)
	if err != nil {
		return Project{}, err
	}
	if !contact {
		return Project{}, notContact()
	}
	cof, ok, err := s.Store.GetMember(ctx, in.CofounderID)
	if err != nil {
		return Project{}, err
	}
	if !ok || cof.Role != member.RoleTeacher || !slices.ContainsFunc(cof.Schools, func(r member.SchoolRef) bool { return r.Country != sc.Country }) {
		return Project{}, bad("cofounderId", "must have a school in another country than your school's ("+sc.Country+")")
	}
	now := s.now()
	p := Project{
		ProjectID: token.SortableID("p-", now), Status: AwaitingCofounder,
		Title: in.Title, Summary: in.Summary, Language: in.Language, AgeRange: *in.AgeRange, Pupils: *in.Pupils,
		Themes: in.Themes, Tools: in.Tools, Objectives: in.Objectives, Methodology: in.Methodology, ExpectedResults: in.ExpectedResults,
		Founders:  []Founder{{MemberID: founder.MemberID, SchoolID: sc.SchoolID, Country: sc.Country}, {MemberID: cof.MemberID}},
		FounderID: founder.MemberID, CofounderID: cof.MemberID,
		Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	partners := []Partner{
		{MemberID: founder.MemberID, Role: RoleAdmin, Founder: true, SchoolID: sc.SchoolID, Country: sc.Country,
			FirstName: founder.FirstName, LastName: founder.LastName, AddedAt: now},
		{MemberID: cof.MemberID, Role: RoleAdmin, Founder: true, FirstName: cof.FirstName, LastName: cof.LastName, AddedAt: now},
	}
	to := notify.RecipientOf(cof)
	n := notify.New(to, notify.KindProjectCofounderRequest, subjectOf(p.ProjectID), notify.ActorOf(founder), now)
	n.AskDecision(action.ProjectCofounder, now)
	if err := s.Store.CreateProject(ctx, p, partners, []notify.Notification{n}); errors.Is(err, ErrNotContact) {
		return Project{}, notContact() // removed since it was read
	} else if err != nil {
		return Project{}, err
	}
	return p, nil
}

func notContact() error {
	return apperr.Invalid(apperr.FieldError{Field: "cofounderId", Message: "must be one of your contacts"})
}

// Get returns a project to whoever may see it.
func (s *Service) Get(ctx context.Context, who principal.Principal, projectID string) (Project, error) {
	p, err := s.read(ctx, projectID)
	if err != nil {
		return Project{}, err
	}
	c, err := s.caller(ctx, who, &p)
	if err != nil {
		return Project{}, err
	}
	if !CanRead(&p, c) {
		return Project{}, NotFound()
	}
	return p, nil
}

// List returns the caller's projects (as founder or partner), newest first.
func (s *Service) List(ctx context.Context, who principal.Principal, cur string, limit int) (Page[Project], error) {
	after, err := s.Cursors.Resume(cur, who.MemberID, "projects", s.now())
	if err != nil {
		return Page[Project]{}, err
	}
	items, next, err := s.Store.ListMemberProjects(ctx, who.MemberID, after, limit)
	if err != nil {
		return Page[Project]{}, err
	}
	return cursor.NewPage(s.Cursors, who.MemberID, "projects", items, next, s.now())
}

// undecidedCountries are the NSO countries still to decide (their queue entries exist).
func undecidedCountries(p *Project) []string {
	var out []string
	for _, c := range p.NSOCountries {
		if _, done := p.NSODecisions[c]; !done {
			out = append(out, c)
		}
	}
	return out
}

// Update edits a pending project (the founder only); the NSO queue entries follow the title.
func (s *Service) Update(ctx context.Context, who principal.Principal, projectID string, in PatchInput) (Project, error) {
	if err := in.Validate(); err != nil {
		return Project{}, err
	}
	return s.update(ctx, projectID, func(p *Project) (Effects, error) {
		c, err := s.caller(ctx, who, p)
		if err != nil {
			return Effects{}, err
		}
		np, err := Edit(*p, c, in, s.now())
		if err != nil {
			return Effects{}, err
		}
		*p = np
		var fx Effects
		if np.Status == AwaitingNSO {
			fx.QueueAdd = undecidedCountries(&np)
		}
		return fx, nil
	})
}

// Withdraw deletes a pending project (the founder only) with its partners and queue entries.
func (s *Service) Withdraw(ctx context.Context, who principal.Principal, projectID string) error {
	if !school.ValidID(projectID) {
		return NotFound()
	}
	err := s.Store.WithdrawProject(ctx, projectID, func(p *Project) error {
		c, err := s.caller(ctx, who, p)
		if err != nil {
			return err
		}
		return CheckEdit(p, c)
	})
	if errors.Is(err, ErrNoProject) {
		return NotFound()
	}
	return err
}

// CofounderDecision is the co-founder's approval (the project goes to the NSOs of both
// founders' countries) or rejection; the founder is notified either way.
func (s *Service) CofounderDecision(ctx context.Context, who principal.Principal, projectID string, in CofounderDecisionInput) (Project, error) {
	return s.cofounderDecision(ctx, who, projectID, in, nil)
}

// CofounderDecisionFromLink is CofounderDecision taken from the e-mailed link (package
// confirm): the same rules and effects, and the link is used in the decision's
// transaction (action.ErrSpent when another request used it first).
func (s *Service) CofounderDecisionFromLink(ctx context.Context, who principal.Principal, projectID string, in CofounderDecisionInput, spend action.Spend) (Project, error) {
	return s.cofounderDecision(ctx, who, projectID, in, &spend)
}

func (s *Service) cofounderDecision(ctx context.Context, who principal.Principal, projectID string, in CofounderDecisionInput, spend *action.Spend) (Project, error) {
	if err := in.Validate(); err != nil {
		return Project{}, err
	}
	var me member.Member
	np, err := s.update(ctx, projectID, func(p *Project) (Effects, error) {
		c, err := s.caller(ctx, who, p)
		if err != nil {
			return Effects{}, err
		}
		if err := CheckCofounder(p, c); err != nil {
			return Effects{}, err
		}
		if me.MemberID == "" {
			var ok bool
			if me, ok, err = s.Store.GetMember(ctx, who.MemberID); err != nil {
				return Effects{}, err
			} else if !ok {
				return Effects{}, apperr.NoSession()
			}
		}
		var sc member.SchoolRef
		if in.Decision == Approve {
			if sc, err = ChooseCofounderSchool(me.Schools, p.FounderCountry(), in.SchoolID); err != nil {
				return Effects{}, err
			}
		}
		now := s.now()
		np, err := CofounderDecide(*p, c, in.Decision, sc, in.Comment, now)
		if err != nil {
			return Effects{}, err
		}
		founder, found, err := s.Store.GetMember(ctx, p.FounderID)
		if err != nil {
			return Effects{}, err
		}
		to := recipientOf(founder, found, p.FounderID)
		kind := notify.KindProjectCofounderApproved
		if np.Status == Rejected {
			kind = notify.KindProjectRejected
		}
		fx := Effects{Notices: []notify.Notification{notify.New(to, kind, subjectOf(p.ProjectID), notify.ActorOf(me), now)}, Spend: spend}
		if np.Status == AwaitingNSO {
			fx.CofounderSchool = &Founder{MemberID: me.MemberID, SchoolID: sc.SchoolID, Country: sc.Country}
			fx.QueueAdd = np.NSOCountries
		}
		*p = np
		return fx, nil
	})
	if err != nil {
		return Project{}, err
	}
	return np, nil
}

// NSODecision records an NSO's decision. The last approval makes the project approved
// (its TwinSpace opens, the active-project counters of both countries grow) and
// notifies both founders; a rejection makes it rejected and notifies both founders.
func (s *Service) NSODecision(ctx context.Context, who principal.Principal, projectID string, in NSODecisionInput) (Project, error) {
	if who.Role != member.RoleNSO {
		return Project{}, apperr.Forbidden("Only National Support Organisations decide on projects.")
	}
	if err := in.Validate(); err != nil {
		return Project{}, err
	}
	np, err := s.update(ctx, projectID, func(p *Project) (Effects, error) {
		now := s.now()
		c := Caller{MemberID: who.MemberID, Role: who.Role, Country: who.Country}
		np, out, err := NSODecide(*p, c, in.Decision, *in.Comment, now)
		if err != nil {
			return Effects{}, err
		}
		fx := Effects{QueueRemove: out.DoneCountries}
		if out.Final {
			kind := notify.KindProjectApproved
			if np.Status == Rejected {
				kind = notify.KindProjectRejected
			}
			for _, id := range []string{p.FounderID, p.CofounderID} {
				m, found, err := s.Store.GetMember(ctx, id)
				if err != nil {
					return Effects{}, err
				}
				to := recipientOf(m, found, id)
				fx.Notices = append(fx.Notices, notify.New(to, kind, subjectOf(p.ProjectID), nil, now))
			}
			if np.Status == Approved {
				fx.Stats = stats.Delta{ActiveProjects: 1}
				fx.StatsCountries = np.NSOCountries
			}
		}
		*p = np
		return fx, nil
	})
	if err != nil {
		return Project{}, err
	}
	return np, nil
}

// NSOQueue lists the projects awaiting the decision of the caller's (an NSO's) country,
// in the order they reached it. Only status=awaiting_nso is a queue; other values → 400.
func (s *Service) NSOQueue(ctx context.Context, who principal.Principal, status, cur string, limit int) (Page[QueueEntry], error) {
	if who.Role != member.RoleNSO {
		return Page[QueueEntry]{}, apperr.Forbidden("Only National Support Organisations have a project queue.")
	}
	if status != "" && status != AwaitingNSO {
		return Page[QueueEntry]{}, apperr.BadRequest("Only the queue of projects awaiting your decision is listed.",
			apperr.FieldError{Field: "status", Message: "must be awaiting_nso"})
	}
	list := "nsoqueue:" + who.Country
	after, err := s.Cursors.Resume(cur, who.MemberID, list, s.now())
	if err != nil {
		return Page[QueueEntry]{}, err
	}
	items, next, err := s.Store.ListNSOQueue(ctx, who.Country, after, limit)
	if err != nil {
		return Page[QueueEntry]{}, err
	}
	return cursor.NewPage(s.Cursors, who.MemberID, list, items, next, s.now())
}

// ReminderReport is what a reminders run did.
type ReminderReport struct {
	Due           int `json:"due"`
	Cofounders    int `json:"cofounders"`    // co-founders reminded
	NSOCountries  int `json:"nsoCountries"`  // NSO steps reminded (one per country)
	Notifications int `json:"notifications"` // notifications written
	Failed        int `json:"failed"`        // projects left for the next run
}

// SendReminders reminds the co-founders of projects awaiting them for 7 days and the NSO
// accounts of each country that has not decided 14 days after a project reached them,
// once per step (the mark is written with the notifications, conditional on the version
// read).
func (s *Service) SendReminders(ctx context.Context) (ReminderReport, error) {
	now := s.now()
	ids, err := s.Store.DueReminderProjects(ctx, now)
	if err != nil {
		return ReminderReport{}, err
	}
	rep := ReminderReport{Due: len(ids)}
	for _, id := range ids {
		if err := s.remind(ctx, id, now, &rep); err != nil {
			rep.Failed++
			slog.ErrorContext(ctx, "project reminder failed", "projectId", id, "error", err.Error())
		}
	}
	return rep, nil
}

// maxRecipients keeps one reminder's transaction within DynamoDB's 100 items (each
// recipient is two: the notification and its outbox e-mail).
const maxRecipients = 45

// errNothingDue ends a reminder decision that has nothing to send (nothing is written).
var errNothingDue = errors.New("project: no reminder due")

func (s *Service) remind(ctx context.Context, projectID string, now time.Time, rep *ReminderReport) error {
	var due Reminders
	var ds []notify.Notification
	_, err := s.Store.UpdateProject(ctx, projectID, func(p *Project) (Effects, error) {
		if due = DueReminders(p, now); due.Empty() {
			return Effects{}, errNothingDue
		}
		ds = nil
		add := func(id string) error {
			if len(ds) >= maxRecipients {
				return nil
			}
			m, found, err := s.Store.GetMember(ctx, id)
			if err != nil {
				return err
			}
			to := recipientOf(m, found, id)
			ds = append(ds, notify.New(to, notify.KindProjectReminder, subjectOf(p.ProjectID), nil, now))
			return nil
		}
		if due.Cofounder {
			if err := add(p.CofounderID); err != nil {
				return Effects{}, err
			}
			// the co-founder's reminder carries a fresh decision link (the first one
			// expires as the reminder is due)
			ds[len(ds)-1].AskDecision(action.ProjectCofounder, now)
		}
		for _, country := range due.NSO {
			accounts, err := s.Store.NSOAccounts(ctx, country)
			if err != nil {
				return Effects{}, err
			}
			for _, a := range accounts {
				if err := add(a); err != nil {
					return Effects{}, err
				}
			}
		}
		*p = MarkReminded(*p, due, now)
		return Effects{Notices: ds}, nil
	})
	switch {
	case errors.Is(err, errNothingDue), errors.Is(err, ErrNoProject):
		return nil
	case err != nil:
		return err
	}
	if due.Cofounder {
		rep.Cofounders++
	}
	rep.NSOCountries += len(due.NSO)
	rep.Notifications += len(ds)
	return nil
}

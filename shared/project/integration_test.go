package project_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"etwin/infra/outboxtest"
	"etwin/infra/testenv"
	"etwin/shared/apperr"
	"etwin/shared/contact"
	"etwin/shared/cursor"
	"etwin/shared/ddb"
	"etwin/shared/mail"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/principal"
	"etwin/shared/project"
	"etwin/shared/school"
	"etwin/shared/stats"
	"etwin/shared/token"
)

func TestMain(m *testing.M) { testenv.Main(m) }

type sender struct {
	mu   sync.Mutex
	sent []mail.Message
}

func (s *sender) Send(_ context.Context, m mail.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, m)
	return nil
}

func (s *sender) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

// clock is a settable time for the reminders.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

type fixture struct {
	store    *ddb.Store
	table    string
	mail     *sender
	clock    *clock
	svc      *project.Service
	contacts *contact.Service
}

func setup(t *testing.T) fixture {
	table := testenv.NewTable(t)
	st := ddb.New(testenv.DDB(), table)
	signer := cursor.New("0123456789abcdef0123456789abcdef")
	c := &clock{t: time.Now().UTC()}
	return fixture{store: st, table: table, mail: &sender{}, clock: c,
		svc:      &project.Service{Store: st, Cursors: signer, Now: c.Now},
		contacts: &contact.Service{Store: st, Cursors: signer}}
}

// teacher adds a teacher with one school in each of countries.
func (f fixture) teacher(t *testing.T, countries ...string) principal.Principal {
	t.Helper()
	now := time.Now().UTC()
	u := strings.ToLower(token.ID("u"))[:12]
	var schools []school.School
	var refs []member.SchoolRef
	for _, c := range countries {
		sc := school.School{SchoolID: token.ID("s-"), Name: "School " + u + c, Country: c, City: "Town", Address: "a", PostalCode: "1",
			SchoolType: "primary", Phone: "0000000", Email: "s@example.org", HeadTeacher: "H", Pupils: 10, RegisteredAt: now}
		schools = append(schools, sc)
		refs = append(refs, sc.Ref())
	}
	m := member.Member{MemberID: token.ID("m-"), Username: u, FirstName: "T" + u, LastName: "Pop", Email: u + "@example.org", Language: "en",
		Role: member.RoleTeacher, Schools: refs, Country: countries[0], PasswordHash: "x", CreatedAt: now}
	if err := f.store.BulkLoad(context.Background(), []member.Member{m}, schools); err != nil {
		t.Fatal(err)
	}
	return principal.Principal{MemberID: m.MemberID, Role: member.RoleTeacher}
}

func (f fixture) nso(t *testing.T, country string) principal.Principal {
	t.Helper()
	u := strings.ToLower(token.ID("n"))[:12]
	m := member.Member{MemberID: token.ID("m-"), Username: u, FirstName: "N", LastName: country, Email: u + "@nso.example.org",
		Language: "en", Role: member.RoleNSO, Country: country, Schools: []member.SchoolRef{}, CreatedAt: time.Now().UTC()}
	if err := f.store.CreateAccount(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return principal.Principal{MemberID: m.MemberID, Role: member.RoleNSO, Country: country}
}

func (f fixture) befriend(t *testing.T, a, b principal.Principal) {
	t.Helper()
	ctx := context.Background()
	r, err := f.contacts.Create(ctx, a, contact.CreateInput{MemberID: b.MemberID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.contacts.Decide(ctx, b, r.RequestID, true); err != nil {
		t.Fatal(err)
	}
}

func form(cofounder string) project.CreateInput {
	n := 20
	return project.CreateInput{Title: "Rivers of Europe", Summary: "s", Language: "en", AgeRange: &project.AgeRange{Min: 10, Max: 12},
		Pupils: &n, Themes: []string{"environment"}, Tools: []string{"twinspace_pages"}, Objectives: "o", Methodology: "m",
		ExpectedResults: "r", CofounderID: cofounder}
}

func code(err error) int {
	if err == nil {
		return 200
	}
	return apperr.StatusOf(err)
}

// must returns v, or stops the tests on err (a failed step leaves nothing to check).
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func approve() project.NSODecisionInput {
	c := ""
	return project.NSODecisionInput{Decision: project.Approve, Comment: &c}
}

func kinds(t *testing.T, f fixture, memberID, kind string) int {
	t.Helper()
	ns, _, err := f.store.ListNotifications(context.Background(), memberID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range ns {
		if x.Kind == kind {
			n++
		}
	}
	return n
}

func TestFoundingRules(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ana, jean, ion, far := f.teacher(t, "RO"), f.teacher(t, "FR"), f.teacher(t, "RO"), f.teacher(t, "DE")
	f.befriend(t, ana, jean)
	f.befriend(t, ana, ion)
	// Not a contact, same country, oneself, a staff caller.
	for _, tc := range []struct {
		who  principal.Principal
		in   project.CreateInput
		want int
	}{
		{ana, form(far.MemberID), 422},
		{ana, form(ion.MemberID), 422},
		{ana, form(ana.MemberID), 422},
		{f.nso(t, "RO"), form(jean.MemberID), 403},
	} {
		if _, err := f.svc.Create(ctx, tc.who, tc.in); code(err) != tc.want {
			t.Errorf("create %+v: %v, want %d", tc.in.CofounderID, err, tc.want)
		}
	}
	p := must(f.svc.Create(ctx, ana, form(jean.MemberID)))
	if p.Status != project.AwaitingCofounder || p.Version != 1 || p.Founders[0].Country != "RO" {
		t.Fatalf("created %+v", p)
	}
	if kinds(t, f, jean.MemberID, notify.KindProjectCofounderRequest) != 1 {
		t.Fatal("the co-founder was not notified")
	}
	// Both founders list it; a stranger does not see it.
	for _, who := range []principal.Principal{ana, jean} {
		page := must(f.svc.List(ctx, who, "", 20))
		if len(page.Items) != 1 || page.Items[0].ProjectID != p.ProjectID {
			t.Fatalf("list of %s: %+v", who.MemberID, page)
		}
	}
	if _, err := f.svc.Get(ctx, far, p.ProjectID); code(err) != 404 {
		t.Fatalf("stranger: %v", err)
	}
	// Pagination: ten more projects, pages of three, newest first, no repeats.
	for i := 0; i < 10; i++ {
		if _, err := f.svc.Create(ctx, ana, form(jean.MemberID)); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	cur := ""
	for pages := 0; ; pages++ {
		page := must(f.svc.List(ctx, jean, cur, 3))
		for _, it := range page.Items {
			if seen[it.ProjectID] {
				t.Fatalf("%s listed twice", it.ProjectID)
			}
			seen[it.ProjectID] = true
		}
		if page.NextCursor == "" {
			break
		}
		cur = page.NextCursor
	}
	if len(seen) != 11 {
		t.Fatalf("listed %d projects, want 11", len(seen))
	}
	if _, err := f.svc.List(ctx, ana, cur, 3); code(err) != 400 {
		t.Fatalf("another member's cursor: %v", err)
	}
}

// Two NSOs approving at the same moment, many times: every project ends approved exactly
// once, with one stats increment per country and one notification per founder.
func TestConcurrentNSOApprovals(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ana, jean := f.teacher(t, "RO"), f.teacher(t, "FR")
	f.befriend(t, ana, jean)
	ro, fr := f.nso(t, "RO"), f.nso(t, "FR")
	const rounds = 12
	for i := 0; i < rounds; i++ {
		p := must(f.svc.Create(ctx, ana, form(jean.MemberID)))
		must(f.svc.CofounderDecision(ctx, jean, p.ProjectID, project.CofounderDecisionInput{Decision: project.Approve}))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for j, who := range []principal.Principal{ro, fr} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[j] = f.svc.NSODecision(ctx, who, p.ProjectID, approve())
			}()
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("round %d: %v / %v", i, errs[0], errs[1])
		}
		got := must(f.svc.Get(ctx, ana, p.ProjectID))
		if got.Status != project.Approved || got.Version != 4 || len(got.NSODecisions) != 2 {
			t.Fatalf("round %d: %+v", i, got)
		}
		// the approval's transaction recorded the project in both founders' schools'
		// summaries, each with its own founder, as a European project
		for _, fd := range got.Founders {
			sum, found, err := f.store.SchoolSummary(ctx, fd.SchoolID)
			pf := sum.Projects[p.ProjectID]
			if err != nil || !found || !slices.Equal(pf.Members, []string{fd.MemberID}) || pf.ApprovedAt.IsZero() || !pf.European {
				t.Fatalf("round %d: summary of %s: %+v %v %v", i, fd.SchoolID, sum, found, err)
			}
		}
	}
	for scope, want := range map[string]int64{"RO": rounds, "FR": rounds, stats.All: rounds} {
		c := must(f.store.GetStats(ctx, scope))
		if c.ActiveProjects != want {
			t.Errorf("activeProjects of %s = %d, want %d", scope, c.ActiveProjects, want)
		}
	}
	for _, who := range []principal.Principal{ana, jean} {
		if n := kinds(t, f, who.MemberID, notify.KindProjectApproved); n != rounds {
			t.Errorf("%d approval notifications, want %d", n, rounds)
		}
	}
	// The queues are empty.
	for _, who := range []principal.Principal{ro, fr} {
		if q := must(f.svc.NSOQueue(ctx, who, "", "", 100)); len(q.Items) != 0 {
			t.Errorf("queue of %s: %+v", who.Country, q.Items)
		}
	}
}

func TestConcurrentCofounderDecisions(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ana, jean := f.teacher(t, "RO"), f.teacher(t, "FR", "BE")
	f.befriend(t, ana, jean)
	for i := 0; i < 8; i++ {
		p := must(f.svc.Create(ctx, ana, form(jean.MemberID)))
		var wg sync.WaitGroup
		codes := make([]int, 4)
		for j := range codes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				in := project.CofounderDecisionInput{Decision: project.Approve}
				if j%2 == 1 {
					in = project.CofounderDecisionInput{Decision: project.Reject, Comment: "no"}
				}
				_, err := f.svc.CofounderDecision(ctx, jean, p.ProjectID, in)
				codes[j] = code(err)
			}()
		}
		wg.Wait()
		wins := 0
		for _, c := range codes {
			switch c {
			case 200:
				wins++
			case 409:
			default:
				t.Fatalf("outcomes %v", codes)
			}
		}
		if wins != 1 {
			t.Fatalf("outcomes %v, want exactly one decision", codes)
		}
		got := must(f.svc.Get(ctx, jean, p.ProjectID))
		notes := kinds(t, f, ana.MemberID, notify.KindProjectCofounderApproved) + kinds(t, f, ana.MemberID, notify.KindProjectRejected)
		if notes != i+1 {
			t.Fatalf("%d decision notifications to the founder after %d projects", notes, i+1)
		}
		q := must(f.svc.NSOQueue(ctx, f.nso(t, "RO"), "", "", 100))
		inQueue := false
		for _, e := range q.Items {
			inQueue = inQueue || e.ProjectID == p.ProjectID
		}
		if inQueue != (got.Status == project.AwaitingNSO) {
			t.Fatalf("status %s, in the RO queue: %v", got.Status, inQueue)
		}
	}
}

func TestEditAndWithdraw(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ana, jean := f.teacher(t, "RO"), f.teacher(t, "FR")
	f.befriend(t, ana, jean)
	ro := f.nso(t, "RO")
	p := must(f.svc.Create(ctx, ana, form(jean.MemberID)))
	must(f.svc.CofounderDecision(ctx, jean, p.ProjectID, project.CofounderDecisionInput{Decision: project.Approve}))
	title := "Rivers and seas"
	v := 2
	e := must(f.svc.Update(ctx, ana, p.ProjectID, project.PatchInput{Title: &title, Version: &v}))
	if e.Title != title || e.Version != 3 {
		t.Fatalf("edited %+v", e)
	}
	if _, err := f.svc.Update(ctx, ana, p.ProjectID, project.PatchInput{Title: &title, Version: &v}); code(err) != 409 {
		t.Fatalf("stale version: %v", err)
	}
	if _, err := f.svc.Update(ctx, jean, p.ProjectID, project.PatchInput{Title: &title}); code(err) != 403 {
		t.Fatalf("co-founder edits: %v", err)
	}
	q := must(f.svc.NSOQueue(ctx, ro, "", "", 100))
	if len(q.Items) != 1 || q.Items[0].Title != title {
		t.Fatalf("queue after the edit: %+v", q.Items)
	}
	if err := f.svc.Withdraw(ctx, jean, p.ProjectID); code(err) != 403 {
		t.Fatalf("co-founder withdraws: %v", err)
	}
	if err := f.svc.Withdraw(ctx, ana, p.ProjectID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Get(ctx, ana, p.ProjectID); code(err) != 404 {
		t.Fatalf("withdrawn project: %v", err)
	}
	if q := must(f.svc.NSOQueue(ctx, ro, "", "", 100)); len(q.Items) != 0 {
		t.Fatalf("queue after the withdrawal: %+v", q.Items)
	}
	if l := must(f.svc.List(ctx, jean, "", 20)); len(l.Items) != 0 {
		t.Fatalf("list after the withdrawal: %+v", l.Items)
	}
	if err := f.svc.Withdraw(ctx, ana, p.ProjectID); code(err) != 404 {
		t.Fatalf("withdrawn twice: %v", err)
	}
}

// Reminders go once per step, even when two runs overlap.
func TestReminders(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ana, jean := f.teacher(t, "RO"), f.teacher(t, "FR")
	f.befriend(t, ana, jean)
	ro1, ro2, fr := f.nso(t, "RO"), f.nso(t, "RO"), f.nso(t, "FR")
	start := time.Now().UTC()
	f.clock.Set(start)
	p := must(f.svc.Create(ctx, ana, form(jean.MemberID)))

	f.clock.Set(start.Add(6 * 24 * time.Hour))
	if r := must(f.svc.SendReminders(ctx)); r.Cofounders != 0 || r.Notifications != 0 {
		t.Fatalf("day 6: %+v", r)
	}
	f.clock.Set(start.Add(7*24*time.Hour + time.Minute))
	outboxtest.Deliver(t, f.table, f.mail)
	mails := f.mail.count()
	var wg sync.WaitGroup
	reps := make([]project.ReminderReport, 3)
	for i := range reps {
		wg.Add(1)
		go func() { defer wg.Done(); reps[i] = must(f.svc.SendReminders(ctx)) }()
	}
	wg.Wait()
	if n := reps[0].Cofounders + reps[1].Cofounders + reps[2].Cofounders; n != 1 {
		t.Fatalf("co-founder reminded %d times: %+v", n, reps)
	}
	outboxtest.Deliver(t, f.table, f.mail)
	if kinds(t, f, jean.MemberID, notify.KindProjectReminder) != 1 || f.mail.count() != mails+1 {
		t.Fatal("the co-founder's reminder is not one notification and one e-mail")
	}
	if r := must(f.svc.SendReminders(ctx)); r.Due != 0 {
		t.Fatalf("again: %+v", r)
	}

	// The NSO step: 14 days after the approval, the NSO accounts of the undecided country.
	approvedAt := start.Add(8 * 24 * time.Hour)
	f.clock.Set(approvedAt)
	must(f.svc.CofounderDecision(ctx, jean, p.ProjectID, project.CofounderDecisionInput{Decision: project.Approve}))
	must(f.svc.NSODecision(ctx, fr, p.ProjectID, approve()))
	f.clock.Set(approvedAt.Add(13 * 24 * time.Hour))
	if r := must(f.svc.SendReminders(ctx)); r.NSOCountries != 0 {
		t.Fatalf("day 13: %+v", r)
	}
	f.clock.Set(approvedAt.Add(14*24*time.Hour + time.Minute))
	r := must(f.svc.SendReminders(ctx))
	if r.NSOCountries != 1 || r.Notifications != 2 {
		t.Fatalf("day 14: %+v", r)
	}
	for _, who := range []principal.Principal{ro1, ro2} {
		if kinds(t, f, who.MemberID, notify.KindProjectReminder) != 1 {
			t.Errorf("NSO %s not reminded", who.MemberID)
		}
	}
	if kinds(t, f, fr.MemberID, notify.KindProjectReminder) != 0 {
		t.Error("the NSO that decided was reminded")
	}
	if r := must(f.svc.SendReminders(ctx)); r.Due != 0 {
		t.Fatalf("again: %+v", r)
	}
	// The marks did not disturb the decision that follows.
	got := must(f.svc.NSODecision(ctx, ro1, p.ProjectID, approve()))
	if got.Status != project.Approved {
		t.Fatalf("after the reminders: %+v", got)
	}
	if _, err := f.svc.NSODecision(ctx, ro2, p.ProjectID, approve()); code(err) != http.StatusConflict {
		t.Fatalf("second RO decision: %v", err)
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

// The contact precondition is checked again in the founding transaction: a co-founder
// removed from the contacts after the check founds nothing.
func TestFoundingRechecksTheContact(t *testing.T) {
	ctx := context.Background()
	f := setup(t)
	ana, jean := f.teacher(t, "RO"), f.teacher(t, "FR")
	f.befriend(t, ana, jean)
	svc := *f.svc
	svc.Store = contactGoneAfterCheck{f.store}
	_, err := svc.Create(ctx, ana, form(jean.MemberID))
	if e, ok := apperr.As(err); !ok || e.Status != http.StatusUnprocessableEntity || len(e.Fields) != 1 || e.Fields[0].Field != "cofounderId" {
		t.Fatalf("founding with a contact removed meanwhile: %v", err)
	}
	if ok, err := f.store.IsContact(ctx, ana.MemberID, jean.MemberID); ok || err != nil {
		t.Fatalf("the contact is still there (%v): the test checks nothing", err)
	}
	for _, who := range []principal.Principal{ana, jean} {
		if page := must(f.svc.List(ctx, who, "", 20)); len(page.Items) != 0 {
			t.Fatalf("a project was written for %s: %+v", who.MemberID, page.Items)
		}
	}
	if n := kinds(t, f, jean.MemberID, notify.KindProjectCofounderRequest); n != 0 {
		t.Fatalf("%d co-founder requests written", n)
	}

	// The store alone refuses founders who are not contacts, and writes nothing.
	now := time.Now().UTC()
	p := project.Project{ProjectID: token.SortableID("p-", now), Status: project.AwaitingCofounder, Title: "t",
		Founders:  []project.Founder{{MemberID: ana.MemberID}, {MemberID: jean.MemberID}},
		FounderID: ana.MemberID, CofounderID: jean.MemberID, Version: 1, CreatedAt: now, UpdatedAt: now}
	partners := []project.Partner{{MemberID: ana.MemberID, Role: project.RoleAdmin, Founder: true, AddedAt: now},
		{MemberID: jean.MemberID, Role: project.RoleAdmin, Founder: true, AddedAt: now}}
	if err := f.store.CreateProject(ctx, p, partners, nil); !errors.Is(err, project.ErrNotContact) {
		t.Fatalf("CreateProject for non-contacts: %v", err)
	}
	if _, found, err := f.store.GetProject(ctx, p.ProjectID); found || err != nil {
		t.Fatalf("the project was written (%v)", err)
	}
	if ok, err := f.store.IsPartner(ctx, p.ProjectID, jean.MemberID); ok || err != nil {
		t.Fatalf("a partner was written (%v)", err)
	}
}

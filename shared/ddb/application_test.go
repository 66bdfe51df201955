package ddb_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/testenv"
	"etwin/shared/apperr"
	"etwin/shared/certification"
	"etwin/shared/ddb"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/principal"
	"etwin/shared/school"
	"etwin/shared/token"
)

// appFixture is a table with an open round, an eligible HR school with n teachers, and an
// HR NSO account.
type appFixture struct {
	store    *ddb.Store
	table    string
	svc      *certification.Applications
	round    certification.Window
	schoolID string
	teachers []principal.Principal
	nso      principal.Principal
	now      time.Time
}

func newAppFixture(t *testing.T, n int) *appFixture {
	t.Helper()
	ctx := context.Background()
	table := testenv.NewTable(t)
	s := ddb.New(testenv.DDB(), table)
	now := time.Date(2093, 3, 1, 12, 0, 0, 0, time.UTC)
	f := &appFixture{store: s, table: table, now: now}
	f.svc = &certification.Applications{Store: s, Now: func() time.Time { return f.now }}
	in := certification.Input{AnnounceAt: now.Add(-48 * time.Hour).Format(time.RFC3339), OpensAt: now.Add(-24 * time.Hour).Format(time.RFC3339),
		ClosesAt: now.Add(40 * 24 * time.Hour).Format(time.RFC3339), Elements: []string{"pupil_agency", "role_model"}}
	w, err := (&certification.Service{Store: s, Now: func() time.Time { return now }}).PutWindow(ctx, css, "2093", in)
	if err != nil {
		t.Fatal(err)
	}
	f.round = w
	sc := newSchool("Școala "+token.ID(""), now.AddDate(-5, 0, 0))
	sc.Country = "HR"
	f.schoolID = sc.SchoolID
	var ms []member.Member
	for i := range n {
		m := member.Member{MemberID: token.ID("m-"), Username: fmt.Sprintf("t%d", i), FirstName: "Ana", LastName: fmt.Sprintf("Teacher%d", i),
			Email: fmt.Sprintf("t%d-%s@example.hr", i, token.ID("")), Language: "hr", Role: member.RoleTeacher, Country: "HR",
			Schools: []member.SchoolRef{sc.Ref()}, CreatedAt: now}
		ms = append(ms, m)
		f.teachers = append(f.teachers, principal.Principal{MemberID: m.MemberID, Role: member.RoleTeacher})
	}
	if err := s.BulkLoad(ctx, ms, []school.School{*sc}); err != nil {
		t.Fatal(err)
	}
	nso := member.Member{MemberID: token.ID("m-"), Username: "nso-" + token.ID(""), FirstName: "N", LastName: "SO", Email: token.ID("") + "@nso.hr",
		Language: "en", Role: member.RoleNSO, Country: "HR", CreatedAt: now}
	if err := s.CreateAccount(ctx, nso); err != nil {
		t.Fatal(err)
	}
	f.nso = principal.Principal{MemberID: nso.MemberID, Role: member.RoleNSO, Country: "HR"}
	if err := s.PutVerdicts(ctx, []certification.Verdict{certification.Verdict{Year: 2093, SchoolID: sc.SchoolID, Country: "HR", Eligible: true, JudgedAt: now}}); err != nil {
		t.Fatal(err)
	}
	return f
}

func complete(els []string) certification.SaveInput {
	in := certification.SaveInput{OnlineSafety: &certification.OnlineSafety{Answer: "A policy.", Evidence: []string{"https://example.org/p"}},
		Elements:    map[string]certification.ElementPart{},
		Declaration: &certification.DeclarationInput{HeadTeacher: "Ana Pop", SignedAt: "2093-02-28T09:00:00Z"}}
	for _, k := range els {
		in.Elements[k] = certification.ElementPart{Practice: "p", Evidence: []string{"e"}, Plans: "pl"}
	}
	return in
}

// notificationsOf counts each kind of notification a member holds about the school.
func (f *appFixture) notificationsOf(t *testing.T, memberID string) map[string]int {
	t.Helper()
	ns, _, err := f.store.ListNotifications(context.Background(), memberID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, n := range ns {
		if n.Subject.ID == f.schoolID {
			out[n.Kind]++
		}
	}
	return out
}

// outboxCount counts the outbox items of the table (each notification's e-mail).
func outboxCount(t *testing.T, table string) int {
	t.Helper()
	n := 0
	p := dynamodb.NewScanPaginator(testenv.DDB(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		FilterExpression:          aws.String("begins_with(PK, :o)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":o": &types.AttributeValueMemberS{Value: "OUTBOX#"}}})
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n += len(out.Items)
	}
	return n
}

func ptrTo[T any](v T) *T { return &v }

// Two first saves at once, then two saves with the same version at once: exactly one of
// each wins, the other gets 409.
func TestApplicationConcurrentSaves(t *testing.T) {
	f := newAppFixture(t, 3)
	ctx := context.Background()
	race := func(in func(i int) certification.SaveInput) []int {
		st := make([]int, 2)
		var wg sync.WaitGroup
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.Save(ctx, f.teachers[i], f.schoolID, in(i))
				st[i] = 200
				if err != nil {
					st[i] = apperr.StatusOf(err)
				}
			}()
		}
		wg.Wait()
		slices.Sort(st)
		return st
	}
	if st := race(func(int) certification.SaveInput { return certification.SaveInput{} }); !slices.Equal(st, []int{200, 409}) {
		t.Fatalf("two first saves: %v", st)
	}
	a, found, err := f.store.Application(ctx, 2093, f.schoolID)
	if err != nil || !found || a.Version != 1 || a.Status != certification.AppDraft {
		t.Fatalf("after the first save: %+v %v %v", a, found, err)
	}
	for round := range 3 {
		v := a.Version
		st := race(func(i int) certification.SaveInput {
			in := complete(f.round.Elements)
			in.Version = ptrTo(v)
			in.OnlineSafety.Answer = fmt.Sprintf("teacher %d, round %d", i, round)
			return in
		})
		if !slices.Equal(st, []int{200, 409}) {
			t.Fatalf("round %d, two saves with version %d: %v", round, v, st)
		}
		if a, _, _ = f.store.Application(ctx, 2093, f.schoolID); a.Version != v+1 {
			t.Fatalf("version %d after one save from %d", a.Version, v)
		}
	}
	// stale version → 409; an unknown element → 422 naming it
	in := complete(f.round.Elements)
	in.Version = ptrTo(1)
	if _, err := f.svc.Save(ctx, f.teachers[0], f.schoolID, in); apperr.StatusOf(err) != 409 {
		t.Fatalf("stale: %v", err)
	}
	in.Version = ptrTo(a.Version)
	in.Elements["sorcery"] = certification.ElementPart{}
	if _, err := f.svc.Save(ctx, f.teachers[0], f.schoolID, in); !slices.Equal(apperr.FieldNames(err), []string{"elements.sorcery"}) {
		t.Fatalf("unknown element: %v", err)
	}
	// a stranger (a teacher of another school) sees nothing
	if _, err := f.svc.Get(ctx, principal.Principal{MemberID: "m-stranger", Role: "teacher"}, f.schoolID); apperr.StatusOf(err) != 404 {
		t.Fatalf("stranger: %v", err)
	}
}

// Two submits at once: one 200, one 409, one queue entry.
func TestApplicationConcurrentSubmits(t *testing.T) {
	f := newAppFixture(t, 2)
	ctx := context.Background()
	if _, err := f.svc.Save(ctx, f.teachers[0], f.schoolID, complete(f.round.Elements)); err != nil {
		t.Fatal(err)
	}
	st := make([]int, 2)
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.svc.Submit(ctx, f.teachers[i], f.schoolID)
			st[i] = 200
			if err != nil {
				st[i] = apperr.StatusOf(err)
			}
		}()
	}
	wg.Wait()
	slices.Sort(st)
	if !slices.Equal(st, []int{200, 409}) {
		t.Fatalf("two submits: %v", st)
	}
	q, err := f.svc.Queue(ctx, f.nso, "submitted", "", 20)
	if err != nil || len(q.Items) != 1 || q.Items[0].SchoolID != f.schoolID || q.Items[0].Year != 2093 {
		t.Fatalf("queue: %+v %v", q, err)
	}
	if q, err := f.svc.Queue(ctx, principal.Principal{MemberID: "m-x", Role: "nso", Country: "SK"}, "", "", 20); err != nil || len(q.Items) != 0 {
		t.Fatalf("another country's queue: %+v %v", q, err)
	}
}

// An approval notifies every one of a school's many teachers exactly once (more than one
// transaction's worth), awards the label and leaves the queue; reminders run twice, and
// twice at once, remind once.
func TestApplicationApprovalNotifiesManyOnce(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	n := certification.NoticeChunk + 15
	f := newAppFixture(t, n)
	ctx := context.Background()
	if _, err := f.svc.Save(ctx, f.teachers[0], f.schoolID, complete(f.round.Elements)); err != nil {
		t.Fatal(err)
	}
	// a draft idle for 14 days reminds each teacher once, however the job runs
	start := f.now
	f.now = start.Add(certification.IdleAfter)
	var wg sync.WaitGroup
	sent := make([]int, 3)
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			if sent[i], err = f.svc.Remind(ctx, f.round, f.now); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if again, err := f.svc.Remind(ctx, f.round, f.now); err != nil || sent[0]+sent[1]+sent[2]+again != n {
		t.Fatalf("idle reminders sent %v then %d, want %d in all", sent, again, n)
	}
	for _, tc := range f.teachers {
		if got := f.notificationsOf(t, tc.MemberID); got[notify.KindCertificationDraftReminder] != 1 {
			t.Fatalf("teacher %s: %v", tc.MemberID, got)
		}
	}
	if _, err := f.svc.Submit(ctx, f.teachers[1], f.schoolID); err != nil {
		t.Fatal(err)
	}
	// the NSO is reminded once after 14 days of waiting
	f.now = f.now.Add(certification.NSOWaitAfter)
	for range 2 {
		if _, err := f.svc.Remind(ctx, f.round, f.now); err != nil {
			t.Fatal(err)
		}
	}
	if got := f.notificationsOf(t, f.nso.MemberID); got[notify.KindCertificationNSOReminder] != 1 {
		t.Fatalf("NSO reminders: %v", got)
	}
	mails := outboxCount(t, f.table)
	// teachers and other countries' NSOs may not evaluate
	if _, err := f.svc.Evaluate(ctx, f.teachers[0], f.schoolID, certification.EvaluationInput{Decision: "approve"}); apperr.StatusOf(err) != 403 {
		t.Fatalf("teacher evaluating: %v", err)
	}
	if _, err := f.svc.Evaluate(ctx, principal.Principal{MemberID: "m-sk", Role: "nso", Country: "SK"}, f.schoolID,
		certification.EvaluationInput{Decision: "approve"}); apperr.StatusOf(err) != 404 {
		t.Fatalf("another NSO evaluating: %v", err)
	}
	a, err := f.svc.Evaluate(ctx, f.nso, f.schoolID, certification.EvaluationInput{Decision: "approve"})
	if err != nil || a.Status != certification.AppApproved {
		t.Fatalf("approve: %+v %v", a, err)
	}
	if _, err := f.svc.Evaluate(ctx, f.nso, f.schoolID, certification.EvaluationInput{Decision: "reject", Feedback: ptrTo("no")}); apperr.StatusOf(err) != 409 {
		t.Fatalf("evaluating twice: %v", err)
	}
	for _, tc := range f.teachers {
		if got := f.notificationsOf(t, tc.MemberID); got[notify.KindCertificationApproved] != 1 {
			t.Fatalf("teacher %s after the approval: %v", tc.MemberID, got)
		}
	}
	if got := outboxCount(t, f.table) - mails; got != n {
		t.Fatalf("%d e-mails queued by the approval, want %d", got, n)
	}
	stored, _, _ := f.store.Application(ctx, 2093, f.schoolID)
	if len(stored.Pending) != 0 {
		t.Fatalf("notices left pending: %d", len(stored.Pending))
	}
	if q, _ := f.svc.Queue(ctx, f.nso, "", "", 20); len(q.Items) != 0 {
		t.Fatalf("still queued: %+v", q)
	}
	v, err := f.svc.Get(ctx, f.teachers[2], f.schoolID)
	if err != nil || v.Label == nil || v.Label.Year != 2093 || !v.Label.ValidUntil.Equal(f.now.AddDate(2, 0, 0)) || v.Application.Status != "approved" || !v.Eligible {
		t.Fatalf("view: %+v %v", v, err)
	}
	// the label shows while valid, not after
	f.now = f.now.AddDate(2, 0, 1)
	if v, err := f.svc.Get(ctx, f.teachers[2], f.schoolID); err != nil || v.Label != nil {
		t.Fatalf("an expired label: %+v %v", v.Label, err)
	}
	// nothing more to remind: the approved application left the reminder lists
	if sent, err := f.svc.Remind(ctx, f.round, start.Add(certification.IdleAfter+certification.NSOWaitAfter+time.Hour)); err != nil || sent != 0 {
		t.Fatalf("reminders after the approval: %d %v", sent, err)
	}
}

// Notices a crash left pending are written by the next Remind, once.
func TestApplicationPendingNoticesResume(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	f := newAppFixture(t, 2)
	ctx := context.Background()
	if _, err := f.svc.Save(ctx, f.teachers[0], f.schoolID, complete(f.round.Elements)); err != nil {
		t.Fatal(err)
	}
	// as if a decision had committed its notices as pending, then stopped
	if _, err := f.store.UpdateApplication(ctx, 2093, f.schoolID, func(a *certification.Application) (certification.Effects, error) {
		for _, tc := range f.teachers {
			a.Pending = append(a.Pending, certification.Notice{MemberID: tc.MemberID, Kind: notify.KindCertificationRejected})
		}
		return certification.Effects{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		sent, err := f.svc.Remind(ctx, f.round, f.now)
		if want := []int{2, 0}[i]; err != nil || sent != want {
			t.Fatalf("run %d sent %d (%v), want %d", i, sent, err, want)
		}
	}
	for _, tc := range f.teachers {
		if got := f.notificationsOf(t, tc.MemberID); got[notify.KindCertificationRejected] != 1 {
			t.Fatalf("teacher %s: %v", tc.MemberID, got)
		}
	}
}

package ddb_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/sesmail"
	"etwin/shared/token"
)

// localSES sends through the local SES (its captured mail is read with testenv.Mails).
func localSES() *sesmail.Sender {
	return sesmail.New(aws.Config{Region: localstack.Region, BaseEndpoint: aws.String(testenv.SESURL()),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", "")}, "no-reply@etwinning.local")
}

// mailRecipient stores an account to notify (email "" for a fresh address; emails: its
// notification e-mail preference).
func mailRecipient(t *testing.T, s *ddb.Store, email string, emails bool) member.Member {
	t.Helper()
	if email == "" {
		email = fmt.Sprintf("retry-%s@example.org", strings.ToLower(token.ID("")))
	}
	m := member.Member{MemberID: token.ID("m-"), Username: token.ID("u"), FirstName: "Ana", LastName: "Pop", Email: email,
		Language: "en", Role: member.RoleTeacher, CreatedAt: time.Now().UTC(), EmailNotifications: &emails}
	if err := s.CreateAccount(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

// pendingMails commits n notifications to m, their e-mails still pending, at `at`.
func pendingMails(t *testing.T, s *ddb.Store, m member.Member, n int, at time.Time) []notify.Notification {
	t.Helper()
	var ns []notify.Notification
	for i := 0; i < n; i++ {
		ns = append(ns, notify.New(notify.Recipient{MemberID: m.MemberID, WantsEmail: true}, notify.KindPartnerAdded, notify.Subject{Type: notify.SubjectProject, ID: "p-1"},
			nil, at.Add(time.Duration(i)*time.Millisecond)))
	}
	if err := s.AddNotifications(context.Background(), ns...); err != nil {
		t.Fatal(err)
	}
	return ns
}

// mailsOf counts the captured e-mails since `since` that link to each notification.
func mailsOf(t *testing.T, since time.Time, ns []notify.Notification) map[string]int {
	t.Helper()
	mails, err := testenv.Mails(since)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, n := range ns {
		for _, m := range mails {
			if strings.Contains(m.Text, n.ID) {
				out[n.ID]++
			}
		}
	}
	return out
}

func dueIDs(t *testing.T, s *ddb.Store, before time.Time) map[string]notify.DueMail {
	t.Helper()
	due, err := s.DueNotificationMails(context.Background(), before, 500)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]notify.DueMail{}
	for _, d := range due {
		out[d.ID] = d
	}
	return out
}

// dueBarrier holds every run after its read of the due e-mails until all runs have read
// them: the runs overlap for certain, each with the same work list.
type dueBarrier struct {
	*ddb.Store
	read *sync.WaitGroup
}

func (b dueBarrier) DueNotificationMails(ctx context.Context, before time.Time, limit int) ([]notify.DueMail, error) {
	due, err := b.Store.DueNotificationMails(ctx, before, limit)
	b.read.Done()
	b.read.Wait()
	return due, err
}

// Overlapping mail-retry runs over the same due notifications send each e-mail exactly
// once: each claims a notification with a conditional write before it sends.
func TestOverlappingMailRetriesSendEachOnce(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	var ns []notify.Notification
	for i := 0; i < 3; i++ {
		ns = append(ns, pendingMails(t, s, mailRecipient(t, s, "", true), 3, time.Now().Add(-10*time.Minute))...)
	}
	since := time.Now()
	const runs = 3
	var read, done sync.WaitGroup
	read.Add(runs)
	reps := make([]notify.RetryReport, runs)
	for r := 0; r < runs; r++ {
		done.Add(1)
		go func(r int) {
			defer done.Done()
			svc := &notify.Service{Store: dueBarrier{Store: s, read: &read}, Mail: localSES(), PortalURL: "https://portal.example"}
			var err error
			if reps[r], err = svc.RetryMails(ctx); err != nil {
				t.Error(err)
			}
		}(r)
	}
	done.Wait()
	var sent, held int
	for _, rep := range reps {
		if rep.Due != len(ns) {
			t.Errorf("a run saw %d due, want all %d (the runs did not overlap)", rep.Due, len(ns))
		}
		sent, held = sent+rep.Sent, held+rep.Held
	}
	if sent != len(ns) || held != (runs-1)*len(ns) {
		t.Errorf("the runs report %d sent and %d held (%+v), want %d and %d", sent, held, reps, len(ns), (runs-1)*len(ns))
	}
	got := mailsOf(t, since, ns)
	for _, n := range ns {
		if got[n.ID] != 1 {
			t.Errorf("notification %s was e-mailed %d times, want once", n.ID, got[n.ID])
		}
	}
	if due := dueIDs(t, s, time.Now()); len(due) != 0 {
		t.Errorf("still due after the runs: %v", due)
	}
}

// A claim left by a run that died before it recorded anything holds until its lease
// ends; then the next run takes the e-mail over (the lost attempt counts).
func TestCrashedMailClaimIsTakenOverAfterItsLease(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	t0 := time.Now().UTC()
	ns := pendingMails(t, s, mailRecipient(t, s, "", true), 1, t0.Add(-10*time.Minute))
	n := ns[0]
	// The crashed run: claimed, never sent, never recorded.
	if ok, err := s.ClaimNotificationMail(ctx, n.RecipientID, n.ID, 0, t0, t0.Add(notify.MailLease)); err != nil || !ok {
		t.Fatalf("first claim: %v %v", ok, err)
	}
	if ok, err := s.ClaimNotificationMail(ctx, n.RecipientID, n.ID, 0, t0, t0.Add(notify.MailLease)); err != nil || ok {
		t.Fatalf("a second claim as read before the first held: %v %v", ok, err)
	}
	since := time.Now()
	at := func(now time.Time) notify.RetryReport {
		t.Helper()
		svc := &notify.Service{Store: s, Mail: localSES(), PortalURL: "https://portal.example", Now: func() time.Time { return now }}
		rep, err := svc.RetryMails(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := at(t0.Add(notify.MailLease - time.Minute)); rep.Held != 1 || rep.Sent != 0 {
		t.Fatalf("within the lease: %+v", rep)
	}
	if d := dueIDs(t, s, t0)[n.ID]; d.Attempts != 1 {
		t.Fatalf("the crashed attempt is not counted: %+v", d)
	}
	if rep := at(t0.Add(notify.MailLease + time.Second)); rep.Sent != 1 || rep.Held != 0 {
		t.Fatalf("after the lease: %+v", rep)
	}
	if got := mailsOf(t, since, ns); got[n.ID] != 1 {
		t.Fatalf("e-mailed %d times, want once", got[n.ID])
	}
	// The crashed run's record, should it come now, changes nothing.
	if ok, err := s.FinishNotificationMail(ctx, n.RecipientID, n.ID, 1, notify.MailFailed); err != nil || ok {
		t.Fatalf("a stale claim recorded its outcome: %v %v", ok, err)
	}
	if due := dueIDs(t, s, time.Now()); len(due) != 0 {
		t.Fatalf("still due: %v", due)
	}
}

// A refused e-mail is tried MaxMailAttempts times in all, then no more; a claim whose
// run died at the last attempt is given up without sending; a member who turned e-mails
// off is skipped under a claim too.
func TestMailRetryAttemptsAreBounded(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	t0 := time.Now().UTC()
	bad := mailRecipient(t, s, "not an address", true) // cannot be rendered: every attempt fails
	refused := pendingMails(t, s, bad, 1, t0.Add(-10*time.Minute))[0]
	crashed := pendingMails(t, s, mailRecipient(t, s, "", true), 1, t0.Add(-10*time.Minute))[0]
	// Committed while the member wanted e-mails; turned off since.
	skipped := pendingMails(t, s, mailRecipient(t, s, "", false), 1, t0.Add(-10*time.Minute))[0]
	// The crashed run took the last attempt.
	for a := 0; a < notify.MaxMailAttempts-1; a++ {
		if ok, err := s.ClaimNotificationMail(ctx, crashed.RecipientID, crashed.ID, a, t0, t0); err != nil || !ok {
			t.Fatalf("claim %d: %v %v", a, ok, err)
		}
		if ok, err := s.FinishNotificationMail(ctx, crashed.RecipientID, crashed.ID, a+1, notify.MailFailed); err != nil || !ok {
			t.Fatalf("finish %d: %v %v", a, ok, err)
		}
	}
	if ok, err := s.ClaimNotificationMail(ctx, crashed.RecipientID, crashed.ID, notify.MaxMailAttempts-1, t0, t0); err != nil || !ok {
		t.Fatalf("last claim: %v %v", ok, err)
	}
	since := time.Now()
	var failed, sent, skippedN int
	for run := 0; run < notify.MaxMailAttempts+2; run++ {
		now := t0.Add(time.Duration(run+1) * time.Minute)
		svc := &notify.Service{Store: s, Mail: localSES(), PortalURL: "https://portal.example", Now: func() time.Time { return now }}
		rep, err := svc.RetryMails(ctx)
		if err != nil {
			t.Fatal(err)
		}
		failed, sent, skippedN = failed+rep.Failed, sent+rep.Sent, skippedN+rep.Skipped
	}
	// refused: MaxMailAttempts failures; crashed: one give-up.
	if failed != notify.MaxMailAttempts+1 || sent != 0 || skippedN != 1 {
		t.Fatalf("%d failed, %d sent, %d skipped; want %d, 0, 1", failed, sent, skippedN, notify.MaxMailAttempts+1)
	}
	if due := dueIDs(t, s, time.Now()); len(due) != 0 {
		t.Fatalf("still due: %v", due)
	}
	if got := mailsOf(t, since, []notify.Notification{refused, crashed, skipped}); len(got) != 0 {
		t.Fatalf("e-mails went out: %v", got)
	}
	for _, c := range []struct {
		n     notify.Notification
		state string
	}{{refused, notify.MailFailed}, {crashed, notify.MailFailed}, {skipped, notify.MailOff}} {
		list, _, err := s.ListNotifications(ctx, c.n.RecipientID, "", 10)
		if err != nil || len(list) != 1 || list[0].Mail != c.state {
			t.Errorf("notification %s: %+v (%v), want mail %s", c.n.ID, list, err, c.state)
		}
	}
}

package ddb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"etwin/shared/ddb"
	"etwin/shared/mail"
	"etwin/shared/notify"
	"etwin/shared/outbox"
)

// recorder is an SES stand-in for the outbox's unit of work (the e2e tests go through the
// local SES server): it records what it is handed and fails as told.
type recorder struct {
	mu   sync.Mutex
	sent []mail.Message
	fail func(n int) error // nil: every send succeeds; n counts the calls from 1
	n    int
}

func (r *recorder) Send(_ context.Context, m mail.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.n++
	if r.fail != nil {
		if err := r.fail(r.n); err != nil {
			return err
		}
	}
	r.sent = append(r.sent, m)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sent)
}

type outboxFixture struct {
	store *ddb.Store
	snd   *recorder
	svc   *outbox.Service
	now   time.Time
}

func newOutbox(t *testing.T) *outboxFixture {
	f := &outboxFixture{store: newStore(t), snd: &recorder{}, now: time.Now().UTC()}
	f.svc = &outbox.Service{Store: f.store, Mail: f.snd, Links: mail.Links{Portal: "https://portal.example", Confirm: "https://api.example"}, Now: func() time.Time { return f.now }}
	return f
}

// queue commits one e-mail to address and returns its id.
func (f *outboxFixture) queue(t *testing.T, to string, stranger bool) string {
	t.Helper()
	m := outbox.New(mail.Envelope{Kind: mail.AccountExists, To: to, Lang: "en", Link: "/password-reset", Stranger: stranger}, nil, f.now)
	if err := f.store.QueueMail(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func (f *outboxFixture) state(t *testing.T, id string) outbox.Mail {
	t.Helper()
	m, found, err := f.store.GetMail(context.Background(), id)
	if err != nil || !found {
		t.Fatalf("outbox item %s: %v %v", id, found, err)
	}
	return m
}

// TestOutboxSendsOnce: a delivered item is sent once, however often its record comes
// again, and keeps no body afterwards.
func TestOutboxSendsOnce(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	f := newOutbox(t)
	id := f.queue(t, "ana@example.org", false)
	for i := 0; i < 3; i++ {
		if err := f.svc.Deliver(ctx, id); err != nil {
			t.Fatalf("delivery %d: %v", i, err)
		}
	}
	if f.snd.count() != 1 || f.snd.sent[0].To != "ana@example.org" {
		t.Fatalf("sent %d: %+v", f.snd.count(), f.snd.sent)
	}
	if m := f.state(t, id); m.State != outbox.Sent || m.Envelope.To != "" {
		t.Fatalf("after the send: %+v", m)
	}
	if err := f.svc.Deliver(ctx, "o-unknown"); err != nil {
		t.Fatalf("an unknown id: %v", err)
	}
}

// TestOutboxConcurrentDeliveries: the same record handed to 8 senders at once is sent
// exactly once; the others are told to retry (or find it done).
func TestOutboxConcurrentDeliveries(t *testing.T) {
	ctx := context.Background()
	f := newOutbox(t)
	id := f.queue(t, "ion@example.org", false)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); _ = f.svc.Deliver(ctx, id) }()
	}
	wg.Wait()
	if f.snd.count() != 1 {
		t.Fatalf("sent %d times", f.snd.count())
	}
}

// TestOutboxFailures: throttling leaves the item pending for a retry; a rejection and a
// suppressed address are final, with the reason on the item and, for a notification,
// on the notification; the daily quota stops with ErrQuota and releases the claim.
func TestOutboxFailures(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	f := newOutbox(t)

	throttled := f.queue(t, "busy@example.org", false)
	f.snd.fail = func(int) error { return fmt.Errorf("%w (TooManyRequests)", outbox.ErrThrottled) }
	if err := f.svc.Deliver(ctx, throttled); !errors.Is(err, outbox.ErrRetry) {
		t.Fatalf("throttled: %v", err)
	}
	if m := f.state(t, throttled); m.State != outbox.Pending {
		t.Fatalf("throttled item: %+v", m)
	}
	f.snd.fail = nil
	if err := f.svc.Deliver(ctx, throttled); err != nil || f.snd.count() != 1 {
		t.Fatalf("the retry after throttling: %v, sent %d", err, f.snd.count())
	}

	quota := f.queue(t, "many@example.org", false)
	f.snd.fail = func(int) error { return fmt.Errorf("%w (LimitExceeded)", outbox.ErrQuota) }
	if err := f.svc.Deliver(ctx, quota); !errors.Is(err, outbox.ErrQuota) {
		t.Fatalf("quota: %v", err)
	}
	if m := f.state(t, quota); m.State != outbox.Pending {
		t.Fatalf("quota item not released: %+v", m)
	}

	// A rejected notification e-mail: failed on the item and on the notification.
	f.snd.fail = func(int) error { return fmt.Errorf("%w: MessageRejected", outbox.ErrRejected) }
	n := notify.New(notify.Recipient{MemberID: "m-1", FirstName: "Ana", Email: "ana@example.org", Language: "ro", WantsEmail: true},
		notify.KindContactRequest, notify.Subject{Type: notify.SubjectContactRequest, ID: "r-1"}, nil, f.now)
	if err := f.store.AddNotifications(ctx, n); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Deliver(ctx, n.Email.ID); err != nil {
		t.Fatal(err)
	}
	if m := f.state(t, n.Email.ID); m.State != outbox.Failed || m.Reason == "" {
		t.Fatalf("rejected item: %+v", m)
	}
	got, found, err := f.store.MarkNotificationRead(ctx, "m-1", n.ID)
	if err != nil || !found || got.Mail != notify.MailFailed {
		t.Fatalf("the notification's mail state: %+v %v %v", got, found, err)
	}

	// A suppressed address: nothing sent.
	f.snd.fail = nil
	sent := f.snd.count()
	if err := f.store.Suppress(ctx, "Bounced@Example.org", "bounce", f.now); err != nil {
		t.Fatal(err)
	}
	gone := f.queue(t, "bounced@example.org", false)
	if err := f.svc.Deliver(ctx, gone); err != nil {
		t.Fatal(err)
	}
	if m := f.state(t, gone); m.State != outbox.Suppressed || f.snd.count() != sent {
		t.Fatalf("suppressed: %+v, sent %d → %d", m, sent, f.snd.count())
	}
}

// TestOutboxStrangerLimits: mail a stranger can cause goes to one address at most
// PerHour times in an hour (and PerDay in a day); the rest is recorded as limited. Mail
// the recipient caused is not counted.
func TestOutboxStrangerLimits(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	f := newOutbox(t)
	f.now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) // one UTC day: hours 0 to 23
	var limited int
	for i := 0; i < outbox.PerHour+3; i++ {
		id := f.queue(t, "target@example.org", true)
		if err := f.svc.Deliver(ctx, id); err != nil {
			t.Fatal(err)
		}
		if f.state(t, id).State == outbox.Limited {
			limited++
		}
	}
	if f.snd.count() != outbox.PerHour || limited != 3 {
		t.Fatalf("sent %d, limited %d in one hour", f.snd.count(), limited)
	}
	if err := f.svc.Deliver(ctx, f.queue(t, "target@example.org", false)); err != nil || f.snd.count() != outbox.PerHour+1 {
		t.Fatalf("the member's own mail was limited: %v", err)
	}
	// Hour after hour, the day's limit holds.
	for h := 1; h < 6; h++ { // 4 full hours reach the day's limit
		f.now = f.now.Add(time.Hour)
		for i := 0; i < outbox.PerHour; i++ {
			if err := f.svc.Deliver(ctx, f.queue(t, "target@example.org", true)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if got := f.snd.count() - 1; got != outbox.PerDay {
		t.Fatalf("%d stranger e-mails in a day, want %d", got, outbox.PerDay)
	}
}

// TestOutboxLeaseTakeover: a sender that claimed an item and died leaves it claimed until
// the lease ends; a redelivery meanwhile waits (ErrRetry), after it sends.
func TestOutboxLeaseTakeover(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	f := newOutbox(t)
	id := f.queue(t, "late@example.org", false)
	if _, claimed, _, err := f.store.ClaimMail(ctx, id, f.now, f.now.Add(outbox.Lease)); err != nil || !claimed {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	if err := f.svc.Deliver(ctx, id); !errors.Is(err, outbox.ErrRetry) || f.snd.count() != 0 {
		t.Fatalf("during the lease: %v, sent %d", err, f.snd.count())
	}
	f.now = f.now.Add(outbox.Lease + time.Second)
	if err := f.svc.Deliver(ctx, id); err != nil || f.snd.count() != 1 {
		t.Fatalf("after the lease: %v, sent %d", err, f.snd.count())
	}
}

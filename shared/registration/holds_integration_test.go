package registration_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"sync"
	"testing"
	"time"

	"etwin/infra/outboxtest"
	"etwin/infra/testenv"
	"etwin/shared/apperr"
	"etwin/shared/ddb"
	"etwin/shared/mail"
	"etwin/shared/registration"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// outbox records what the service hands to the mail port, so that a test can open the
// links it e-mails.
type outbox struct {
	mu    sync.Mutex
	sent  []mail.Message
	table string // whose outbox it delivers
}

func (o *outbox) Send(_ context.Context, m mail.Message) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	return nil
}

var linkToken = regexp.MustCompile(`token=([A-Za-z0-9_-]{43})`)

// lastToken is the token of the newest e-mail's link.
func (o *outbox) lastToken(t *testing.T) string {
	t.Helper()
	outboxtest.Deliver(t, o.table, o) // as the mail-sender does
	o.mu.Lock()
	defer o.mu.Unlock()
	if len(o.sent) == 0 {
		t.Fatal("no e-mail sent")
	}
	m := linkToken.FindStringSubmatch(o.sent[len(o.sent)-1].Text)
	if m == nil {
		t.Fatalf("no link in %q", o.sent[len(o.sent)-1].Text)
	}
	return m[1]
}

// clock is a settable Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

func service(t *testing.T) (*registration.Service, *outbox, *clock, *ddb.Store) {
	table := testenv.NewTable(t)
	st := ddb.New(testenv.DDB(), table)
	o := &outbox{table: table}
	c := &clock{now: time.Now().UTC()}
	return &registration.Service{Store: st, Now: c.Now}, o, c, st
}

func start(username, email string) registration.StartInput {
	return registration.StartInput{FirstName: "Ana", LastName: "Pop", Email: email, Username: username,
		Password: "a long and private passphrase", Language: "en"}
}

// TestRenewingDoesNotExtendTheHold: pre-registering again 71 h after the first request
// sends a fresh link, but the username is still free for anyone 72 h after the first
// request, and the fresh link then answers 410.
func TestRenewingDoesNotExtendTheHold(t *testing.T) {
	ctx := context.Background()
	svc, o, c, st := service(t)
	first := c.Now()
	if err := svc.Start(ctx, start("held.once", "ana@example.org")); err != nil {
		t.Fatal(err)
	}
	c.set(first.Add(71 * time.Hour))
	if err := svc.Start(ctx, start("Held.Once", "ana@example.org")); err != nil {
		t.Fatalf("renewal: %v", err)
	}
	renewed := o.lastToken(t)
	if _, err := svc.Read(ctx, renewed); err != nil {
		t.Fatalf("the renewed link: %v", err)
	}
	h, held, err := st.UsernameHold(ctx, "held.once")
	if err != nil || !held || h.Until.After(first.Add(registration.LinkLifetime)) {
		t.Fatalf("hold after the renewal: %+v %v %v, want it to end by %v", h, held, err, first.Add(registration.LinkLifetime))
	}
	c.set(first.Add(registration.LinkLifetime + time.Second))
	if _, err := svc.Read(ctx, renewed); apperr.StatusOf(err) != 410 {
		t.Fatalf("the renewed link after the first request's 72 h: %v, want 410", err)
	}
	if err := svc.Start(ctx, start("held.once", "ion@example.org")); err != nil {
		t.Fatalf("another address after the hold ended: %v", err)
	}
}

// TestSupersededLinkIsGone: once a pre-registration is renewed, its older link answers
// 410 on GET and on completion; the newest one works.
func TestSupersededLinkIsGone(t *testing.T) {
	ctx := context.Background()
	svc, o, _, _ := service(t)
	if err := svc.Start(ctx, start("superseded", "sup@example.org")); err != nil {
		t.Fatal(err)
	}
	older := o.lastToken(t)
	if err := svc.Start(ctx, start("superseded", "sup@example.org")); err != nil {
		t.Fatal(err)
	}
	newer := o.lastToken(t)
	if _, err := svc.Read(ctx, older); apperr.StatusOf(err) != 410 {
		t.Fatalf("GET of the superseded link: %v, want 410", err)
	}
	if v, err := svc.Read(ctx, newer); err != nil || v.Username != "superseded" {
		t.Fatalf("GET of the newest link: %+v %v", v, err)
	}
}

// TestAnAddressHoldsAtMostThreeUsernames: a fourth pending username of one address gets
// exactly the answer of a taken username; renewing one of the three still works, and a
// hold that ended makes room.
func TestAnAddressHoldsAtMostThreeUsernames(t *testing.T) {
	ctx := context.Background()
	svc, _, c, _ := service(t)
	first := c.Now()
	for i := 1; i <= registration.MaxPendingPerEmail; i++ {
		if err := svc.Start(ctx, start(fmt.Sprintf("three.%d", i), "three@example.org")); err != nil {
			t.Fatalf("username %d: %v", i, err)
		}
	}
	fourth := svc.Start(ctx, start("three.4", "three@example.org"))
	if err := svc.Start(ctx, start("taken.one", "other@example.org")); err != nil {
		t.Fatal(err)
	}
	taken := svc.Start(ctx, start("taken.one", "third@example.org"))
	fe, ok1 := apperr.As(fourth)
	te, ok2 := apperr.As(taken)
	if !ok1 || !ok2 || fe.Status != 409 || !reflect.DeepEqual(fe, te) {
		t.Fatalf("a fourth username answered %+v, a taken one %+v: want the same 409", fourth, taken)
	}
	c.set(first.Add(time.Hour))
	if err := svc.Start(ctx, start("THREE.2", "three@example.org")); err != nil {
		t.Fatalf("renewing at the limit: %v", err)
	}
	c.set(first.Add(registration.LinkLifetime))
	if err := svc.Start(ctx, start("three.4", "three@example.org")); err != nil {
		t.Fatalf("after the holds ended: %v", err)
	}
}

// TestThreePendingUnderConcurrency: eight pre-registrations of one address with eight
// usernames at once → exactly three are held, the others answer 409.
func TestThreePendingUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	svc, _, _, st := service(t)
	const n = 8
	errs := make([]error, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-gate
			errs[i] = svc.Start(ctx, start(fmt.Sprintf("crowd.%d", i), "crowd@example.org"))
		}(i)
	}
	close(gate)
	wg.Wait()
	accepted := 0
	for i, err := range errs {
		switch {
		case err == nil:
			accepted++
		case apperr.StatusOf(err) != 409:
			t.Fatalf("%d: %v", i, err)
		}
	}
	holders := 0
	for i := range errs {
		if h, held, err := st.UsernameHold(ctx, fmt.Sprintf("crowd.%d", i)); err != nil {
			t.Fatal(err)
		} else if held && h.Email == "crowd@example.org" {
			holders++
		}
	}
	if accepted != registration.MaxPendingPerEmail || holders != registration.MaxPendingPerEmail {
		t.Fatalf("%d accepted and %d usernames held of %d at once, want %d", accepted, holders, n, registration.MaxPendingPerEmail)
	}
}

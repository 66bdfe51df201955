package e2e

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/outbox"
)

// mailsTo counts the e-mails to addr captured since since.
func mailsTo(t *testing.T, addr string, since time.Time) int {
	t.Helper()
	ms, err := testenv.Mails(since)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		for _, to := range m.To {
			if to == addr {
				n++
			}
		}
	}
	return n
}

// settle waits until the count of e-mails to addr reaches want, then a little longer for
// any that should not come, and returns the count.
func settle(t *testing.T, addr string, since time.Time, want int) int {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for mailsTo(t, addr, since) < want && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // a duplicate would come in this time (the poller reads 4 times a second)
	return mailsTo(t, addr, since)
}

// TestEveryCauseMailsOnceThroughTheOutbox: registration, "you already have an account",
// password reset and a notification each arrive once, delivered from the outbox by the
// mail-sender off the table's stream.
func TestEveryCauseMailsOnceThroughTheOutbox(t *testing.T) {
	since := time.Now().Add(-time.Second)   // the count of e-mails to a since then grows by one a cause
	a := signUp(t, applicant{First: "Ana"}) // registration link (once: signUp reads it)
	if n := settle(t, a.Email, since, 1); n != 1 {
		t.Fatalf("registration: %d e-mails", n)
	}

	expect(t, call(t, "POST", "/v1/registrations", "", map[string]string{
		"firstName": "Ana", "lastName": "Pop", "email": a.Email, "username": unique("again"),
		"password": "correct horse battery", "language": "en"}), 202)
	if n := settle(t, a.Email, since, 2); n != 2 {
		t.Fatalf("account exists: %d e-mails in all", n)
	}

	expect(t, call(t, "POST", "/v1/password-resets", "", map[string]string{"email": a.Email}), 202)
	if n := settle(t, a.Email, since, 3); n != 3 {
		t.Fatalf("reset: %d e-mails in all", n)
	}

	b := newTeacher(t, "Ion", "ro")
	expect(t, call(t, "POST", "/v1/contacts/requests", b.Session, map[string]string{"memberId": a.ID}), 201)
	if n := settle(t, a.Email, since, 4); n != 4 {
		t.Fatalf("contact request notification: %d e-mails in all", n)
	}
}

// TestResetFloodMailsTheLimit: 60 reset requests for one address within a minute all
// answer 202, and the address gets outbox.PerHour e-mails, no more.
func TestResetFloodMailsTheLimit(t *testing.T) {
	since := time.Now().Add(-time.Second)
	a := signUp(t, applicant{First: "Ana"})
	settle(t, a.Email, since, 1) // the registration link (a registration counts towards the limit too)
	var wg sync.WaitGroup
	codes := make([]int, 60)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = call(t, "POST", "/v1/password-resets", "", map[string]string{"email": a.Email}).Status
		}()
		if i%10 == 9 {
			wg.Wait()
		}
	}
	wg.Wait()
	for i, c := range codes {
		if c != 202 {
			t.Fatalf("request %d answered %d", i, c)
		}
	}
	if n := settle(t, a.Email, since, outbox.PerHour); n != outbox.PerHour {
		t.Fatalf("%d e-mails in all, want the hour's limit %d", n, outbox.PerHour)
	}
}

// TestSuppressedAddressGetsNothing: an address on the suppression list (a bounce) gets no
// e-mail; the answer is the same.
func TestSuppressedAddressGetsNothing(t *testing.T) {
	a := signUp(t, applicant{First: "Ana"})
	store := ddb.New(testenv.DDB(), testenv.TableName())
	if err := store.Suppress(context.Background(), a.Email, "bounce", time.Now()); err != nil {
		t.Fatal(err)
	}
	since := time.Now().Add(-time.Minute)
	before := settle(t, a.Email, since, 1) // its registration link, sent before the bounce
	expect(t, call(t, "POST", "/v1/password-resets", "", map[string]string{"email": a.Email}), 202)
	// a control e-mail behind it shows the sender got that far
	b := signUp(t, applicant{First: "Ion"})
	expect(t, call(t, "POST", "/v1/password-resets", "", map[string]string{"email": b.Email}), 202)
	settle(t, b.Email, since, 2)
	if n := mailsTo(t, a.Email, since) - before; n != 0 {
		t.Fatalf("a suppressed address got %d e-mails", n)
	}
}

// TestSenderKilledMidBatchLosesNothing: the mail-sender is killed while it works through
// a burst of e-mails; after the stream's retry every e-mail has arrived exactly once.
func TestSenderKilledMidBatchLosesNothing(t *testing.T) {
	since := time.Now().Add(-time.Second)
	const n = 20
	addrs := make([]string, n)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("%s@example.org", unique("burst"))
	}
	var wg sync.WaitGroup
	for i, addr := range addrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			expect(t, call(t, "POST", "/v1/registrations", "", map[string]string{
				"firstName": "Burst", "lastName": "Test", "email": addr, "username": unique(fmt.Sprintf("b%d", i)),
				"password": "correct horse battery", "language": "en"}), 202)
		}()
	}
	// kill the sender as soon as the first of them arrived (the rest are in flight or queued)
	deadline := time.Now().Add(60 * time.Second)
	for mailsTo(t, addrs[0], since) == 0 && mailsTo(t, addrs[n-1], since) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	killed := testenv.KillFunction(t, "mail-sender")
	wg.Wait()
	t.Logf("killed %d mail-sender processes", killed)
	if killed == 0 {
		t.Fatal("no mail-sender process was running to kill")
	}
	deadline = time.Now().Add(60 * time.Second)
	for _, addr := range addrs {
		for mailsTo(t, addr, since) == 0 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(2 * time.Second) // a duplicate would come in this time
	for _, addr := range addrs {
		if got := mailsTo(t, addr, since); got != 1 {
			t.Errorf("%s: %d e-mails", addr, got)
		}
	}
}

// TestThrottledSESDeliversLater: SES answers "maximum sending rate exceeded" for a while
// (more throttled calls than the SDK's retries of one send); every e-mail is delivered
// later, once.
func TestThrottledSESDeliversLater(t *testing.T) {
	since := time.Now().Add(-time.Second)
	before := testenv.SESThrottled(t)
	testenv.ThrottleSES(t, 12) // the SDK tries a send 5 times: two whole sends and more fail
	addrs := make([]string, 3)
	for i := range addrs {
		addrs[i] = fmt.Sprintf("%s@example.org", unique("throttled"))
		expect(t, call(t, "POST", "/v1/registrations", "", map[string]string{
			"firstName": "Slow", "lastName": "Down", "email": addrs[i], "username": unique(fmt.Sprintf("t%d", i)),
			"password": "correct horse battery", "language": "en"}), 202)
	}
	deadline := time.Now().Add(90 * time.Second)
	for _, addr := range addrs {
		for mailsTo(t, addr, since) == 0 && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(2 * time.Second)
	for _, addr := range addrs {
		if got := mailsTo(t, addr, since); got != 1 {
			t.Errorf("%s: %d e-mails", addr, got)
		}
	}
	if n := testenv.SESThrottled(t) - before; n < 10 {
		t.Errorf("SES throttled only %d sends: the fault did not happen", n)
	}
}

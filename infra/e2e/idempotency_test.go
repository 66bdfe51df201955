package e2e

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/token"
)

// A retried write with the same Idempotency-Key and body gets the first answer again and
// does nothing twice; the same key with another body is refused naming the header.
func TestIdempotencyKeyReplaysPublicWrite(t *testing.T) {
	since := time.Now()
	u, mail := unique("idem."), unique("idem")+"@example.org"
	body := map[string]string{"firstName": "Ida", "lastName": "Marin", "email": mail, "username": u,
		"password": "a long and private passphrase", "language": "en"}
	key := map[string]string{"Idempotency-Key": token.ID("k")}
	first := expect(t, callWith(t, "POST", "/v1/registrations", "", body, key), 202)
	again := expect(t, callWith(t, "POST", "/v1/registrations", "", body, key), 202)
	if string(first.Raw) != string(again.Raw) || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %s / %s, header %q", first.Raw, again.Raw, again.Header.Get("Idempotent-Replayed"))
	}
	testenv.WaitMail(t, mail, since)
	time.Sleep(300 * time.Millisecond) // a second mail, if one was wrongly sent, has arrived by now
	mails, err := testenv.Mails(since)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range mails {
		if slices.Contains(m.To, mail) {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d registration e-mails for one idempotent request, want 1", n)
	}
	body["firstName"] = "Other"
	r := expect(t, callWith(t, "POST", "/v1/registrations", "", body, key), 422)
	if fmt.Sprint(fieldsOf(r)) != "[Idempotency-Key]" {
		t.Fatalf("fields %v", fieldsOf(r))
	}
	r = expect(t, callWith(t, "POST", "/v1/registrations", "", body, map[string]string{"Idempotency-Key": "has spaces in it"}), 400)
	if fmt.Sprint(fieldsOf(r)) != "[Idempotency-Key]" {
		t.Fatalf("fields %v", fieldsOf(r))
	}
}

// Keys belong to the member who sent them, and concurrent retries run the use case once.
func TestIdempotencyKeyProtectedAndConcurrent(t *testing.T) {
	since := time.Now()
	u, mail := unique("idemp-"), unique("idemp")+"@example.org"
	preRegister(t, "Paul", u, mail, "en")
	_, tok := linkToken(t, mail, since)
	expect(t, call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{
		"profile": profile(), "school": newSchoolBody("Școala "+unique(""), "Sibiu")}), 201)
	s := login(t, u)

	// Ten concurrent sends of one new-school request with one key: one school is added,
	// every answer is that first 201 or a 409 "still being processed".
	key := map[string]string{"Idempotency-Key": token.ID("k")}
	school := newSchoolBody("Colegiul "+unique(""), "Arad")
	var wg sync.WaitGroup
	statuses := make([]int, 10)
	ids := make([]string, 10)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := callWith(t, "POST", "/v1/me/schools", s, school, key)
			statuses[i] = r.Status
			if id, ok := r.JSON["schoolId"].(string); ok {
				ids[i] = id
			}
		}()
	}
	wg.Wait()
	var created []string
	for i, st := range statuses {
		switch st {
		case 201:
			created = append(created, ids[i])
		case 409:
		default:
			t.Fatalf("status %d among concurrent retries", st)
		}
	}
	r := expect(t, call(t, "GET", "/v1/me", s, nil), 200)
	if got := len(r.JSON["schools"].([]any)); got != 2 {
		t.Fatalf("%d schools after concurrent retries of one request, want 2", got)
	}
	if len(created) == 0 || slices.ContainsFunc(created, func(id string) bool { return id != created[0] }) {
		t.Fatalf("the retries answered different schools: %v", created)
	}
	// A later retry replays the same answer.
	r = expect(t, callWith(t, "POST", "/v1/me/schools", s, school, key), 201)
	if r.JSON["schoolId"] != created[0] || r.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("late retry: %s", r.Raw)
	}
}

// Two members who happen to send the same Idempotency-Key with the same body each get
// their own result: keys are scoped to the signed-in member, never shared.
func TestIdempotencyKeyIsPerMember(t *testing.T) {
	ana, bob := signUp(t, applicant{First: "Ana"}), signUp(t, applicant{First: "Bob"})
	key := map[string]string{"Idempotency-Key": token.ID("shared")}
	patch := map[string]any{"preferences": map[string]any{"emailNotifications": false}}
	for _, who := range []signedUp{ana, bob, ana, bob} {
		r := expect(t, callWith(t, "PATCH", "/v1/me", who.Session, patch, key), 200)
		if r.JSON["memberId"] != who.ID {
			t.Fatalf("%s got the answer of member %v", who.ID, r.JSON["memberId"])
		}
	}
}

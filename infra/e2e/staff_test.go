package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"etwin/infra/demo"
	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/staff"
)

// staffAccount creates a staff account the way the operator command does (straight in the
// table, with a password) and signs it in: role "css", or "nso" with a country.
func staffAccount(t *testing.T, role, country string) (session, memberID string) {
	t.Helper()
	store := ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())
	u := unique(role + "-")
	m, err := demo.CreateStaff(context.Background(), store, staff.Input{Username: u, Email: u + "@staff.example.org",
		FirstName: "Staff", LastName: strings.ToUpper(role), Role: role, Country: country, Language: "en"}, demo.Password)
	if err != nil {
		t.Fatalf("creating a %s account: %v", role, err)
	}
	r := expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": u, "password": demo.Password}), 201)
	return r.JSON["token"].(string), m.MemberID
}

// teacherAccount registers a teacher through the API with a new school in country and
// signs them in.
func teacherAccount(t *testing.T, first, country string) (session, memberID, schoolID string) {
	t.Helper()
	m := signUp(t, applicant{First: first, Country: country})
	return m.Session, m.ID, m.SchoolID
}

// A CSS account creates an NSO account; the new member chooses a password from the
// e-mailed link and signs in; nobody else may create staff.
func TestStaffAccounts(t *testing.T) {
	css, _ := staffAccount(t, "css", "")
	since := time.Now()
	u, mail := unique("nso-"), unique("nso")+"@example.ro"
	body := map[string]any{"username": u, "email": mail, "firstName": "Ioana", "lastName": "Marin", "role": "nso", "country": "RO", "language": "ro"}
	r := expect(t, call(t, "POST", "/v1/staff", css, body), 201)
	if r.JSON["role"] != "nso" || r.JSON["country"] != "RO" || r.JSON["username"] != u || r.JSON["memberId"] == "" {
		t.Fatalf("created: %s", r.Raw)
	}
	// No password yet: signing in fails until the link is used.
	expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": u, "password": demo.Password}), 401)
	subject, tok := linkToken(t, mail, since)
	if !strings.Contains(subject, "eTwinning") {
		t.Errorf("welcome subject %q", subject)
	}
	expect(t, call(t, "POST", "/v1/password-resets/"+tok, "", map[string]string{"password": "the nso's own passphrase"}), 204)
	nso := expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": u, "password": "the nso's own passphrase"}), 201).JSON["token"].(string)
	me := expect(t, call(t, "GET", "/v1/me", nso, nil), 200)
	if me.JSON["role"] != "nso" {
		t.Fatalf("/me of the nso: %s", me.Raw)
	}

	// The same username or address again → 409 naming the field.
	dup := map[string]any{"username": strings.ToUpper(u), "email": unique("x") + "@example.ro", "firstName": "A", "lastName": "B", "role": "css", "language": "en"}
	if got := fieldsOf(expect(t, call(t, "POST", "/v1/staff", css, dup), 409)); fmt.Sprint(got) != "[username]" {
		t.Fatalf("duplicate username fields %v", got)
	}
	dup = map[string]any{"username": unique("y"), "email": strings.ToUpper(mail), "firstName": "A", "lastName": "B", "role": "css", "language": "en"}
	if got := fieldsOf(expect(t, call(t, "POST", "/v1/staff", css, dup), 409)); fmt.Sprint(got) != "[email]" {
		t.Fatalf("duplicate e-mail fields %v", got)
	}

	// Only CSS accounts create staff.
	teacher, _, _ := teacherAccount(t, "Tudor", "RO")
	ok := map[string]any{"username": unique("z"), "email": unique("z") + "@example.org", "firstName": "A", "lastName": "B", "role": "css", "language": "en"}
	expect(t, call(t, "POST", "/v1/staff", teacher, ok), 403)
	expect(t, call(t, "POST", "/v1/staff", nso, ok), 403)
	expect(t, call(t, "POST", "/v1/staff", "", ok), 401)

	// Bad input names the field.
	for _, c := range []struct {
		body   any
		status int
		fields string
	}{
		{map[string]any{"username": unique("a"), "email": unique("a") + "@x.org", "firstName": "A", "lastName": "B", "role": "admin", "language": "en"}, 422, "[role]"},
		{map[string]any{"username": unique("a"), "email": unique("a") + "@x.org", "firstName": "A", "lastName": "B", "role": "nso", "language": "en"}, 422, "[country]"},
		{map[string]any{"username": unique("a"), "email": unique("a") + "@x.org", "firstName": "A", "lastName": "B", "role": "css", "country": "RO", "language": "en"}, 422, "[country]"},
		{map[string]any{"username": "x", "email": "not-an-address", "firstName": "", "lastName": "B", "role": "css", "language": "xx"}, 422, "[username email firstName language]"},
		{map[string]any{"username": unique("a"), "email": unique("a") + "@x.org", "firstName": "A", "lastName": "B", "role": "css", "language": "en", "isAdmin": true}, 400, "[isAdmin]"},
		{map[string]any{"username": 7, "email": unique("a") + "@x.org", "firstName": "A", "lastName": "B", "role": "css", "language": "en"}, 400, "[username]"},
		{`{"username": "a",`, 400, "[body]"},
		{`{"username":"` + strings.Repeat("a", 70000) + `"}`, 413, "[]"},
	} {
		r := expect(t, call(t, "POST", "/v1/staff", css, c.body), c.status)
		if got := fmt.Sprint(fieldsOf(r)); got != c.fields {
			t.Errorf("%v: fields %s, want %s", c.body, got, c.fields)
		}
	}
}

// TestStaffInvitationState: GET /v1/staff/{memberId} shows where the welcome e-mail is —
// sent once delivered, suppressed (with the reason) for an address that bounced before —
// to CSS accounts only.
func TestStaffInvitationState(t *testing.T) {
	css, _ := staffAccount(t, "css", "")
	store := ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())
	invite := func(email string) string {
		body := map[string]any{"username": unique("nso-"), "email": email, "firstName": "Ioana", "lastName": "Marin",
			"role": "nso", "country": "RO", "language": "ro"}
		r := expect(t, call(t, "POST", "/v1/staff", css, body), 201)
		if inv, _ := r.JSON["invitation"].(map[string]any); inv["mail"] != "pending" {
			t.Fatalf("created: %s", r.Raw)
		}
		return r.JSON["memberId"].(string)
	}
	waitState := func(id, want string) map[string]any {
		deadline := time.Now().Add(60 * time.Second)
		for {
			r := expect(t, call(t, "GET", "/v1/staff/"+id, css, nil), 200)
			inv, _ := r.JSON["invitation"].(map[string]any)
			if inv["mail"] == want {
				return inv
			}
			if time.Now().After(deadline) {
				t.Fatalf("invitation of %s: %s, want %s", id, r.Raw, want)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	sent := invite(unique("nso") + "@example.ro")
	waitState(sent, "sent")

	bounced := unique("bounced") + "@example.ro"
	if err := store.Suppress(context.Background(), bounced, "bounce", time.Now()); err != nil {
		t.Fatal(err)
	}
	if inv := waitState(invite(bounced), "suppressed"); inv["reason"] == "" || inv["reason"] == nil {
		t.Errorf("no reason: %v", inv)
	}

	teacher, teacherID, _ := teacherAccount(t, "Ana", "RO")
	expect(t, call(t, "GET", "/v1/staff/"+sent, teacher, nil), 403)
	expect(t, call(t, "GET", "/v1/staff/"+teacherID, css, nil), 404)
	expect(t, call(t, "GET", "/v1/staff/m-unknown", css, nil), 404)
}

package e2e

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"etwin/infra/testenv"
)

// The abuse rules of issue 8 that keep the answers identical: names that could break an
// e-mail or reorder text are refused, only a member's newest reset link works, a
// pre-registration's superseded link is gone, and one address holds at most three pending
// usernames.

var (
	resetLink    = regexp.MustCompile(`/password-reset\?token=([A-Za-z0-9_-]{43})`)
	registerLink = regexp.MustCompile(`/register\?token=([A-Za-z0-9_-]{43})`)
)

// waitTokens waits until n distinct tokens of links matching link have been e-mailed to
// addr since the given time and returns them, oldest first.
func waitTokens(t *testing.T, addr string, link *regexp.Regexp, since time.Time, n int) []string {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		mails, err := testenv.Mails(since)
		if err != nil {
			t.Fatal(err)
		}
		var toks []string
		for _, m := range mails {
			if !slices.Contains(m.To, addr) {
				continue
			}
			if match := link.FindStringSubmatch(m.Text); match != nil && !slices.Contains(toks, match[1]) {
				toks = append(toks, match[1])
			}
		}
		if len(toks) >= n {
			return toks
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d links e-mailed to %s", len(toks), n, addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// badNames break a line, control the terminal, hide text or reorder it.
var badNames = []string{"Popescu\nYour account is suspended: call +40 000 000", "Popescu\r\nBcc: all@example.org",
	"Pop\u2028escu", "Pop\u2029escu", "Pop\u0085escu", "Pop\x00escu", "\u202eucsepoP", "Pop\u202aescu", "Pop\u2066escu\u2069",
	"Pop\u200fescu", "Pop\u061cescu", "Pop\u200bescu", "\ufeffPopescu"}

// TestBadNamesAre422: registration, PATCH /v1/me and POST /v1/staff refuse such names
// with a 422 naming the field.
func TestBadNamesAre422(t *testing.T) {
	teacher := signUp(t, applicant{First: "Nadia"})
	css, _ := staffAccount(t, "css", "")
	for _, bad := range badNames {
		for _, field := range []string{"firstName", "lastName"} {
			reg := map[string]string{"firstName": "Nadia", "lastName": "Popescu", "email": unique("bad") + "@example.org",
				"username": unique("bad."), "password": "a long and private passphrase", "language": "en"}
			reg[field] = bad
			r := expect(t, call(t, "POST", "/v1/registrations", "", reg), 422)
			if fmt.Sprint(fieldsOf(r)) != "["+field+"]" {
				t.Errorf("registration with %s %q: fields %v", field, bad, fieldsOf(r))
			}
			r = expect(t, call(t, "PATCH", "/v1/me", teacher.Session, map[string]string{field: bad}), 422)
			if fmt.Sprint(fieldsOf(r)) != "["+field+"]" {
				t.Errorf("PATCH /v1/me with %s %q: fields %v", field, bad, fieldsOf(r))
			}
			u := unique("nso-")
			body := map[string]any{"username": u, "email": u + "@example.ro", "firstName": "Ioana", "lastName": "Marin",
				"role": "nso", "country": "RO", "language": "ro"}
			body[field] = bad
			r = expect(t, call(t, "POST", "/v1/staff", css, body), 422)
			if fmt.Sprint(fieldsOf(r)) != "["+field+"]" {
				t.Errorf("POST /v1/staff with %s %q: fields %v", field, bad, fieldsOf(r))
			}
		}
	}
	r := expect(t, call(t, "GET", "/v1/me", teacher.Session, nil), 200)
	if r.JSON["lastName"] != "Popescu" {
		t.Fatalf("the name changed: %s", r.Raw)
	}
}

// TestOnlyTheNewestResetLinkWorks: a second reset request voids the first link (410, as
// a used one), the second works once, and afterwards no link of the member works.
func TestOnlyTheNewestResetLinkWorks(t *testing.T) {
	m := signUp(t, applicant{First: "Sorin"})
	since := time.Now()
	expect(t, call(t, "POST", "/v1/password-resets", "", map[string]string{"email": m.Email}), 202)
	older := waitTokens(t, m.Email, resetLink, since, 1)[0]
	expect(t, call(t, "POST", "/v1/password-resets", "", map[string]string{"email": m.Email}), 202)
	toks := waitTokens(t, m.Email, resetLink, since, 2)
	newer := toks[len(toks)-1]
	expect(t, call(t, "POST", "/v1/password-resets/"+older, "", map[string]string{"password": "the older link's passphrase"}), 410)
	expect(t, call(t, "POST", "/v1/password-resets/"+newer, "", map[string]string{"password": "the newer link's passphrase"}), 204)
	for _, tok := range []string{older, newer} {
		expect(t, call(t, "POST", "/v1/password-resets/"+tok, "", map[string]string{"password": "one passphrase too many"}), 410)
	}
	expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": m.Username, "password": "the older link's passphrase"}), 401)
	expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": m.Username, "password": "the newer link's passphrase"}), 201)
}

// TestConcurrentResetRequestsLeaveOneLink: two reset requests for one address at once →
// two identical 202s, two e-mails, and exactly one of their links sets the password.
func TestConcurrentResetRequestsLeaveOneLink(t *testing.T) {
	m := signUp(t, applicant{First: "Vlad"})
	since := time.Now()
	var wg sync.WaitGroup
	replies := make([]reply, 2)
	gate := make(chan struct{})
	for i := range replies {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-gate
			replies[i] = call(t, "POST", "/v1/password-resets", "", map[string]string{"email": m.Email})
		}(i)
	}
	close(gate)
	wg.Wait()
	if replies[0].Status != 202 || replies[1].Status != 202 || string(replies[0].Raw) != string(replies[1].Raw) {
		t.Fatalf("answers %d %s / %d %s", replies[0].Status, replies[0].Raw, replies[1].Status, replies[1].Raw)
	}
	toks := waitTokens(t, m.Email, resetLink, since, 2)
	codes := map[int]int{}
	for i, tok := range toks {
		codes[call(t, "POST", "/v1/password-resets/"+tok, "", map[string]string{"password": fmt.Sprintf("passphrase number %d", i)}).Status]++
	}
	if codes[204] != 1 || codes[410] != 1 {
		t.Fatalf("the two links answered %v, want one 204 and one 410", codes)
	}
}

// TestSupersededRegistrationLinkIsGone: pre-registering again sends a fresh link; the
// older one answers 410 on GET and on completion, the fresh one works.
func TestSupersededRegistrationLinkIsGone(t *testing.T) {
	u, addr := unique("renew."), unique("renew")+"@example.org"
	since := time.Now()
	preRegister(t, "Irina", u, addr, "en")
	older := waitTokens(t, addr, registerLink, since, 1)[0]
	preRegister(t, "Irina", u, addr, "en")
	toks := waitTokens(t, addr, registerLink, since, 2)
	newer := toks[len(toks)-1]
	expect(t, call(t, "GET", "/v1/registrations/"+older, "", nil), 410)
	if r := expect(t, call(t, "GET", "/v1/registrations/"+newer, "", nil), 200); r.JSON["username"] != u {
		t.Fatalf("the fresh link: %s", r.Raw)
	}
	expect(t, call(t, "POST", "/v1/registrations/"+older+"/complete", "", map[string]any{
		"profile": profile(), "school": newSchoolBody("Școala Reînnoirii "+unique(""), "Bacău")}), 410)
	expect(t, call(t, "POST", "/v1/registrations/"+newer+"/complete", "", map[string]any{
		"profile": profile(), "school": newSchoolBody("Școala Reînnoirii "+unique(""), "Bacău")}), 201)
	expect(t, call(t, "GET", "/v1/registrations/"+older, "", nil), 410)
}

// TestThreePendingUsernamesPerAddress: eight pre-registrations of one address with eight
// usernames at once → three 202s, and five 409s that are byte for byte the answer to a
// taken username; renewing one of the three still works, a fourth still does not.
func TestThreePendingUsernamesPerAddress(t *testing.T) {
	base, addr := unique("trio"), unique("trio")+"@example.org"
	body := func(username, email string) map[string]string {
		return map[string]string{"firstName": "Trio", "lastName": "Popescu", "email": email, "username": username,
			"password": "a long and private passphrase", "language": "en"}
	}
	const n = 8
	replies := make([]reply, n)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range replies {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-gate
			replies[i] = call(t, "POST", "/v1/registrations", "", body(fmt.Sprintf("%s.%d", base, i), addr))
		}(i)
	}
	close(gate)
	wg.Wait()
	held := unique("held.")
	preRegister(t, "Other", held, unique("other")+"@example.org", "en")
	taken := expect(t, call(t, "POST", "/v1/registrations", "", body(held, unique("third")+"@example.org")), 409)
	var accepted []string
	for i, r := range replies {
		switch r.Status {
		case 202:
			accepted = append(accepted, fmt.Sprintf("%s.%d", base, i))
		case 409:
			if string(r.Raw) != string(taken.Raw) {
				t.Errorf("a refused fourth username answered %s, a taken username %s", r.Raw, taken.Raw)
			}
		default:
			t.Fatalf("pre-registration %d: %d %s", i, r.Status, r.Raw)
		}
	}
	if len(accepted) != 3 {
		t.Fatalf("%d of %d pending usernames accepted for one address, want 3", len(accepted), n)
	}
	expect(t, call(t, "POST", "/v1/registrations", "", body(strings.ToUpper(accepted[1]), addr)), 202)
	expect(t, call(t, "POST", "/v1/registrations", "", body(base+".extra", addr)), 409)
	// Another address may still use a username the full address was refused.
	for i, r := range replies {
		if r.Status == 409 {
			preRegister(t, "Else", fmt.Sprintf("%s.%d", base, i), unique("else")+"@example.org", "en")
			break
		}
	}
}

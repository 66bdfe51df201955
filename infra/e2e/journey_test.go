package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/token"
)

// unique makes names that do not clash between tests sharing one table.
func unique(prefix string) string { return prefix + strings.ToLower(token.ID(""))[:10] }

func preRegister(t *testing.T, first, username, email, lang string) {
	t.Helper()
	expect(t, call(t, "POST", "/v1/registrations", "", map[string]string{
		"firstName": first, "lastName": "Popescu", "email": email, "username": username,
		"password": "a long and private passphrase", "language": lang}), 202)
}

func profile() map[string]any {
	return map[string]any{"role": "teacher", "subjects": []string{"mathematics", "ict"}, "ageGroups": []string{"12-15"},
		"projectExperience": "some", "interests": []string{"stem"}, "languages": []string{"ro", "en"}, "projectIdeas": "Water around us"}
}

func newSchoolBody(name, city string) map[string]any {
	return map[string]any{"name": name, "country": "RO", "city": city, "address": "Strada Arcu 4", "postalCode": "700125",
		"schoolType": "upper_secondary", "phone": "+40 232 000 000", "email": "office@example.ro", "headTeacher": "Maria Ionescu", "pupils": 850}
}

// applicant is who signUp registers; empty fields take defaults (an RO school in Iași,
// the profile() of these tests, English).
type applicant struct {
	First, Last, Lang, Country, School string
	Profile                            map[string]any
}

// signedUp is a teacher registered through the API and signed in.
type signedUp struct {
	ID, Session, Email, Username, SchoolID string
}

// signUp registers a teacher the way a person does (pre-registration, the e-mailed link,
// the form with a new school) and signs them in. Every e2e helper that needs a teacher
// goes through it.
func signUp(t *testing.T, a applicant) signedUp {
	t.Helper()
	if a.Last == "" {
		a.Last = "Popescu"
	}
	if a.Lang == "" {
		a.Lang = "en"
	}
	if a.School == "" {
		a.School = "School " + unique("")
	}
	if a.Profile == nil {
		a.Profile = profile()
	}
	since := time.Now()
	u, addr := unique("t."), unique("t")+"@example.org"
	expect(t, call(t, "POST", "/v1/registrations", "", map[string]string{
		"firstName": a.First, "lastName": a.Last, "email": addr, "username": u,
		"password": "a long and private passphrase", "language": a.Lang}), 202)
	_, tok := linkToken(t, addr, since)
	sc := newSchoolBody(a.School, "Town "+unique(""))
	if a.Country != "" {
		sc["country"] = a.Country
	}
	r := expect(t, call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{"profile": a.Profile, "school": sc}), 201)
	return signedUp{ID: r.JSON["memberId"].(string), Session: login(t, u), Email: addr, Username: u, SchoolID: r.JSON["schoolId"].(string)}
}

func login(t *testing.T, username string) string {
	t.Helper()
	r := expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": username, "password": "a long and private passphrase"}), 201)
	return r.JSON["token"].(string)
}

// TestRegistrationJourney is the foundation issue's journey: pre-register, read the
// e-mail from the local SES, follow the link, complete with a new school, a second
// teacher joins it, log in, /me, wrong case refused, logout kills the token.
func TestRegistrationJourney(t *testing.T) {
	since := time.Now()
	ana, anaMail := unique("Ana."), unique("ana")+"@example.org"
	preRegister(t, "Ana", ana, anaMail, "ro")
	subject, tok := linkToken(t, anaMail, since)
	if !strings.Contains(subject, "înregistrarea") {
		t.Errorf("a Romanian speaker got the subject %q", subject)
	}
	r := expect(t, call(t, "GET", "/v1/registrations/"+tok, "", nil), 200)
	if r.JSON["username"] != ana || r.JSON["email"] != anaMail || r.JSON["firstName"] != "Ana" {
		t.Fatalf("form data: %s", r.Raw)
	}
	schoolName := "Liceul Teoretic „Ștefan cel Mare” " + unique("")
	r = expect(t, call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{
		"profile": profile(), "school": newSchoolBody(schoolName, "Iași")}), 201)
	anaID, schoolID := r.JSON["memberId"].(string), r.JSON["schoolId"].(string)
	// The link is spent.
	expect(t, call(t, "GET", "/v1/registrations/"+tok, "", nil), 410)
	expect(t, call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{"profile": profile(), "school": map[string]any{"existingSchoolId": schoolID}}), 410)

	// The school is found by a name typed without diacritics.
	words := strings.Fields(schoolName)
	r = expect(t, call(t, "GET", "/v1/schools?q="+url.QueryEscape("stefan "+words[len(words)-1])+"&country=RO", "", nil), 200)
	if items := r.JSON["items"].([]any); len(items) != 1 || items[0].(map[string]any)["schoolId"] != schoolID {
		t.Fatalf("school search: %s", r.Raw)
	}

	// A second teacher: registering the same school again is refused with a pointer to it.
	since = time.Now()
	ion, ionMail := unique("ion_"), unique("ion")+"@example.org"
	preRegister(t, "Ion", ion, ionMail, "en")
	subject, tok2 := linkToken(t, ionMail, since)
	if !strings.Contains(subject, "registration") {
		t.Errorf("an English speaker got the subject %q", subject)
	}
	dup := newSchoolBody(strings.ToUpper("Liceul Teoretic Stefan cel Mare "+words[len(words)-1]), "IASI")
	r = expect(t, call(t, "POST", "/v1/registrations/"+tok2+"/complete", "", map[string]any{"profile": profile(), "school": dup}), 409)
	if r.JSON["schoolId"] != schoolID {
		t.Fatalf("the duplicate does not point at the registered school: %s", r.Raw)
	}
	r = expect(t, call(t, "POST", "/v1/registrations/"+tok2+"/complete", "", map[string]any{
		"profile": profile(), "school": map[string]any{"existingSchoolId": schoolID}}), 201)
	if r.JSON["schoolId"] != schoolID {
		t.Fatalf("joined another school: %s", r.Raw)
	}

	// Log in, /me, wrong case refused, logout kills the token.
	session := login(t, ana)
	r = expect(t, call(t, "GET", "/v1/me", session, nil), 200)
	if r.JSON["memberId"] != anaID || r.JSON["username"] != ana || r.JSON["role"] != "teacher" {
		t.Fatalf("/me: %s", r.Raw)
	}
	schools := r.JSON["schools"].([]any)
	if len(schools) != 1 || schools[0].(map[string]any)["schoolId"] != schoolID {
		t.Fatalf("/me schools: %s", r.Raw)
	}
	wrongCase := expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": strings.ToLower(ana), "password": "a long and private passphrase"}), 401)
	unknown := expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": unique("nobody"), "password": "a long and private passphrase"}), 401)
	if string(wrongCase.Raw) != string(unknown.Raw) {
		t.Errorf("wrong case and unknown user answer differently:\n%s\n%s", wrongCase.Raw, unknown.Raw)
	}
	expect(t, call(t, "GET", "/v1/schools/"+schoolID, session, nil), 200)
	expect(t, call(t, "DELETE", "/v1/sessions/current", session, nil), 204)
	expect(t, call(t, "GET", "/v1/me", session, nil), 401)
	expect(t, call(t, "GET", "/v1/schools/"+schoolID, "", nil), 401)
}

func TestProfileEditAndSecondSchool(t *testing.T) {
	since := time.Now()
	u, mail := unique("maria-"), unique("maria")+"@example.org"
	preRegister(t, "Maria", u, mail, "en")
	_, tok := linkToken(t, mail, since)
	r := expect(t, call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{
		"profile": profile(), "school": newSchoolBody("Școala Gimnazială "+unique(""), "Cluj-Napoca")}), 201)
	first := r.JSON["schoolId"].(string)
	s := login(t, u)
	r = expect(t, call(t, "PATCH", "/v1/me", s, map[string]any{"lastName": "Ionescu", "profile": map[string]any{"subjects": []string{"physics"}}}), 200)
	p := r.JSON["profile"].(map[string]any)
	if r.JSON["lastName"] != "Ionescu" || fmt.Sprint(p["subjects"]) != "[physics]" || fmt.Sprint(p["ageGroups"]) != "[12-15]" {
		t.Fatalf("patch: %s", r.Raw)
	}
	r = expect(t, call(t, "PATCH", "/v1/me", s, map[string]any{"profile": map[string]any{"ageGroups": []string{"adults"}}}), 422)
	if fmt.Sprint(fieldsOf(r)) != "[profile.ageGroups.0]" {
		t.Fatalf("bad patch fields: %v", fieldsOf(r))
	}
	r = expect(t, call(t, "POST", "/v1/me/schools", s, newSchoolBody("Colegiul Național "+unique(""), "Brașov")), 201)
	second := r.JSON["schoolId"].(string)
	expect(t, call(t, "POST", "/v1/me/schools", s, map[string]any{"existingSchoolId": first}), 409)
	r = expect(t, call(t, "GET", "/v1/me", s, nil), 200)
	if got := len(r.JSON["schools"].([]any)); got != 2 || second == first {
		t.Fatalf("schools after adding: %s", r.Raw)
	}
}

func TestPasswordResetEndsSessions(t *testing.T) {
	since := time.Now()
	u, mail := unique("elena."), unique("elena")+"@example.org"
	preRegister(t, "Elena", u, mail, "ro")
	_, tok := linkToken(t, mail, since)
	expect(t, call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{
		"profile": profile(), "school": newSchoolBody("Școala Resetării "+unique(""), "Sibiu")}), 201)
	s1, s2 := login(t, u), login(t, u)

	// Unknown and known addresses get the same answer.
	ghost := unique("ghost") + "@example.org"
	unknown := expect(t, call(t, "POST", "/v1/password-resets", "", map[string]string{"email": ghost}), 202)
	// The unknown address hears that no account uses it (the same work as a real reset,
	// so the timing tells nothing either), and gets no link.
	if m := testenv.WaitMail(t, ghost, since); !strings.Contains(m.Subject, "no eTwinning account") || tokenInLink.MatchString(m.Text) {
		t.Fatalf("mail to an unknown address: %q\n%s", m.Subject, m.Text)
	}
	since = time.Now()
	known := expect(t, call(t, "POST", "/v1/password-resets", "", map[string]string{"email": strings.ToUpper(mail)}), 202)
	if string(unknown.Raw) != string(known.Raw) {
		t.Fatalf("reset answers differ: %s / %s", unknown.Raw, known.Raw)
	}
	_, reset := linkToken(t, mail, since)
	r := expect(t, call(t, "POST", "/v1/password-resets/"+reset, "", map[string]string{"password": "short"}), 422)
	if fmt.Sprint(fieldsOf(r)) != "[password]" {
		t.Fatalf("fields %v", fieldsOf(r))
	}
	expect(t, call(t, "POST", "/v1/password-resets/"+reset, "", map[string]string{"password": "a brand new passphrase"}), 204)
	expect(t, call(t, "POST", "/v1/password-resets/"+reset, "", map[string]string{"password": "another new passphrase"}), 410)
	expect(t, call(t, "POST", "/v1/password-resets/"+token.New(), "", map[string]string{"password": "another new passphrase"}), 404)
	expect(t, call(t, "GET", "/v1/me", s1, nil), 401)
	expect(t, call(t, "GET", "/v1/me", s2, nil), 401)
	expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": u, "password": "a long and private passphrase"}), 401)
	expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": u, "password": "a brand new passphrase"}), 201)
}

func TestAccountExistsGetsSameAnswer(t *testing.T) {
	since := time.Now()
	u, mail := unique("dan."), unique("dan")+"@example.org"
	preRegister(t, "Dan", u, mail, "en")
	_, tok := linkToken(t, mail, since)
	expect(t, call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{
		"profile": profile(), "school": newSchoolBody("Școala Dublurilor "+unique(""), "Arad")}), 201)
	// The same address, a new username: 202 as for anyone, and an "already have an account" e-mail
	// (the second e-mail to the address).
	preRegister(t, "Dan", unique("dan2."), mail, "en")
	m := testenv.WaitMails(t, mail, since, 2)[1]
	if !strings.Contains(m.Subject, "already have") || tokenInLink.MatchString(m.Text) {
		t.Fatalf("expected the account-exists e-mail without a registration token: %q %s", m.Subject, m.Text)
	}
	// A username held by a member: 409 naming username.
	r := expect(t, call(t, "POST", "/v1/registrations", "", map[string]string{"firstName": "X", "lastName": "Y",
		"email": unique("x") + "@example.org", "username": strings.ToUpper(u), "password": "a long and private passphrase", "language": "en"}), 409)
	if fmt.Sprint(fieldsOf(r)) != "[username]" {
		t.Fatalf("fields %v", fieldsOf(r))
	}
}

// TestConcurrentPreRegistrations: 50 pre-registrations of one username in different cases
// at once → exactly one is accepted.
func TestConcurrentPreRegistrations(t *testing.T) {
	base := unique("race")
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			name := []rune(base)
			for j := range name {
				if (i>>(j%6))&1 == 1 {
					name[j] = []rune(strings.ToUpper(string(name[j])))[0]
				}
			}
			r := call(t, "POST", "/v1/registrations", "", map[string]string{"firstName": "R", "lastName": "C",
				"email": fmt.Sprintf("%s-%d@example.org", base, i), "username": string(name), "password": "a long and private passphrase", "language": "en"})
			mu.Lock()
			codes[r.Status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if codes[202] != 1 || codes[409] != 49 {
		t.Fatalf("answers %v, want one 202 and 49 409", codes)
	}
}

// TestConcurrentCompletions: 50 completions of one link at once → exactly one member.
func TestConcurrentCompletions(t *testing.T) {
	since := time.Now()
	u, mail := unique("rush."), unique("rush")+"@example.org"
	preRegister(t, "Rush", u, mail, "en")
	_, tok := linkToken(t, mail, since)
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{
				"profile": profile(), "school": newSchoolBody(fmt.Sprintf("Școala Grabei %s %d", u, i), "Iași")})
			mu.Lock()
			codes[r.Status]++
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if codes[201] != 1 || codes[201]+codes[410]+codes[409] != 50 {
		t.Fatalf("answers %v, want exactly one 201 and the rest 410/409", codes)
	}
}

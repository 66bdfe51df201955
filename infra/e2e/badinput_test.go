package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/token"
)

type badCase struct {
	name   string
	body   string
	status []int  // acceptable statuses
	field  string // a field the problem must name ("" = any)
}

// badBodies derives the refusals every JSON endpoint must give.
func badBodies(unknownEnumBody, enumField, wrongTypeBody, typeField, missingBody, missingField string) []badCase {
	return []badCase{
		{"malformed JSON", `{"a":`, []int{400}, "body"},
		{"not an object", `[]`, []int{400}, "body"},
		{"duplicate key", `{"x":1,"x":2}`, []int{400}, "x"},
		{"unknown field", `{"surprise":true}`, []int{400}, "surprise"},
		{"wrong type", wrongTypeBody, []int{400}, typeField},
		{"missing field", missingBody, []int{400, 422}, missingField},
		{"unknown enum", unknownEnumBody, []int{400, 422}, enumField},
		{"oversized", `{"x":"` + strings.Repeat("a", 70*1024) + `"}`, []int{413}, ""},
		{"empty body", ``, []int{400}, "body"},
	}
}

func TestBadInputEveryEndpoint(t *testing.T) {
	// A signed-in member for the protected endpoints, and a pending link for the link ones.
	since := time.Now()
	u, mail := unique("bad."), unique("bad")+"@example.org"
	preRegister(t, "Bad", u, mail, "en")
	_, regTok := linkToken(t, mail, since)
	r := expect(t, call(t, "POST", "/v1/registrations/"+regTok+"/complete", "", map[string]any{
		"profile": profile(), "school": newSchoolBody("Școala Intrărilor "+unique(""), "Iași")}), 201)
	_ = r
	session := login(t, u)
	since = time.Now()
	expect(t, call(t, "POST", "/v1/registrations", "", map[string]string{"firstName": "P", "lastName": "Q",
		"email": unique("p") + "@example.org", "username": unique("p."), "password": "a long and private passphrase", "language": "en"}), 202)

	endpoints := []struct {
		method, path string
		auth         bool
		cases        []badCase
	}{
		{"POST", "/v1/registrations", false, badBodies(
			`{"firstName":"A","lastName":"B","email":"a@example.org","username":"abc","password":"a long and private passphrase","language":"zz"}`, "language",
			`{"firstName":1}`, "firstName",
			`{"lastName":"B","email":"a@example.org","username":"abc","password":"a long and private passphrase","language":"en"}`, "firstName")},
		{"POST", "/v1/registrations/" + token.New() + "/complete", false, badBodies(
			`{"profile":{"role":"wizard","subjects":["ict"],"ageGroups":["7-11"],"projectExperience":"none","interests":["stem"],"languages":["en"]},"school":{"existingSchoolId":"s-1"}}`, "profile.role",
			`{"school":{"pupils":"many"}}`, "school.pupils",
			`{"school":{"existingSchoolId":"s-1"}}`, "profile")},
		{"POST", "/v1/sessions", false, badBodies(
			`{"username":"","password":"x"}`, "username",
			`{"username":["a"]}`, "username",
			`{"password":"x"}`, "username")},
		{"POST", "/v1/password-resets", false, badBodies(
			`{"email":"nope"}`, "email",
			`{"email":5}`, "email",
			`{}`, "email")},
		{"POST", "/v1/password-resets/" + token.New(), false, badBodies(
			`{"password":""}`, "password",
			`{"password":true}`, "password",
			`{}`, "password")},
		{"PATCH", "/v1/me", true, badBodies(
			`{"language":"klingon"}`, "language",
			`{"profile":{"subjects":"ict"}}`, "profile.subjects",
			`{}`, "body")},
		{"POST", "/v1/me/schools", true, badBodies(
			`{"name":"X","country":"ZZ","city":"C","address":"A","postalCode":"123","schoolType":"primary","phone":"0232000000","email":"s@example.org","headTeacher":"H","pupils":3}`, "country",
			`{"pupils":"3"}`, "pupils",
			`{"country":"RO","city":"C","address":"A","postalCode":"123","schoolType":"primary","phone":"0232000000","email":"s@example.org","headTeacher":"H","pupils":3}`, "name")},
	}
	for _, ep := range endpoints {
		for _, c := range ep.cases {
			t.Run(ep.method+" "+ep.path+" "+c.name, func(t *testing.T) {
				tok := ""
				if ep.auth {
					tok = session
				}
				r := call(t, ep.method, ep.path, tok, c.body)
				if !slices.Contains(c.status, r.Status) {
					t.Fatalf("status %d, want %v: %s", r.Status, c.status, r.Raw)
				}
				if c.field != "" && !slices.Contains(fieldsOf(r), c.field) {
					t.Fatalf("the problem names %v, not %q: %s", fieldsOf(r), c.field, r.Raw)
				}
			})
		}
		if ep.auth {
			t.Run(ep.method+" "+ep.path+" without a session", func(t *testing.T) {
				expect(t, call(t, ep.method, ep.path, "", `{}`), 401)
				expect(t, call(t, ep.method, ep.path, "m-x."+token.New(), `{}`), 401)
				expect(t, call(t, ep.method, ep.path, "garbage", `{}`), 401)
			})
		}
	}

	// Links and query parameters.
	expect(t, call(t, "GET", "/v1/registrations/"+token.New(), "", nil), 404)
	expect(t, call(t, "GET", "/v1/registrations/not-a-token", "", nil), 404)
	expect(t, call(t, "POST", "/v1/registrations/"+token.New()+"/complete", "", map[string]any{"profile": profile(), "school": map[string]any{"existingSchoolId": "s-1"}}), 404)
	for _, q := range []struct{ query, field string }{
		{"", "q"}, {"?q=a", "q"}, {"?q=liceul&country=XX", "country"}, {"?q=liceul&limit=0", "limit"},
		{"?q=liceul&limit=101", "limit"}, {"?q=liceul&limit=ten", "limit"}, {"?q=liceul&cursor=forged.cursor", "cursor"},
	} {
		r := expect(t, call(t, "GET", "/v1/schools"+q.query, "", nil), 400)
		if !slices.Contains(fieldsOf(r), q.field) {
			t.Errorf("GET /v1/schools%s names %v, want %s", q.query, fieldsOf(r), q.field)
		}
	}
	expect(t, call(t, "GET", "/v1/schools/s-nope", session, nil), 404)
	expect(t, call(t, "GET", "/v1/schools/"+strings.Repeat("x", 80), session, nil), 404)
	r = call(t, "POST", "/v1/registrations", "", `{"firstName":"A"}`)
	if r.Status >= 500 {
		t.Fatalf("5xx: %s", r.Raw)
	}
	r = expect(t, call(t, "GET", "/v1/vocabularies", "", nil), 200)
	for _, k := range []string{"roles", "ageGroups", "projectExperience", "schoolTypes", "subjects", "themes", "tools", "languages", "countries"} {
		if list, _ := r.JSON[k].([]any); len(list) == 0 {
			t.Errorf("vocabulary %s is empty", k)
		}
	}
	_ = fmt.Sprint
	_ = testenv.APIURL
}

// TestSchoolSearchPagination: every school exactly once across pages; a cursor of another
// search is refused.
func TestSchoolSearchPagination(t *testing.T) {
	word := "Zq" + strings.ToLower(unique(""))[:6]
	since := time.Now()
	u, mail := unique("pag."), unique("pag")+"@example.org"
	preRegister(t, "Pag", u, mail, "en")
	_, tok := linkToken(t, mail, since)
	expect(t, call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{
		"profile": profile(), "school": newSchoolBody("Școala "+word+" 0", "Iași")}), 201)
	s := login(t, u)
	for i := 1; i < 7; i++ {
		expect(t, call(t, "POST", "/v1/me/schools", s, newSchoolBody(fmt.Sprintf("Școala %s %d", word, i), "Iași")), 201)
	}
	seen := map[string]int{}
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		path := "/v1/schools?limit=2&q=" + strings.ToLower(word)
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r := expect(t, call(t, "GET", path, "", nil), 200)
		for _, it := range r.JSON["items"].([]any) {
			seen[it.(map[string]any)["schoolId"].(string)]++
		}
		next, _ := r.JSON["nextCursor"].(string)
		if next == "" {
			break
		}
		if pages == 0 {
			expect(t, call(t, "GET", "/v1/schools?limit=2&q=scoala&cursor="+next, "", nil), 400)
		}
		cursor = next
	}
	if len(seen) != 7 {
		t.Fatalf("saw %d schools, want 7: %v", len(seen), seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("school %s seen %d times", id, n)
		}
	}
}

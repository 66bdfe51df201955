package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// registerTeacher registers a teacher with a new school named schoolName in country and
// the profile prof, and signs them in.
func registerTeacher(t *testing.T, first, last, schoolName, country string, prof map[string]any) (id, session string) {
	t.Helper()
	m := signUp(t, applicant{First: first, Last: last, Country: country, School: schoolName, Profile: prof})
	return m.ID, m.Session
}

// searchIDs runs a search and returns the ids of the first page (at most 100).
func searchIDs(t *testing.T, session string, params url.Values) []string {
	t.Helper()
	params.Set("limit", "100")
	r := expect(t, call(t, "GET", "/v1/members?"+params.Encode(), session, nil), 200)
	var ids []string
	for _, it := range r.JSON["items"].([]any) {
		m := it.(map[string]any)
		if _, ok := m["email"]; ok {
			t.Errorf("a search hit shows an e-mail: %s", r.Raw)
		}
		ids = append(ids, m["memberId"].(string))
	}
	return ids
}

func TestFindETwinners(t *testing.T) {
	tag := unique("z") // a word only this test's schools have
	ana, anaS := registerTeacher(t, "Ana", "Ștefănescu", "Liceul Teoretic "+tag, "RO", profile())
	histProfile := map[string]any{"role": "head_teacher", "subjects": []string{"history"}, "ageGroups": []string{"7-11"},
		"projectExperience": "none", "interests": []string{"citizenship"}, "languages": []string{"fr"}}
	vlad, vladS := registerTeacher(t, "Vlad", "Țepeș", "Lycée Jean Moulin "+tag, "FR", histProfile)

	search := func(session string, kv ...string) []string {
		t.Helper()
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return searchIDs(t, session, v)
	}
	want := func(got []string, ids ...string) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Errorf("found %v, want %v", got, ids)
		}
	}
	// Names typed without diacritics, in any case, by word starts.
	want(search(vladS, "q", "Stefanescu "+tag), ana)
	want(search(vladS, "q", "STEF ana "+tag), ana)
	want(search(anaS, "q", "tepes "+tag), vlad)
	want(search(anaS, "q", "țep "+tag), vlad)
	want(search(anaS, "q", "moulin "+tag), vlad)
	want(search(anaS, "q", "lycee jean "+tag), vlad)
	want(search(anaS, "q", "tepes liceul "+tag))
	// Categories combine with AND.
	want(search(anaS, "q", tag, "country", "RO"), ana)
	want(search(anaS, "q", tag, "subject", "history", "ageGroup", "7-11", "language", "fr"), vlad)
	want(search(anaS, "q", tag, "subject", "history", "ageGroup", "12-15"))
	want(search(anaS, "q", tag, "schoolType", "upper_secondary", "interest", "stem"), ana)
	if got := search(anaS, "subject", "history", "country", "FR", "interest", "citizenship"); !contains(got, vlad) || contains(got, ana) {
		t.Errorf("filters only: %v", got)
	}
	r := expect(t, call(t, "GET", "/v1/members?q="+url.QueryEscape("tepes "+tag), anaS, nil), 200)
	hit := r.JSON["items"].([]any)[0].(map[string]any)
	if hit["firstName"] != "Vlad" || hit["lastName"] != "Țepeș" || hit["role"] != "head_teacher" ||
		hit["schools"].([]any)[0].(map[string]any)["country"] != "FR" {
		t.Errorf("hit: %s", r.Raw)
	}

	// Public profile: no e-mail; hidden lists left out and no longer searched.
	r = expect(t, call(t, "GET", "/v1/members/"+ana, vladS, nil), 200)
	if strings.Contains(string(r.Raw), "@") || r.JSON["email"] != nil || fmt.Sprint(r.JSON["subjects"]) != "[mathematics ict]" {
		t.Errorf("profile: %s", r.Raw)
	}
	r = expect(t, call(t, "PATCH", "/v1/me", anaS, map[string]any{"preferences": map[string]any{"hiddenFields": []string{"subjects", "languages"}, "emailNotifications": false}}), 200)
	if p := r.JSON["preferences"].(map[string]any); p["emailNotifications"] != false || fmt.Sprint(p["hiddenFields"]) != "[subjects languages]" {
		t.Errorf("preferences: %s", r.Raw)
	}
	r = expect(t, call(t, "GET", "/v1/members/"+ana, vladS, nil), 200)
	if _, ok := r.JSON["subjects"]; ok {
		t.Errorf("hidden subjects shown: %s", r.Raw)
	}
	if _, ok := r.JSON["languages"]; ok {
		t.Errorf("hidden languages shown: %s", r.Raw)
	}
	if fmt.Sprint(r.JSON["ageGroups"]) != "[12-15]" || fmt.Sprint(r.JSON["interests"]) != "[stem]" {
		t.Errorf("visible lists: %s", r.Raw)
	}
	want(search(vladS, "q", tag, "subject", "mathematics"))
	want(search(vladS, "q", tag, "ageGroup", "12-15"), ana)
	r = expect(t, call(t, "GET", "/v1/me", vladS, nil), 200)
	if p := r.JSON["preferences"].(map[string]any); p["emailNotifications"] != true || fmt.Sprint(p["hiddenFields"]) != "[]" {
		t.Errorf("default preferences: %s", r.Raw)
	}

	// Renamed and a school added: the search follows.
	expect(t, call(t, "PATCH", "/v1/me", anaS, map[string]any{"lastName": "Bălan"}), 200)
	want(search(vladS, "q", "stefanescu "+tag))
	want(search(vladS, "q", "balan "+tag), ana)
	sc := newSchoolBody("Gymnasium Köln "+tag, "Köln")
	sc["country"] = "DE"
	expect(t, call(t, "POST", "/v1/me/schools", anaS, sc), 201)
	want(search(vladS, "q", "koln "+tag), ana)
	want(search(vladS, "q", tag, "country", "DE"), ana)

	// Paging through a search by name gives each teacher once.
	seen := map[string]bool{}
	next := "/v1/members?limit=1&q=" + tag
	for pages := 0; next != ""; pages++ {
		r := expect(t, call(t, "GET", next, anaS, nil), 200)
		for _, it := range r.JSON["items"].([]any) {
			id := it.(map[string]any)["memberId"].(string)
			if seen[id] {
				t.Fatalf("%s twice", id)
			}
			seen[id] = true
		}
		next = ""
		if c, ok := r.JSON["nextCursor"].(string); ok {
			// Another member may not use the cursor.
			if pages == 0 {
				expect(t, call(t, "GET", "/v1/members?limit=1&q="+tag+"&cursor="+url.QueryEscape(c), vladS, nil), 400)
				expect(t, call(t, "GET", "/v1/members?limit=1&q=x"+tag+"&cursor="+url.QueryEscape(c), anaS, nil), 400)
			}
			next = "/v1/members?limit=1&q=" + tag + "&cursor=" + url.QueryEscape(c)
		}
	}
	if len(seen) != 2 {
		t.Errorf("paged %d teachers, want 2", len(seen))
	}
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestMembersBadInput(t *testing.T) {
	id, s := registerTeacher(t, "Ion", "Rusu", "Școala "+unique(""), "RO", profile())
	for path, field := range map[string]string{
		"/v1/members?limit=0":                       "limit",
		"/v1/members?limit=101":                     "limit",
		"/v1/members?limit=abc":                     "limit",
		"/v1/members?country=XX":                    "country",
		"/v1/members?subject=basket_weaving":        "subject",
		"/v1/members?ageGroup=adults":               "ageGroup",
		"/v1/members?language=EN":                   "language",
		"/v1/members?interest=":                     "interest",
		"/v1/members?schoolType=castle":             "schoolType",
		"/v1/members?sort=name":                     "sort",
		"/v1/members?q=" + strings.Repeat("a", 201): "q",
		"/v1/members?q=%21%21":                      "q",
		"/v1/members?cursor=abc":                    "cursor",
	} {
		r := expect(t, call(t, "GET", path, s, nil), 400)
		if fmt.Sprint(fieldsOf(r)) != "["+field+"]" {
			t.Errorf("%s: fields %v, want %s", path, fieldsOf(r), field)
		}
	}
	expect(t, call(t, "GET", "/v1/members", "", nil), 401)
	expect(t, call(t, "GET", "/v1/members/"+id, "", nil), 401)
	expect(t, call(t, "GET", "/v1/members/"+id, "not-a-token", nil), 401)
	expect(t, call(t, "GET", "/v1/members/m-"+unique(""), s, nil), 404)
	expect(t, call(t, "GET", "/v1/members/"+url.PathEscape("bad id!"), s, nil), 404)
	expect(t, call(t, "GET", "/v1/members/"+id, s, nil), 200)
	r := expect(t, call(t, "PATCH", "/v1/me", s, map[string]any{"preferences": map[string]any{"hiddenFields": []string{"email"}}}), 422)
	if fmt.Sprint(fieldsOf(r)) != "[preferences.hiddenFields.0]" {
		t.Errorf("hidden field: %v", fieldsOf(r))
	}
	expect(t, call(t, "PATCH", "/v1/me", s, map[string]any{"preferences": map[string]any{"emailNotifications": "no"}}), 400)
	expect(t, call(t, "PATCH", "/v1/me", s, map[string]any{"preferences": map[string]any{"other": true}}), 400)
}

package e2e

import (
	"net/url"
	"slices"
	"testing"
)

// TestResources: add, list newest first, filter by theme and language, search by words,
// refuse non-http URLs naming url, unknown filters naming the parameter.
func TestResources(t *testing.T) {
	ana, anaID := forumTeacher(t, "Res")
	tag := "zr" + unique("")[:8]
	add := func(title, theme, lang string) string {
		return expect(t, call(t, "POST", "/v1/resources", ana, map[string]string{"title": title + " " + tag,
			"description": "Fişe de lucru pentru elevi", "theme": theme, "language": lang, "url": "https://example.org/" + tag}), 201).JSON["resourceId"].(string)
	}
	a := add("Ciclul apei", "environment", "ro")
	b := add("Water cycle", "environment", "en")
	c := add("Apă şi artă", "art", "ro")

	r := expect(t, call(t, "GET", "/v1/resources?limit=100", ana, nil), 200)
	ids := itemIDs(r, "resourceId")
	if ia, ib, ic := slices.Index(ids, a), slices.Index(ids, b), slices.Index(ids, c); ia < 0 || !(ic < ib && ib < ia) {
		t.Fatalf("newest first: %v", ids)
	}
	r = expect(t, call(t, "GET", "/v1/resources/"+a, ana, nil), 200)
	if r.JSON["theme"] != "environment" || r.JSON["author"].(map[string]any)["memberId"] != anaID {
		t.Fatalf("resource: %s", r.Raw)
	}
	expect(t, call(t, "GET", "/v1/resources/res-nope", ana, nil), 404)

	r = expect(t, call(t, "GET", "/v1/resources?theme=environment&language=ro&q="+tag, ana, nil), 200)
	if got := itemIDs(r, "resourceId"); !slices.Equal(got, []string{a}) {
		t.Fatalf("environment+ro: %v", got)
	}
	r = expect(t, call(t, "GET", "/v1/resources?language=ro&limit=100", ana, nil), 200)
	if got := itemIDs(r, "resourceId"); !slices.Contains(got, a) || !slices.Contains(got, c) || slices.Contains(got, b) {
		t.Fatalf("language=ro: %v", got)
	}
	r = expect(t, call(t, "GET", "/v1/resources?q="+url.QueryEscape("AP "+tag), ana, nil), 200)
	if got := itemIDs(r, "resourceId"); len(got) != 2 || !slices.Contains(got, a) || !slices.Contains(got, c) {
		t.Fatalf("search without diacritics: %v", got)
	}
	r = expect(t, call(t, "GET", "/v1/resources?theme=art&q="+url.QueryEscape(tag+" fise"), ana, nil), 200)
	if got := itemIDs(r, "resourceId"); !slices.Equal(got, []string{c}) {
		t.Fatalf("search with a theme: %v", got)
	}

	for _, u := range []string{"javascript:alert(1)", "ftp://example.org/file", "https://", "not a url"} {
		r := expect(t, call(t, "POST", "/v1/resources", ana, map[string]string{"title": "T", "description": "D",
			"theme": "art", "language": "ro", "url": u}), 422)
		if !slices.Contains(fieldsOf(r), "url") {
			t.Errorf("url %q: the problem names %v", u, fieldsOf(r))
		}
	}
	for _, q := range []struct{ query, field string }{
		{"?theme=nope", "theme"}, {"?language=xx", "language"}, {"?q=a", "q"}, {"?limit=0", "limit"}, {"?cursor=forged.cursor", "cursor"},
	} {
		r := expect(t, call(t, "GET", "/v1/resources"+q.query, ana, nil), 400)
		if !slices.Contains(fieldsOf(r), q.field) {
			t.Errorf("GET /v1/resources%s names %v, want %s", q.query, fieldsOf(r), q.field)
		}
	}
}

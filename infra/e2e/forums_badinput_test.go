package e2e

import (
	"slices"
	"strings"
	"testing"

	"etwin/shared/token"
)

// TestBadInputForumsAndResources: every new JSON endpoint refuses malformed JSON, unknown
// fields, wrong types, missing fields, oversized bodies and unknown enums naming the field,
// and needs a session.
func TestBadInputForumsAndResources(t *testing.T) {
	ana, _ := forumTeacher(t, "Bad")
	post := expect(t, call(t, "POST", "/v1/forums/12-15/posts", ana, map[string]string{"title": "T", "body": "B"}), 201).JSON["postId"].(string)
	reply := expect(t, call(t, "POST", "/v1/forums/12-15/posts/"+post+"/replies", ana, map[string]string{"body": "R"}), 201).JSON["replyId"].(string)
	long := strings.Repeat("x", 10001)
	endpoints := []struct {
		method, path string
		cases        []badCase
	}{
		{"POST", "/v1/forums/12-15/posts", badBodies(
			`{"title":"`+strings.Repeat("t", 201)+`","body":"b"}`, "title",
			`{"title":1,"body":"b"}`, "title",
			`{"title":"t"}`, "body")},
		{"PATCH", "/v1/forums/12-15/posts/" + post, badBodies(
			`{"body":"`+long+`"}`, "body",
			`{"title":["t"]}`, "title",
			`{}`, "body")},
		{"POST", "/v1/forums/12-15/posts/" + post + "/replies", badBodies(
			`{"body":"a\u0000b"}`, "body",
			`{"body":{}}`, "body",
			`{}`, "body")},
		{"PATCH", "/v1/forums/12-15/posts/" + post + "/replies/" + reply, badBodies(
			`{"body":"`+long+`"}`, "body",
			`{"body":false}`, "body",
			`{}`, "body")},
		{"POST", "/v1/resources", badBodies(
			`{"title":"T","description":"D","theme":"astrology","language":"ro","url":"https://example.org"}`, "theme",
			`{"title":"T","description":"D","theme":"art","language":"ro","url":5}`, "url",
			`{"title":"T","description":"D","theme":"art","language":"ro"}`, "url")},
	}
	for _, ep := range endpoints {
		for _, c := range ep.cases {
			t.Run(ep.method+" "+ep.path+" "+c.name, func(t *testing.T) {
				r := call(t, ep.method, ep.path, ana, c.body)
				if !slices.Contains(c.status, r.Status) {
					t.Fatalf("status %d, want %v: %s", r.Status, c.status, r.Raw)
				}
				if c.field != "" && !slices.Contains(fieldsOf(r), c.field) {
					t.Fatalf("the problem names %v, not %q: %s", fieldsOf(r), c.field, r.Raw)
				}
			})
		}
	}
	// Without a session, every new route is a 401.
	for _, ep := range []struct{ method, path string }{
		{"GET", "/v1/forums/12-15/posts"}, {"POST", "/v1/forums/12-15/posts"}, {"GET", "/v1/forums/12-15/posts/" + post},
		{"PATCH", "/v1/forums/12-15/posts/" + post}, {"DELETE", "/v1/forums/12-15/posts/" + post},
		{"POST", "/v1/forums/12-15/posts/" + post + "/replies"}, {"PATCH", "/v1/forums/12-15/posts/" + post + "/replies/" + reply},
		{"DELETE", "/v1/forums/12-15/posts/" + post + "/replies/" + reply},
		{"GET", "/v1/resources"}, {"POST", "/v1/resources"}, {"GET", "/v1/resources/res-1"},
	} {
		expect(t, call(t, ep.method, ep.path, "", `{}`), 401)
		expect(t, call(t, ep.method, ep.path, "m-x."+token.New(), `{}`), 401)
	}
	// Query parameters.
	for _, q := range []struct{ query, field string }{
		{"?q=a", "q"}, {"?q=aa+bb+cc+dd+ee+ff+gg+hh+ii", "q"}, {"?limit=101", "limit"}, {"?limit=x", "limit"}, {"?cursor=forged.cursor", "cursor"},
	} {
		r := expect(t, call(t, "GET", "/v1/forums/12-15/posts"+q.query, ana, nil), 400)
		if !slices.Contains(fieldsOf(r), q.field) {
			t.Errorf("GET posts%s names %v, want %s", q.query, fieldsOf(r), q.field)
		}
	}
	expect(t, call(t, "GET", "/v1/forums/12-15/posts/"+post+"?cursor=forged.cursor", ana, nil), 400)
	expect(t, call(t, "GET", "/v1/forums/12-15/posts/"+strings.Repeat("x", 80), ana, nil), 404)
	expect(t, call(t, "POST", "/v1/forums/nope/posts", ana, `{"title":`), 404) // unknown age group first
}

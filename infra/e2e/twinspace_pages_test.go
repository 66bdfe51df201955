package e2e

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"etwin/shared/project"
)

// tsPageTitles are the titles of the TwinSpace's pages, oldest first.
func tsPageTitles(t *testing.T, s, pid string) []string {
	t.Helper()
	r := expect(t, call(t, "GET", "/v1/projects/"+pid+"/twinspace", s, nil), 200)
	var out []string
	for _, p := range r.JSON["pages"].([]any) {
		out = append(out, p.(map[string]any)["title"].(string))
	}
	return out
}

// A page over HTTP: created, read with its embeds, edited with the version read, a stale
// edit refused, two edits of one version at once (one wins), deleted by an administrator;
// the TwinSpace's pages follow; closed: read-only.
func TestTwinSpacePages(t *testing.T) {
	a, b, c := tsTeacher(t, "Ana", "RO"), tsTeacher(t, "Bruno", "FR"), tsTeacher(t, "Carla", "RO")
	pid := tsProject(t, a, b, project.Approved)
	pages := "/v1/projects/" + pid + "/pages"
	body := "Our call:\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n  https://vimeo.com/76979871  \n" + pages[:len(pages)-len("pages")] + "files/f-1\nThanks!"
	r := expect(t, call(t, "POST", pages, a.Session, map[string]string{"title": "Call", "body": body}), 201)
	id, _ := r.JSON["pageId"].(string)
	page := pages + "/" + id

	r = expect(t, call(t, "GET", page, b.Session, nil), 200)
	if r.JSON["pageId"] != id || r.JSON["title"] != "Call" || r.JSON["body"] != body || r.JSON["authorId"] != a.ID || r.JSON["version"] != 1.0 ||
		r.JSON["updatedAt"] != r.JSON["createdAt"] {
		t.Fatalf("page: %s", r.Raw)
	}
	embeds := r.JSON["embeds"].([]any)
	if len(embeds) != 3 {
		t.Fatalf("embeds: %s", r.Raw)
	}
	for i, want := range []map[string]any{
		{"kind": "youtube", "id": "dQw4w9WgXcQ", "embedUrl": "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "line": 2.0},
		{"kind": "vimeo", "id": "76979871", "url": "https://vimeo.com/76979871", "embedUrl": "https://player.vimeo.com/video/76979871", "line": 3.0},
		{"kind": "file", "id": "f-1", "embedUrl": "/v1/projects/" + pid + "/files/f-1", "line": 4.0},
	} {
		for k, v := range want {
			if embeds[i].(map[string]any)[k] != v {
				t.Fatalf("embed %d: %v, want %s=%v", i, embeds[i], k, v)
			}
		}
	}
	expect(t, call(t, "GET", page, c.Session, nil), 404)
	expect(t, call(t, "GET", page, "", nil), 401)
	expect(t, call(t, "GET", pages+"/g-0000000000001nope", a.Session, nil), 404)

	// an edit with the version read; the same version again is stale
	r = expect(t, call(t, "PATCH", page, b.Session, map[string]any{"version": 1, "title": "Call one"}), 200)
	if r.JSON["title"] != "Call one" || r.JSON["version"] != 2.0 || r.JSON["body"] != body || len(r.JSON["embeds"].([]any)) != 3 {
		t.Fatalf("edited: %s", r.Raw)
	}
	r = expect(t, call(t, "PATCH", page, a.Session, map[string]any{"version": 1, "body": "mine"}), 409)
	if !slices.Contains(fieldsOf(r), "version") {
		t.Fatalf("stale: %s", r.Raw)
	}
	if got := tsPageTitles(t, a.Session, pid); !slices.Equal(got, []string{"Call one"}) {
		t.Fatalf("the TwinSpace's pages after the edit: %v", got)
	}

	// two edits of version 2 at once: one 200, one 409
	var wg sync.WaitGroup
	got := make([]reply, 2)
	for i, s := range []string{a.Session, b.Session} {
		wg.Add(1)
		go func(i int, s string) {
			defer wg.Done()
			got[i] = call(t, "PATCH", page, s, map[string]any{"version": 2, "body": "edit " + string(rune('A'+i))})
		}(i, s)
	}
	wg.Wait()
	statuses := []int{got[0].Status, got[1].Status}
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{200, 409}) {
		t.Fatalf("two edits of one version: %d %s / %d %s", got[0].Status, got[0].Raw, got[1].Status, got[1].Raw)
	}
	winner := got[0]
	if winner.Status != 200 {
		winner = got[1]
	}
	r = expect(t, call(t, "GET", page, a.Session, nil), 200)
	if r.JSON["version"] != 3.0 || r.JSON["body"] != winner.JSON["body"] || len(r.JSON["embeds"].([]any)) != 0 {
		t.Fatalf("after the race: %s (winner %s)", r.Raw, winner.Raw)
	}

	// a second page; a member may not delete (c joins as a member), an administrator may
	r = expect(t, call(t, "POST", pages, b.Session, map[string]string{"title": "Plan", "body": "Week 1"}), 201)
	second := pages + "/" + r.JSON["pageId"].(string)
	tsContacts(t, a, c)
	expect(t, call(t, "POST", "/v1/projects/"+pid+"/members", a.Session, map[string]string{"memberId": c.ID}), 201)
	expect(t, call(t, "GET", page, c.Session, nil), 200)
	expect(t, call(t, "PATCH", page, c.Session, map[string]any{"version": 3, "title": "By Carla"}), 200)
	expect(t, call(t, "DELETE", page, c.Session, nil), 403)
	expect(t, call(t, "DELETE", page, "", nil), 401)
	expect(t, call(t, "DELETE", page, b.Session, nil), 204)
	expect(t, call(t, "DELETE", page, b.Session, nil), 404)
	expect(t, call(t, "GET", page, a.Session, nil), 404)
	expect(t, call(t, "PATCH", page, a.Session, map[string]any{"version": 4, "title": "x"}), 404)
	if got := tsPageTitles(t, a.Session, pid); !slices.Equal(got, []string{"Plan"}) {
		t.Fatalf("the TwinSpace's pages after the delete: %v", got)
	}

	// closed: read-only (the project closed after the page was written)
	tsClose(t, pid)
	expect(t, call(t, "POST", pages, a.Session, map[string]string{"title": "t", "body": "b"}), 409)
	expect(t, call(t, "GET", second, c.Session, nil), 200)
	expect(t, call(t, "PATCH", second, a.Session, map[string]any{"version": 1, "title": "x"}), 409)
	expect(t, call(t, "DELETE", second, a.Session, nil), 409)
	expect(t, call(t, "DELETE", second, c.Session, nil), 403)
}

// tsClose marks the project closed (as closing it will), its partners kept.
func tsClose(t *testing.T, pid string) {
	t.Helper()
	ctx := context.Background()
	st := tsStore()
	sp, ok, err := st.GetTwinSpace(ctx, pid)
	if err != nil || !ok {
		t.Fatalf("%v %v", ok, err)
	}
	now := time.Now().UTC()
	sp.Project.Status, sp.Project.ClosedAt = project.Closed, &now
	if err := st.PutProjectTree(ctx, sp.Project, sp.Partners); err != nil {
		t.Fatal(err)
	}
}

// Bad bodies of PATCH (and POST's embeds) name every bad field; nothing is written.
func TestTwinSpacePagesBadInput(t *testing.T) {
	a, b := tsTeacher(t, "Ana", "RO"), tsTeacher(t, "Bruno", "FR")
	pid := tsProject(t, a, b, project.Approved)
	pages := "/v1/projects/" + pid + "/pages"
	r := expect(t, call(t, "POST", pages, a.Session, map[string]string{"title": "Plan", "body": "b"}), 201)
	page := pages + "/" + r.JSON["pageId"].(string)
	for _, c := range []struct {
		body   string
		status int
		fields []string
	}{
		{`{}`, 422, []string{"version", "body"}},
		{`{"title":"t"}`, 422, []string{"version"}},
		{`{"version":-1,"title":" ","body":"http://example.org"}`, 422, []string{"version", "title", "body"}},
		{`{"version":1,"body":"<iframe src=x></iframe>"}`, 422, []string{"body"}},
		{`{"version":1,"body":"https://youtu.be/short"}`, 422, []string{"body"}},
		{`{"version":1,"body":"/v1/projects/p-other/files/f-1"}`, 422, []string{"body"}},
		{`{"version":1,"body":"![x](https://example.org/x.png)"}`, 422, []string{"body"}},
		{`{"version":1,"body":"ftp://example.org/x"}`, 422, []string{"body"}},
		{`{"version":"1","title":"t"}`, 400, []string{"version"}},
		{`{"version":1.5,"title":"t"}`, 400, []string{"version"}},
		{`{"version":1,"title":7}`, 400, []string{"title"}},
		{`{"version":1,"title":"t","extra":1}`, 400, []string{"extra"}},
		{`{"version":1,"title":"t"`, 400, nil},
	} {
		r := call(t, "PATCH", page, a.Session, c.body)
		if r.Status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.body, r.Status, c.status, r.Raw)
			continue
		}
		for _, f := range c.fields {
			if !slices.Contains(fieldsOf(r), f) {
				t.Errorf("%s: names %v, not %q", c.body, fieldsOf(r), f)
			}
		}
	}
	big := `{"version":1,"body":"` + strings.Repeat("x", 70000) + `"}`
	expect(t, call(t, "PATCH", page, a.Session, big), 413)
	// POST refuses the same embeds
	for _, body := range []string{"see http://example.org", "<video src=x>", "https://vimeo.com/abc"} {
		r := expect(t, call(t, "POST", pages, a.Session, map[string]string{"title": "t", "body": body}), 422)
		if !slices.Contains(fieldsOf(r), "body") {
			t.Errorf("POST %q: %s", body, r.Raw)
		}
	}
	r = expect(t, call(t, "GET", page, a.Session, nil), 200)
	if r.JSON["version"] != 1.0 || r.JSON["body"] != "b" {
		t.Fatalf("written anyway: %s", r.Raw)
	}
	if got := tsPageTitles(t, a.Session, pid); len(got) != 1 {
		t.Fatalf("pages %v", got)
	}
	// odd page ids are 404s, never 5xx
	for _, id := range []string{"%20", strings.Repeat("x", 200), "g-zzzzzzzzzzzz"} {
		expect(t, call(t, "GET", pages+"/"+id, a.Session, nil), 404)
		expect(t, call(t, "DELETE", pages+"/"+id, a.Session, nil), 404)
		expect(t, call(t, "PATCH", pages+"/"+id, a.Session, map[string]any{"version": 1, "title": "t"}), 404)
	}
}

package e2e

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// forumTeacher registers a teacher through the API and returns a session token and the
// member id.
func forumTeacher(t *testing.T, first string) (session, memberID string) {
	t.Helper()
	since := time.Now()
	u, mail := unique(strings.ToLower(first)+"."), unique(strings.ToLower(first))+"@example.org"
	preRegister(t, first, u, mail, "en")
	_, tok := linkToken(t, mail, since)
	r := expect(t, call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{
		"profile": profile(), "school": newSchoolBody("Școala Forumului "+unique(""), "Iași")}), 201)
	return login(t, u), r.JSON["memberId"].(string)
}

func itemIDs(r reply, key string) []string {
	var out []string
	items, _ := r.JSON["items"].([]any)
	for _, it := range items {
		out = append(out, it.(map[string]any)[key].(string))
	}
	return out
}

// TestForumJourney: post, reply, list newest first, search without diacritics, edit and
// delete one's own post, someone else's → 403, unknown age group → 404.
func TestForumJourney(t *testing.T) {
	ana, anaID := forumTeacher(t, "Ana")
	ion, _ := forumTeacher(t, "Ion")
	tag := "zq" + unique("")[:8] // a word no other test writes
	base := "/v1/forums/7-11/posts"

	first := expect(t, call(t, "POST", base, ana, map[string]string{
		"title": "Căutăm parteneri pentru ştiinţe " + tag, "body": "Proiect despre apă şi mediu."}), 201).JSON["postId"].(string)
	second := expect(t, call(t, "POST", base, ion, map[string]string{
		"title": "Poezie " + tag, "body": "Un proiect de literatură."}), 201).JSON["postId"].(string)
	replyID := expect(t, call(t, "POST", base+"/"+first+"/replies", ion, map[string]string{"body": "Suntem interesați!"}), 201).JSON["replyId"].(string)

	// Newest first.
	r := expect(t, call(t, "GET", base+"?limit=100", ana, nil), 200)
	ids := itemIDs(r, "postId")
	i1, i2 := slices.Index(ids, first), slices.Index(ids, second)
	if i1 < 0 || i2 < 0 || i2 > i1 {
		t.Fatalf("list order: %v (first %s, second %s)", ids, first, second)
	}
	post := r.JSON["items"].([]any)[i1].(map[string]any)
	author := post["author"].(map[string]any)
	if post["replyCount"].(float64) != 1 || author["memberId"] != anaID || author["firstName"] != "Ana" || post["ageGroup"] != "7-11" {
		t.Fatalf("post in the list: %v", post)
	}

	// Search by words typed without diacritics, prefixes, any case.
	r = expect(t, call(t, "GET", base+"?q="+url.QueryEscape("STIINT "+tag), ion, nil), 200)
	if got := itemIDs(r, "postId"); !slices.Equal(got, []string{first}) {
		t.Fatalf("search: %v", got)
	}
	r = expect(t, call(t, "GET", base+"?q="+url.QueryEscape(tag+" apa"), ion, nil), 200)
	if got := itemIDs(r, "postId"); !slices.Equal(got, []string{first}) {
		t.Fatalf("search by a body word: %v", got)
	}
	r = expect(t, call(t, "GET", base+"?q="+tag, ion, nil), 200)
	if got := itemIDs(r, "postId"); len(got) != 2 {
		t.Fatalf("search by the tag: %v", got)
	}
	// Another forum has none of them.
	r = expect(t, call(t, "GET", "/v1/forums/12-15/posts?q="+tag, ion, nil), 200)
	if got := itemIDs(r, "postId"); len(got) != 0 {
		t.Fatalf("another forum: %v", got)
	}

	// The post with its replies.
	r = expect(t, call(t, "GET", base+"/"+first, ion, nil), 200)
	if replies := itemIDs(reply{JSON: r.JSON["replies"].(map[string]any)}, "replyId"); !slices.Equal(replies, []string{replyID}) {
		t.Fatalf("replies: %v", replies)
	}

	// Only the author edits or deletes.
	expect(t, call(t, "PATCH", base+"/"+first, ion, map[string]string{"title": "Hijacked"}), 403)
	expect(t, call(t, "DELETE", base+"/"+first, ion, nil), 403)
	expect(t, call(t, "PATCH", base+"/"+first+"/replies/"+replyID, ana, map[string]string{"body": "x"}), 403)
	expect(t, call(t, "DELETE", base+"/"+first+"/replies/"+replyID, ana, nil), 403)
	r = expect(t, call(t, "PATCH", base+"/"+first, ana, map[string]string{"title": "Parteneri pentru geografie " + tag}), 200)
	if r.JSON["updatedAt"] == nil || r.JSON["body"] != "Proiect despre apă şi mediu." {
		t.Fatalf("edited post: %s", r.Raw)
	}
	r = expect(t, call(t, "GET", base+"?q="+url.QueryEscape("stiinte "+tag), ion, nil), 200)
	if got := itemIDs(r, "postId"); len(got) != 0 {
		t.Fatalf("an edited-out word still finds the post: %v", got)
	}
	r = expect(t, call(t, "GET", base+"?q="+url.QueryEscape("geogr "+tag), ion, nil), 200)
	if got := itemIDs(r, "postId"); !slices.Equal(got, []string{first}) {
		t.Fatalf("a new word: %v", got)
	}
	r = expect(t, call(t, "PATCH", base+"/"+first+"/replies/"+replyID, ion, map[string]string{"body": "Foarte interesați!"}), 200)
	if r.JSON["body"] != "Foarte interesați!" || r.JSON["updatedAt"] == nil {
		t.Fatalf("edited reply: %s", r.Raw)
	}
	expect(t, call(t, "DELETE", base+"/"+first+"/replies/"+replyID, ion, nil), 204)
	expect(t, call(t, "DELETE", base+"/"+first+"/replies/"+replyID, ion, nil), 404)
	r = expect(t, call(t, "GET", base+"/"+first, ion, nil), 200)
	if r.JSON["replyCount"].(float64) != 0 {
		t.Fatalf("reply count after delete: %s", r.Raw)
	}
	expect(t, call(t, "DELETE", base+"/"+first, ana, nil), 204)
	expect(t, call(t, "GET", base+"/"+first, ana, nil), 404)
	expect(t, call(t, "DELETE", base+"/"+first, ana, nil), 404)
	expect(t, call(t, "POST", base+"/"+first+"/replies", ion, map[string]string{"body": "late"}), 404)
	r = expect(t, call(t, "GET", base+"?q="+tag, ion, nil), 200)
	if got := itemIDs(r, "postId"); !slices.Equal(got, []string{second}) {
		t.Fatalf("search after delete: %v", got)
	}

	// Unknown age groups, posts and replies.
	expect(t, call(t, "GET", "/v1/forums/13-14/posts", ana, nil), 404)
	expect(t, call(t, "POST", "/v1/forums/adults/posts", ana, map[string]string{"title": "t", "body": "b"}), 404)
	expect(t, call(t, "GET", "/v1/forums/12-15/posts/"+second, ana, nil), 404) // the post is in 7-11
	expect(t, call(t, "POST", base+"/p-nope/replies", ana, map[string]string{"body": "b"}), 404)
	expect(t, call(t, "PATCH", base+"/"+second+"/replies/r-nope", ana, map[string]string{"body": "b"}), 404)
}

// TestForumPagination: every post once across pages, newest first; a cursor is bound to
// its member and its search.
func TestForumPagination(t *testing.T) {
	ana, _ := forumTeacher(t, "Pag")
	ion, _ := forumTeacher(t, "Other")
	tag := "zp" + unique("")[:8]
	var want []string
	for i := 0; i < 5; i++ {
		id := expect(t, call(t, "POST", "/v1/forums/vet/posts", ana, map[string]string{"title": "Seria " + tag, "body": "corp"}), 201).JSON["postId"].(string)
		want = append([]string{id}, want...)
	}
	var got []string
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		path := "/v1/forums/vet/posts?limit=2&q=" + tag
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		r := expect(t, call(t, "GET", path, ana, nil), 200)
		got = append(got, itemIDs(r, "postId")...)
		next, _ := r.JSON["nextCursor"].(string)
		if next == "" {
			break
		}
		if pages == 0 {
			expect(t, call(t, "GET", "/v1/forums/vet/posts?limit=2&q="+tag+"&cursor="+next, ion, nil), 400)
			expect(t, call(t, "GET", "/v1/forums/vet/posts?limit=2&cursor="+next, ana, nil), 400)
			expect(t, call(t, "GET", "/v1/forums/16-19/posts?limit=2&q="+tag+"&cursor="+next, ana, nil), 400)
		}
		cursor = next
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages %v, want %v", got, want)
	}
}

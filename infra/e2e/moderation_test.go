package e2e

import (
	"slices"
	"strings"
	"testing"
	"time"

	"etwin/infra/testenv"
)

// removalOf finds the moderation record of contentID in the caller's list (nil if none).
func removalOf(t *testing.T, session, query, contentID string) map[string]any {
	t.Helper()
	for _, it := range items(expect(t, call(t, "GET", "/v1/moderation/removals?limit=100"+query, session, nil), 200)) {
		if it["contentId"] == contentID {
			return it
		}
	}
	return nil
}

// removedNotice is the author's content_removed notification about contentID (nil if none).
func removedNotice(t *testing.T, session, contentID string) map[string]any {
	t.Helper()
	for _, n := range items(expect(t, call(t, "GET", "/v1/notifications?limit=100", session, nil), 200)) {
		if s := n["subject"].(map[string]any); s["id"] == contentID && n["kind"] == "content_removed" {
			return n
		}
	}
	return nil
}

// mailWith waits for an e-mail to addr since since that contains text (other e-mails to
// the same address may arrive meanwhile: the outbox delivers them in any order).
func mailWith(t *testing.T, addr string, since time.Time, text string) testenv.Mail {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		ms, err := testenv.Mails(since)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if slices.Contains(m.To, addr) && strings.Contains(m.Text, text) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no e-mail to %s containing %q", addr, text)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func remover(rec map[string]any) map[string]any { return rec["removedBy"].(map[string]any) }

// TestModerationOfTheForum: the NSO of the author's country removes a post with a reason
// (recorded, notified in-platform and by e-mail, out of lists and searches); an NSO of
// another country may not; bad bodies change nothing; the CSS removes a reply without a
// body; the author's own delete records and notifies nothing.
func TestModerationOfTheForum(t *testing.T) {
	author := newTeacher(t, "Ana", "en") // RO school
	ion := newTeacher(t, "Ion", "en")
	nsoRO, nsoROID := staffAccount(t, "nso", "RO")
	nsoDE, _ := staffAccount(t, "nso", "DE")
	css, cssID := staffAccount(t, "css", "")
	tag := "zm" + unique("")[:8]
	base := "/v1/forums/7-11/posts"
	postID := expect(t, call(t, "POST", base, author.Session, map[string]string{"title": "Vând manuale " + tag, "body": "Reclamă."}), 201).JSON["postId"].(string)
	expect(t, call(t, "POST", base+"/"+postID+"/replies", ion.Session, map[string]string{"body": "Nu aici."}), 201)

	// Another country's NSO, a teacher: 403, nothing changes.
	expect(t, call(t, "DELETE", base+"/"+postID, nsoDE, map[string]string{"reason": "Spam"}), 403)
	expect(t, call(t, "DELETE", base+"/"+postID, ion.Session, nil), 403)
	// Bad bodies: 400 naming the field, nothing removed.
	for body, field := range map[string]string{
		`{"reason":"` + strings.Repeat("x", 501) + `"}`: "reason",
		`{"reason":5}`:                "reason",
		`{"reason":"Spam","extra":1}`: "extra",
	} {
		r := expect(t, call(t, "DELETE", base+"/"+postID, nsoRO, body), 400)
		if f := fieldsOf(r); !slices.Contains(f, field) {
			t.Errorf("%.30s: fields %v, want %s", body, f, field)
		}
	}
	expect(t, call(t, "GET", base+"/"+postID, author.Session, nil), 200)
	if rec := removalOf(t, css, "", postID); rec != nil {
		t.Fatalf("recorded before any removal: %v", rec)
	}

	since := time.Now().Add(-time.Second)
	reason := "Advertising is not allowed " + tag
	expect(t, call(t, "DELETE", base+"/"+postID, nsoRO, map[string]string{"reason": "  " + reason + " "}), 204)
	expect(t, call(t, "GET", base+"/"+postID, author.Session, nil), 404)
	if ids := itemIDs(expect(t, call(t, "GET", base+"?q="+tag, author.Session, nil), 200), "postId"); len(ids) != 0 {
		t.Fatalf("a removed post is still found: %v", ids)
	}
	n := removedNotice(t, author.Session, postID)
	if n == nil || n["subject"].(map[string]any)["type"] != "forum_post" || n["actor"] != nil {
		t.Fatalf("the author's notification: %v", n)
	}
	m := mailWith(t, author.Email, since, reason)
	for _, w := range []string{reason, "Vând manuale " + tag, "National Support Organisation", "pupils aged 7-11"} {
		if !strings.Contains(m.Text, w) {
			t.Errorf("the e-mail lacks %q:\n%s", w, m.Text)
		}
	}
	if strings.Contains(m.Text, "Staff") {
		t.Errorf("the e-mail names the staff member:\n%s", m.Text)
	}
	// The record: the NSO's own country's list, the CSS's list (all, and RO's), not DE's.
	rec := removalOf(t, nsoRO, "", postID)
	if rec == nil {
		t.Fatal("not in the RO NSO's list")
	}
	by := remover(rec)
	if rec["kind"] != "forum_post" || rec["reason"] != reason || rec["authorId"] != author.ID || rec["excerpt"] != "Vând manuale "+tag ||
		by["memberId"] != nsoROID || by["role"] != "nso" || by["country"] != "RO" || rec["where"].(map[string]any)["ageGroup"] != "7-11" {
		t.Fatalf("record: %v", rec)
	}
	at, err := time.Parse(time.RFC3339, rec["removedAt"].(string))
	if err != nil || time.Since(at) > time.Minute || time.Until(at) > 5*time.Second {
		t.Fatalf("removedAt %v (%v)", rec["removedAt"], err)
	}
	if removalOf(t, css, "", postID) == nil || removalOf(t, css, "&country=RO", postID) == nil {
		t.Fatal("not in the CSS's lists")
	}
	if removalOf(t, css, "&country=DE", postID) != nil || removalOf(t, nsoDE, "", postID) != nil {
		t.Fatal("in another country's list")
	}

	// The CSS removes a reply (no body: the reason is optional).
	other := expect(t, call(t, "POST", base, author.Session, map[string]string{"title": "Parteneri " + tag, "body": "Căutăm."}), 201).JSON["postId"].(string)
	replyID := expect(t, call(t, "POST", base+"/"+other+"/replies", ion.Session, map[string]string{"body": "Cumpărați acum!"}), 201).JSON["replyId"].(string)
	expect(t, call(t, "DELETE", base+"/"+other+"/replies/"+replyID, nsoDE, nil), 403)
	expect(t, call(t, "DELETE", base+"/"+other+"/replies/"+replyID, css, nil), 204)
	got := expect(t, call(t, "GET", base+"/"+other, author.Session, nil), 200)
	if got.JSON["replyCount"].(float64) != 0 {
		t.Fatalf("after the reply's removal: %s", got.Raw)
	}
	rec = removalOf(t, css, "", replyID)
	if rec == nil || rec["kind"] != "forum_reply" || rec["reason"] != "" || remover(rec)["role"] != "css" || remover(rec)["memberId"] != cssID ||
		rec["where"].(map[string]any)["postId"] != other || rec["excerpt"] != "Cumpărați acum!" {
		t.Fatalf("reply record: %v", rec)
	}
	if removedNotice(t, ion.Session, replyID) == nil {
		t.Fatal("the reply's author was not notified")
	}

	// The author's own delete: no record, no notification.
	expect(t, call(t, "DELETE", base+"/"+other, author.Session, map[string]string{"reason": "ignored"}), 204)
	if removalOf(t, css, "", other) != nil || removedNotice(t, author.Session, other) != nil {
		t.Fatal("the author's own delete was recorded or notified")
	}
}

// TestModerationOfRooms: the room's creator removes a participant's post (recorded as
// the room's creator, notified); the CSS removes a post of a private room it is not in;
// a teacher outside gets 404; an NSO of another country 403; the author's own delete
// leaves no record.
func TestModerationOfRooms(t *testing.T) {
	ana := newTeacher(t, "Ana", "en")
	ion := newTeacher(t, "Ion", "fr")
	out := newTeacher(t, "Outsider", "en")
	css, _ := staffAccount(t, "css", "")
	nsoDE, _ := staffAccount(t, "nso", "DE")
	roomID := newRoom(t, ana.Session, roomTag("m"), false)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/invitations", ana.Session, map[string]string{"memberId": ion.ID}), 201)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/join", ion.Session, nil), 200)
	post := func(body string) string {
		return expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/posts", ion.Session, map[string]string{"body": body}), 201).JSON["postId"].(string)
	}
	posts := func() []string {
		return itemIDs(expect(t, call(t, "GET", "/v1/rooms/"+roomID+"/posts", ana.Session, nil), 200), "postId")
	}

	first := post("Off topic, sorry")
	since := time.Now().Add(-time.Second)
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/posts/"+first, ana.Session, map[string]string{"reason": "Keep to the topic"}), 204)
	if slices.Contains(posts(), first) {
		t.Fatal("the removed post is still listed")
	}
	rec := removalOf(t, css, "", first)
	if rec == nil || rec["kind"] != "room_post" || remover(rec)["role"] != "room_creator" || remover(rec)["memberId"] != ana.ID ||
		rec["reason"] != "Keep to the topic" || rec["where"].(map[string]any)["roomId"] != roomID || rec["authorId"] != ion.ID {
		t.Fatalf("creator's removal: %v", rec)
	}
	if n := removedNotice(t, ion.Session, first); n == nil || n["subject"].(map[string]any)["type"] != "room_post" {
		t.Fatalf("notification: %v", n)
	}
	if m := mailWith(t, ion.Email, since, "Keep to the topic"); !strings.Contains(m.Text, "créateur de la salle") {
		t.Errorf("the e-mail (fr):\n%s", m.Text)
	}

	second := post("Buy my books")
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/posts/"+second, out.Session, map[string]string{"reason": "x"}), 404)
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/posts/"+second, nsoDE, nil), 403)
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/posts/"+second, css, `{"reason":true}`), 400)
	if !slices.Contains(posts(), second) {
		t.Fatal("a refused removal removed the post")
	}
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/posts/"+second, css, map[string]string{"reason": "Advertising"}), 204)
	if slices.Contains(posts(), second) {
		t.Fatal("the CSS's removal left the post")
	}
	rec = removalOf(t, css, "", second)
	if rec == nil || remover(rec)["role"] != "css" || rec["excerpt"] != "Buy my books" || rec["reason"] != "Advertising" {
		t.Fatalf("css removal: %v", rec)
	}
	if removedNotice(t, ion.Session, second) == nil {
		t.Fatal("not notified of the CSS's removal")
	}

	own := post("Mine to delete")
	expect(t, call(t, "DELETE", "/v1/rooms/"+roomID+"/posts/"+own, ion.Session, nil), 204)
	if removalOf(t, css, "", own) != nil || removedNotice(t, ion.Session, own) != nil {
		t.Fatal("the author's own delete was recorded or notified")
	}
}

// TestModerationRemovalsAuthz: who may read the records.
func TestModerationRemovalsAuthz(t *testing.T) {
	teacher := newTeacher(t, "Tea", "en")
	nsoRO, _ := staffAccount(t, "nso", "RO")
	css, _ := staffAccount(t, "css", "")
	for _, c := range []struct {
		who, query string
		want       int
	}{
		{"", "", 401},
		{teacher.Session, "", 403},
		{teacher.Session, "?country=RO", 403},
		{nsoRO, "", 200},
		{nsoRO, "?country=RO", 200},
		{nsoRO, "?country=DE", 403},
		{css, "", 200},
		{css, "?country=DE", 200},
		{css, "?country=NONE", 200},
		{css, "?country=XX", 400},
		{css, "?colour=red", 400},
		{css, "?limit=0", 400},
	} {
		expect(t, call(t, "GET", "/v1/moderation/removals"+c.query, c.who, nil), c.want)
	}
}

package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/room"
)

// runRoomExpiry runs the built room-expiry function once with its schedule's event, as
// `make invoke FN=room-expiry` does.
func runRoomExpiry(t *testing.T) room.ExpiryReport {
	t.Helper()
	var rep room.ExpiryReport
	runJob(t, "room-expiry", &rep)
	if rep.Failed != 0 {
		t.Fatalf("room-expiry report %+v", rep)
	}
	return rep
}

// setRoomExpiry moves a room's expiry through the store (its expiry entry moves with it),
// as if the clock had moved to that distance from it.
func setRoomExpiry(t *testing.T, roomID string, at time.Time) {
	t.Helper()
	_, err := roomStore().UpdateRoom(context.Background(), roomID, func(r *room.Room) error {
		r.ExpiresAt = at
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// expiryMails waits for want room-expiry e-mails to addr naming title since since (and a
// second more, for any that should not come) and returns them.
func expiryMails(t *testing.T, addr, title string, since time.Time, want int) []testenv.Mail {
	t.Helper()
	find := func() []testenv.Mail {
		ms, err := testenv.Mails(since)
		if err != nil {
			t.Fatal(err)
		}
		return slices.DeleteFunc(ms, func(m testenv.Mail) bool { return !slices.Contains(m.To, addr) || !strings.Contains(m.Subject, title) })
	}
	for deadline := time.Now().Add(30 * time.Second); len(find()) < want && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
	}
	time.Sleep(time.Second)
	return find()
}

// The room-expiry job warns the creator once, a week before the expiry (one notification,
// one e-mail, however often it runs), then closes the room past its expiry: read-only
// for good, not extendable, off the open rooms; an extension after the warning brings a
// new warning a week before the new expiry.
func TestRoomExpiryJob(t *testing.T) {
	ana := newTeacher(t, "Ana", "en")
	eva := newTeacher(t, "Eva", "en")
	stranger := newTeacher(t, "Stranger", "en")
	css, _ := staffAccount(t, "css", "")
	tag := roomTag("x")
	since := time.Now().Add(-time.Second)

	body := roomBody("Expiring "+unique(""), tag, false)
	title := body["title"].(string)
	roomID := expect(t, call(t, "POST", "/v1/rooms", ana.Session, body), 201).JSON["roomId"].(string)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/invitations", ana.Session, map[string]string{"memberId": eva.ID}), 201)
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/join", eva.Session, nil), 200)
	open := newRoom(t, css, tag, true)
	if ids := roomIDs(expect(t, call(t, "GET", "/v1/rooms?tag="+tag, stranger.Session, nil), 200)); !slices.Contains(ids, open) {
		t.Fatalf("the stranger does not see the open room: %v", ids)
	}

	// Eight days before the expiry: nothing yet.
	setRoomExpiry(t, roomID, time.Now().Add(8*24*time.Hour))
	runRoomExpiry(t)
	if n := countKind(notificationKinds(t, ana.Session, roomID), "room_expiring"); n != 0 {
		t.Fatalf("warned 8 days before (%d)", n)
	}
	// Six days before: one warning, however often the job runs; nothing else changes.
	setRoomExpiry(t, roomID, time.Now().Add(6*24*time.Hour))
	runRoomExpiry(t)
	first := expect(t, call(t, "GET", "/v1/rooms/"+roomID, ana.Session, nil), 200)
	if first.JSON["closedAt"] != nil || first.JSON["expired"] != false {
		t.Fatalf("warned room: %s", first.Raw)
	}
	for range 2 {
		runRoomExpiry(t)
		if again := expect(t, call(t, "GET", "/v1/rooms/"+roomID, ana.Session, nil), 200); string(again.Raw) != string(first.Raw) {
			t.Fatalf("a repeated run changed the room:\n%s\n%s", first.Raw, again.Raw)
		}
	}
	if n := countKind(notificationKinds(t, ana.Session, roomID), "room_expiring"); n != 1 {
		t.Fatalf("the creator got %d warnings, want 1", n)
	}
	if n := countKind(notificationKinds(t, eva.Session, roomID), "room_expiring"); n != 0 {
		t.Fatalf("a participant got %d warnings, want 0", n)
	}
	if ms := expiryMails(t, ana.Email, title, since, 1); len(ms) != 1 || !strings.Contains(ms[0].Text, "extend the room once") {
		t.Fatalf("%d warning e-mails to the creator, want 1 offering the extension: %+v", len(ms), ms)
	}
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/posts", eva.Session, map[string]string{"body": "still open"}), 201)

	// Past the expiry: closed, once.
	setRoomExpiry(t, roomID, time.Now().Add(-time.Minute))
	setRoomExpiry(t, open, time.Now().Add(-time.Minute))
	runRoomExpiry(t)
	closed := expect(t, call(t, "GET", "/v1/rooms/"+roomID, eva.Session, nil), 200)
	if closed.JSON["closedAt"] == nil || closed.JSON["expired"] != true {
		t.Fatalf("closed room: %s", closed.Raw)
	}
	for range 2 {
		runRoomExpiry(t)
		if again := expect(t, call(t, "GET", "/v1/rooms/"+roomID, eva.Session, nil), 200); string(again.Raw) != string(closed.Raw) {
			t.Fatalf("a repeated run changed the closed room:\n%s\n%s", closed.Raw, again.Raw)
		}
	}
	expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/posts", eva.Session, map[string]string{"body": "too late"}), 409)
	if r := expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/extend", ana.Session, nil), 409); !strings.Contains(string(r.Raw), "closed") {
		t.Fatalf("extending a closed room: %s", r.Raw)
	}
	expect(t, call(t, "GET", "/v1/rooms/"+roomID+"/posts", eva.Session, nil), 200)
	if n := countKind(notificationKinds(t, ana.Session, roomID), "room_expiring"); n != 1 {
		t.Fatalf("after the closing the creator has %d warnings, want 1", n)
	}
	// The closed open room: off the stranger's list; its creator still lists and reads it.
	if ids := roomIDs(expect(t, call(t, "GET", "/v1/rooms?tag="+tag, stranger.Session, nil), 200)); slices.Contains(ids, open) {
		t.Fatalf("the stranger still sees the closed open room: %v", ids)
	}
	if ids := roomIDs(expect(t, call(t, "GET", "/v1/rooms?tag="+tag, css, nil), 200)); !slices.Contains(ids, open) {
		t.Fatalf("the CSS no longer lists its closed room: %v", ids)
	}
	if g := expect(t, call(t, "GET", "/v1/rooms/"+open, css, nil), 200); g.JSON["closedAt"] == nil {
		t.Fatalf("the closed open room: %s", g.Raw)
	}
}

// A room extended after its warning is warned again a week before its new expiry, once.
func TestRoomExpiryAfterExtension(t *testing.T) {
	ana := newTeacher(t, "Ana", "en")
	since := time.Now().Add(-time.Second)
	body := roomBody("Extended "+unique(""), roomTag("y"), false)
	title := body["title"].(string)
	roomID := expect(t, call(t, "POST", "/v1/rooms", ana.Session, body), 201).JSON["roomId"].(string)

	setRoomExpiry(t, roomID, time.Now().Add(6*24*time.Hour))
	runRoomExpiry(t)
	if n := countKind(notificationKinds(t, ana.Session, roomID), "room_expiring"); n != 1 {
		t.Fatalf("%d warnings, want 1", n)
	}
	ext := expect(t, call(t, "POST", "/v1/rooms/"+roomID+"/extend", ana.Session, nil), 200)
	newExpiry, _ := time.Parse(time.RFC3339, ext.JSON["expiresAt"].(string))
	if time.Until(newExpiry) < 60*24*time.Hour {
		t.Fatalf("extended to %v", newExpiry)
	}
	runRoomExpiry(t)
	if n := countKind(notificationKinds(t, ana.Session, roomID), "room_expiring"); n != 1 {
		t.Fatalf("warned again right after the extension (%d)", n)
	}
	// A week before the new expiry (the clock moved: the expiry brought near).
	setRoomExpiry(t, roomID, time.Now().Add(5*24*time.Hour))
	for range 3 {
		runRoomExpiry(t)
	}
	if n := countKind(notificationKinds(t, ana.Session, roomID), "room_expiring"); n != 2 {
		t.Fatalf("%d warnings after the extension's week, want 2", n)
	}
	ms := expiryMails(t, ana.Email, title, since, 2)
	offers, noMore := 0, 0
	for _, m := range ms {
		if strings.Contains(m.Text, "extend the room once") {
			offers++
		}
		if strings.Contains(m.Text, "cannot be extended again") {
			noMore++
		}
	}
	if len(ms) != 2 || offers != 1 || noMore != 1 {
		t.Fatalf("%d warning e-mails (%d offering the extension, %d saying it was used), want 2, 1 and 1", len(ms), offers, noMore)
	}
}

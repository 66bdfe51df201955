package e2e

import (
	"context"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/notify"
)

// TestBroadcastToEveryTeacher: a broadcast posted once (as the certification-window job
// posts the round's announcement) is in the notifications of every teacher whose account
// is older, merged newest first with their own, with a read mark of each teacher's own; a
// younger account, an NSO account and an unknown id see nothing of it. No e-mail.
func TestBroadcastToEveryTeacher(t *testing.T) {
	ctx := context.Background()
	ana := newTeacher(t, "Ana", "en")
	ion := newTeacher(t, "Ion", "ro")
	nso, _ := staffAccount(t, "nso", "RO")

	anaMails, ionMails := mailsTo(t, ana.Email, time.Time{}), mailsTo(t, ion.Email, time.Time{})

	store := ddb.New(testenv.DDB(), testenv.TableName())
	b, err := notify.NewBroadcast(unique("e2e-announce-"), notify.KindCertificationAnnounced,
		notify.Subject{Type: notify.SubjectCertificationWindow, ID: "2027"}, notify.AudienceTeachers, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// Withdrawn at the end: the table is shared with the other tests, whose members may
	// be older than it.
	t.Cleanup(func() {
		if _, err := store.DeleteBroadcast(ctx, b.ID); err != nil {
			t.Error(err)
		}
	})
	for i, want := range []bool{true, false, false} {
		if created, err := store.PostBroadcast(ctx, b); err != nil || created != want {
			t.Fatalf("post #%d: created %v, %v", i, created, err)
		}
	}
	eve := newTeacher(t, "Eve", "en") // joined after it

	// Ion invites Ana after it: Ana's list is the invitation, then the broadcast.
	expect(t, call(t, "POST", "/v1/contacts/requests", ion.Session, map[string]string{"memberId": ana.ID}), 201)
	anaList := items(expect(t, call(t, "GET", "/v1/notifications", ana.Session, nil), 200))
	if len(anaList) != 2 || anaList[0]["kind"] != "contact_request" || anaList[1]["id"] != b.ID ||
		anaList[1]["kind"] != "certification_announced" || anaList[1]["read"] != false {
		t.Fatalf("Ana's notifications: %v", anaList)
	}
	if s := anaList[1]["subject"].(map[string]any); s["type"] != "certification_window" || s["id"] != "2027" {
		t.Fatalf("the broadcast's subject: %v", s)
	}
	// One item a page: the same two, in order, then no more.
	page := expect(t, call(t, "GET", "/v1/notifications?limit=1", ana.Session, nil), 200)
	next, _ := page.JSON["nextCursor"].(string)
	if p := items(page); len(p) != 1 || p[0]["kind"] != "contact_request" || next == "" {
		t.Fatalf("first page: %s", page.Raw)
	}
	expect(t, call(t, "GET", "/v1/notifications?limit=1&cursor="+next, ion.Session, nil), 400)
	page = expect(t, call(t, "GET", "/v1/notifications?limit=1&cursor="+next, ana.Session, nil), 200)
	if p := items(page); len(p) != 1 || p[0]["id"] != b.ID {
		t.Fatalf("second page: %s", page.Raw)
	}
	if _, more := page.JSON["nextCursor"]; more {
		t.Fatalf("a third page: %s", page.Raw)
	}

	readOf := func(session string) any {
		t.Helper()
		for _, n := range items(expect(t, call(t, "GET", "/v1/notifications", session, nil), 200)) {
			if n["id"] == b.ID {
				return n["read"]
			}
		}
		return "absent"
	}
	if r := readOf(ion.Session); r != false {
		t.Fatalf("Ion's broadcast: read %v", r)
	}
	// Ana reads it (twice, same answer); Ion's stays unread until he does.
	for i := 0; i < 2; i++ {
		r := expect(t, call(t, "POST", "/v1/notifications/"+b.ID+"/read", ana.Session, nil), 200)
		if r.JSON["id"] != b.ID || r.JSON["read"] != true || r.JSON["kind"] != "certification_announced" {
			t.Fatalf("mark read #%d: %s", i, r.Raw)
		}
	}
	if a, i := readOf(ana.Session), readOf(ion.Session); a != true || i != false {
		t.Fatalf("after Ana read it: Ana %v, Ion %v", a, i)
	}
	expect(t, call(t, "POST", "/v1/notifications/"+b.ID+"/read", ion.Session, nil), 200)
	if i := readOf(ion.Session); i != true {
		t.Fatalf("after Ion read it: %v", i)
	}

	// Not theirs: a younger account, an NSO account; an unknown id.
	for who, session := range map[string]string{"a teacher who joined later": eve.Session, "an NSO": nso} {
		if r := readOf(session); r != "absent" {
			t.Errorf("%s sees it (read %v)", who, r)
		}
		expect(t, call(t, "POST", "/v1/notifications/"+b.ID+"/read", session, nil), 404)
	}
	expect(t, call(t, "POST", "/v1/notifications/no-such-broadcast/read", ana.Session, nil), 404)

	// No e-mail for it: Ana's one new message is Ion's invitation, Ion has none.
	if a, i := settle(t, ana.Email, time.Time{}, anaMails+1), mailsTo(t, ion.Email, time.Time{}); a != anaMails+1 || i != ionMails {
		t.Errorf("e-mails: Ana %d → %d, Ion %d → %d", anaMails, a, ionMails, i)
	}
}

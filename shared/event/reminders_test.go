package event

import (
	"strings"
	"testing"
	"time"

	"etwin/shared/mail"
	"etwin/shared/member"
	"etwin/shared/notify"
)

// TestReminderWindow: due is (now, now + 24 h]: not an event that started (or starts this
// instant), every event of the next day, and not one a moment beyond it.
func TestReminderWindow(t *testing.T) {
	now := time.Date(2027, 3, 31, 22, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		start time.Time
		due   bool
	}{
		{now.Add(-time.Hour), false},
		{now, false},
		{now.Add(time.Millisecond), true},
		{now.Add(20 * time.Hour), true}, // the next month: the window covers two partitions
		{now.Add(ReminderAhead), true},
		{now.Add(ReminderAhead + time.Millisecond), false},
		{now.Add(3 * 24 * time.Hour), false},
	} {
		if got := ReminderDue(c.start, now); got != c.due {
			t.Errorf("start %v at %v: due %v, want %v", c.start, now, got, c.due)
		}
	}
	paris := time.FixedZone("CEST", 2*3600)
	if after, through := ReminderWindow(now.In(paris)); !after.Equal(now) || after.Location() != time.UTC || !through.Equal(now.Add(24*time.Hour)) {
		t.Fatalf("window %v %v", after, through)
	}
}

// TestDone: an event is skipped when nobody ever registered, or nobody registered since
// the run that found every attendee reminded.
func TestDone(t *testing.T) {
	for _, c := range []struct {
		d    DueEvent
		done bool
	}{
		{DueEvent{Registrations: 0, RemindersDone: -1}, true},
		{DueEvent{Event: Event{Attending: 2}, Registrations: 0, RemindersDone: -1}, false}, // counted before registrations were
		{DueEvent{Event: Event{Attending: 2}, Registrations: 0, RemindersDone: 0}, true},
		{DueEvent{Event: Event{Attending: 1}, Registrations: 3, RemindersDone: -1}, false},
		{DueEvent{Event: Event{Attending: 1}, Registrations: 3, RemindersDone: 3}, true},
		{DueEvent{Event: Event{Attending: 2}, Registrations: 4, RemindersDone: 3}, false}, // someone registered since
		{DueEvent{Event: Event{Attending: 0}, Registrations: 4, RemindersDone: 3}, false},
	} {
		if got := c.d.Done(); got != c.done {
			t.Errorf("%+v: done %v, want %v", c.d, got, c.done)
		}
	}
}

// TestReminderNotice: the notification is about the event; its e-mail names the title, the
// start in UTC in the recipient's language, the URL and a workshop's place, and renders
// in every language.
func TestReminderNotice(t *testing.T) {
	now := time.Date(2027, 3, 3, 18, 30, 0, 0, time.UTC)
	e := Event{EventID: "evt-1", Kind: KindF2FWorkshop, Title: "Robotics in class", StartsAt: time.Date(2027, 3, 4, 15, 0, 0, 0, time.UTC),
		URL: "https://example.org/robotics", Place: "Iași, Str. Lăpușneanu 1"}
	m := member.Member{MemberID: "m-1", FirstName: "Ana", Email: "ana@example.org", Language: "fr", Country: "RO"}
	n := reminderNotice(&e, m, m.MemberID, now)
	if n.Kind != notify.KindEventReminder || n.Subject != (notify.Subject{Type: "event", ID: "evt-1"}) || n.RecipientID != "m-1" || n.Email == nil {
		t.Fatalf("notice %+v", n)
	}
	msg, err := mail.Render(n.Email.Envelope, mail.Links{Portal: "https://portal.example.org", Confirm: "https://api.example.org"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Robotics in class", "4 mars 2027 à 15:00 (UTC)", "https://example.org/robotics", "Iași, Str. Lăpușneanu 1"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("the e-mail lacks %q:\n%s", want, msg.Text)
		}
	}
	if !strings.Contains(msg.Subject, "Robotics in class") {
		t.Errorf("subject %q", msg.Subject)
	}

	// a webinar: no place; a URL too long for the e-mail's fields is left out
	e.Kind, e.URL = KindWebinar, "https://example.org/"+strings.Repeat("a", MaxMailURL)
	for _, lang := range []string{"ro", "en", "fr", "de", "it", "es", "pl"} {
		m.Language = lang
		n := reminderNotice(&e, m, m.MemberID, now)
		msg, err := mail.Render(n.Email.Envelope, mail.Links{Portal: "https://portal.example.org"})
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if !strings.Contains(msg.Text, "Robotics in class") || !strings.Contains(msg.Text, "2027") || strings.Contains(msg.Text, "Lăpușneanu") ||
			strings.Contains(msg.Text, "example.org/aaa") {
			t.Errorf("%s:\n%s", lang, msg.Text)
		}
	}

	// a recipient who turned e-mails off, or whose account is gone: the notification only
	off := false
	m.EmailNotifications = &off
	if n := reminderNotice(&e, m, m.MemberID, now); n.Email != nil || n.Mail != notify.MailOff {
		t.Fatalf("e-mails off: %+v", n)
	}
	if n := reminderNotice(&e, member.Member{}, "m-gone", now); n.Email != nil || n.RecipientID != "m-gone" {
		t.Fatalf("no account: %+v", n)
	}
}

package ddb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"etwin/shared/ddb"
	"etwin/shared/event"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/token"
)

// attendees adds n members and registers each for the event (at registered).
func attendees(t *testing.T, st *ddb.Store, eventID string, n int, registered time.Time) []string {
	t.Helper()
	ctx := context.Background()
	ids := make([]string, n)
	for i := range ids {
		u := fmt.Sprintf("att%d%s", i, token.ID("")[:6])
		m := member.Member{MemberID: token.ID("m-"), Username: u, FirstName: "A", LastName: "B", Email: u + "@example.org",
			Language: "en", Role: member.RoleTeacher, Country: "RO", Schools: []member.SchoolRef{}, CreatedAt: registered}
		if err := st.CreateAccount(ctx, m); err != nil {
			t.Fatal(err)
		}
		if err := st.Attend(ctx, event.Attendance{EventID: eventID, MemberID: m.MemberID, RegisteredAt: registered}, nil); err != nil {
			t.Fatal(err)
		}
		ids[i] = m.MemberID
	}
	return ids
}

// reminders counts the member's event_reminder notifications about eventID, and those
// with an e-mail.
func reminders(t *testing.T, st *ddb.Store, memberID, eventID string) (n, mailed int) {
	t.Helper()
	ns, _, err := st.ListNotifications(context.Background(), memberID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ns {
		if x.Kind == notify.KindEventReminder && x.Subject == (notify.Subject{Type: notify.SubjectEvent, ID: eventID}) {
			n++
			if x.Mail == notify.MailPending {
				mailed++
			}
		}
	}
	return n, mailed
}

// TestEventRemindersOnceUnderConcurrentRuns: three runs at once remind every attendee of
// an event starting within a day exactly once (two transactions' worth of attendees, one
// of whom cancelled); the event is then marked done, later runs read no attendee, a new
// registration is reminded by the next run, and an event two days away gets nothing.
func TestEventRemindersOnceUnderConcurrentRuns(t *testing.T) {
	st, ctx := newStore(t), context.Background()
	now := time.Date(2027, 4, 30, 14, 30, 0, 0, time.UTC)
	soon := newEvent("evt-soon", event.KindWebinar, "", now.Add(20*time.Hour), nil) // May: the next month's partition
	later := newEvent("evt-later", event.KindWebinar, "", now.Add(48*time.Hour), nil)
	past := newEvent("evt-past", event.KindWebinar, "", now.Add(-time.Minute), nil)
	for _, e := range []event.Event{soon, later, past} {
		if err := st.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	ids := attendees(t, st, soon.EventID, event.MaxRemindersPerTx+5, now.Add(-48*time.Hour))
	if err := st.Unattend(ctx, soon.EventID, ids[3]); err != nil {
		t.Fatal(err)
	}
	laterIDs := attendees(t, st, later.EventID, 1, now.Add(-48*time.Hour))
	pastIDs := attendees(t, st, past.EventID, 1, now.Add(-48*time.Hour))

	svc := &event.Service{Store: st, Now: func() time.Time { return now }}
	reps := make([]event.ReminderReport, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range reps {
		wg.Add(1)
		go func() { defer wg.Done(); reps[i], errs[i] = svc.SendReminders(ctx) }()
	}
	wg.Wait()
	reminded, failed := 0, 0
	for i := range reps {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		reminded += reps[i].Reminded
		failed += reps[i].Failed
	}
	want := len(ids) - 1
	if reminded != want || failed != 0 {
		t.Fatalf("the three runs reminded %d (want %d) and failed %d: %+v", reminded, want, failed, reps)
	}
	for i, id := range ids {
		n, mailed := reminders(t, st, id, soon.EventID)
		if i == 3 && n != 0 {
			t.Fatalf("the cancelled registration got %d reminders", n)
		}
		if i != 3 && (n != 1 || mailed != 1) {
			t.Fatalf("attendee %d: %d reminders (%d e-mailed), want 1", i, n, mailed)
		}
	}
	for _, id := range append(laterIDs, pastIDs...) {
		if n, _ := reminders(t, st, id, later.EventID); n != 0 {
			t.Fatalf("an event two days away reminded")
		}
		if n, _ := reminders(t, st, id, past.EventID); n != 0 {
			t.Fatalf("a started event reminded")
		}
	}

	// the event is done: the next run looks at no event; a new registration undoes that
	due, err := st.EventsStartingIn(ctx, now, now.Add(event.ReminderAhead))
	if err != nil || len(due) != 1 || !due[0].Done() || due[0].Registrations != len(ids) {
		t.Fatalf("due %+v %v", due, err)
	}
	if rep, err := svc.SendReminders(ctx); err != nil || rep != (event.ReminderReport{}) {
		t.Fatalf("a run after all were reminded: %+v %v", rep, err)
	}
	late := attendees(t, st, soon.EventID, 1, now.Add(time.Hour))[0]
	now = now.Add(time.Hour)
	if rep, err := svc.SendReminders(ctx); err != nil || rep != (event.ReminderReport{Events: 1, Reminded: 1}) {
		t.Fatalf("the run after a late registration: %+v %v", rep, err)
	}
	if n, _ := reminders(t, st, late, soon.EventID); n != 1 {
		t.Fatalf("the late registration got %d reminders", n)
	}
	// the mark only holds for the registrations it counted
	if done, err := st.MarkRemindersDone(ctx, soon.EventID, len(ids), now); err != nil || done {
		t.Fatalf("a stale mark: %v %v", done, err)
	}
}

// cancelling is the store with one attendee cancelling between the job's read of the
// attendees and its first reminder transaction.
type cancelling struct {
	*ddb.Store
	once   sync.Once
	cancel string
	t      *testing.T
}

func (c *cancelling) UnremindedAttendees(ctx context.Context, eventID string) ([]event.Attendance, error) {
	as, err := c.Store.UnremindedAttendees(ctx, eventID)
	c.once.Do(func() {
		if err := c.Store.Unattend(ctx, eventID, c.cancel); err != nil {
			c.t.Error(err)
		}
	})
	return as, err
}

// TestEventReminderChunkWithACancellation: an attendee who cancels after the job read the
// attendees fails their transaction's condition; the chunk is retried one by one, so
// every other attendee is still reminded, the one who cancelled is skipped, and the event
// is marked done.
func TestEventReminderChunkWithACancellation(t *testing.T) {
	st, ctx := newStore(t), context.Background()
	now := time.Date(2027, 6, 10, 9, 30, 0, 0, time.UTC)
	e := newEvent("evt-chunk", event.KindF2FWorkshop, "", now.Add(23*time.Hour), nil)
	e.Place = "Iași"
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	ids := attendees(t, st, e.EventID, 4, now.Add(-time.Hour))
	store := &cancelling{Store: st, cancel: ids[2], t: t}
	svc := &event.Service{Store: store, Now: func() time.Time { return now }}
	rep, err := svc.SendReminders(ctx)
	if err != nil || rep != (event.ReminderReport{Events: 1, Reminded: 3, Skipped: 1}) {
		t.Fatalf("report %+v %v", rep, err)
	}
	for i, id := range ids {
		if n, _ := reminders(t, st, id, e.EventID); n != map[bool]int{true: 0, false: 1}[i == 2] {
			t.Fatalf("attendee %d: %d reminders", i, n)
		}
	}
	// a reminder twice is refused as a whole
	r := event.Reminder{MemberID: ids[0], Notice: notify.New(notify.Recipient{MemberID: ids[0]}, notify.KindEventReminder,
		notify.Subject{Type: notify.SubjectEvent, ID: e.EventID}, nil, now)}
	if err := st.Remind(ctx, e.EventID, []event.Reminder{r}, now); !errors.Is(err, event.ErrReminded) {
		t.Fatalf("reminded twice: %v", err)
	}
	if rep, err := svc.SendReminders(ctx); err != nil || rep != (event.ReminderReport{}) {
		t.Fatalf("the next run: %+v %v", rep, err)
	}
}

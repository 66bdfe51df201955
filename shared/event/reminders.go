package event

import (
	"context"
	"errors"
	"log/slog"
	"time"
	"unicode/utf8"

	"etwin/shared/mail"
	"etwin/shared/member"
	"etwin/shared/notify"
)

// ReminderAhead is how long before its start an event's attendees are reminded: the
// event-reminders job (hourly) reminds the attendees of every event that starts within
// this time from its run, so the e-mail goes out about a day ahead. An event created, or a
// registration made, less than a day before the start is reminded on the next run before
// the start.
const ReminderAhead = 24 * time.Hour

// ReminderWindow is the range of starts due at now: (after, through] = (now, now + 24 h].
func ReminderWindow(now time.Time) (after, through time.Time) {
	now = now.UTC()
	return now, now.Add(ReminderAhead)
}

// ReminderDue reports whether an event starting at start is in the window at now: it has
// not started, and starts within ReminderAhead.
func ReminderDue(start, now time.Time) bool {
	after, through := ReminderWindow(now)
	return start.After(after) && !start.After(through)
}

// DueEvent is an event of the reminder window with the store's bookkeeping of its
// reminders.
type DueEvent struct {
	Event
	// Registrations counts every registration ever made for the event (each Attend adds
	// one; a cancellation takes none away), so that it changes with every new attendee.
	Registrations int
	// RemindersDone is Registrations as it was when every attendee was last found
	// reminded (-1: never).
	RemindersDone int
}

// Done reports whether every attendee is reminded already: nobody registered since the
// last run that found them all reminded, or nobody ever registered.
func (d *DueEvent) Done() bool {
	return d.RemindersDone == d.Registrations || (d.Registrations == 0 && d.Attending == 0)
}

// Reminder is one attendee's reminder: the notification (and its e-mail) that the store
// writes with the attendance's remindedAt.
type Reminder struct {
	MemberID string
	Notice   notify.Notification
}

// ErrReminded is the store's refusal of a reminder whose attendance is reminded already
// (another run was first) or gone (the registration was cancelled meanwhile).
var ErrReminded = errors.New("event: the attendee is reminded already or no longer registered")

// ReminderStore is what the reminders job needs of the store.
type ReminderStore interface {
	// EventsStartingIn returns the events whose start is in (after, through], in start
	// order (a Query of each month partition the range covers).
	EventsStartingIn(ctx context.Context, after, through time.Time) ([]DueEvent, error)
	// UnremindedAttendees returns the event's attendances without remindedAt (a consistent
	// Query of the event's partition, every page).
	UnremindedAttendees(ctx context.Context, eventID string) ([]Attendance, error)
	// GetMembers reads members by id (absent ids are left out).
	GetMembers(ctx context.Context, ids []string) (map[string]member.Member, error)
	// Remind writes, in one transaction, each reminder's remindedAt = at on its attendance
	// (which must exist without remindedAt: else ErrReminded, and nothing is written) and
	// its notification with its e-mail.
	Remind(ctx context.Context, eventID string, rs []Reminder, at time.Time) error
	// MarkRemindersDone records that every attendee of registrations registrations is
	// reminded: RemindersDone = registrations, if the event's Registrations still is
	// registrations (else nothing is written and done is false: someone registered).
	MarkRemindersDone(ctx context.Context, eventID string, registrations int, at time.Time) (done bool, err error)
}

// ReminderReport is what a reminders run did.
type ReminderReport struct {
	Events   int `json:"events"`   // events of the window whose attendees were looked at
	Reminded int `json:"reminded"` // attendees reminded by this run
	Skipped  int `json:"skipped"`  // reminded by another run meanwhile, or no longer registered
	Failed   int `json:"failed"`   // left for the next run (an error)
}

// MaxRemindersPerTx keeps one reminder transaction within DynamoDB's 100 items: each
// attendee is three (the attendance's remindedAt, the notification, its outbox e-mail).
const MaxRemindersPerTx = 30

// SendReminders reminds the attendees of every event that starts within a day (the hourly
// event-reminders job), each registration once: the attendance's remindedAt is written
// under the condition that it is absent, in the same transaction as the attendee's
// event_reminder notification and its e-mail. Attendees go several to a transaction; when
// one of a transaction's conditions fails (another run reminded them first, or they
// cancelled meanwhile) the transaction writes nothing and its attendees are tried again
// one by one, so that the others are not lost. An event whose attendees are all reminded
// is marked so (RemindersDone), and later runs skip its attendees' Query until someone
// registers again.
func (s *Service) SendReminders(ctx context.Context) (ReminderReport, error) {
	st := s.Store
	now := s.now()
	after, through := ReminderWindow(now)
	due, err := st.EventsStartingIn(ctx, after, through)
	if err != nil {
		return ReminderReport{}, err
	}
	var rep ReminderReport
	for i := range due {
		d := &due[i]
		if !ReminderDue(d.StartsAt, now) || d.Done() {
			continue
		}
		rep.Events++
		if err := s.remindEvent(ctx, st, d, now, &rep); err != nil {
			rep.Failed++
			slog.ErrorContext(ctx, "event reminders failed", "eventId", d.EventID, "error", err.Error())
		}
	}
	return rep, nil
}

// remindEvent reminds the event's unreminded attendees and marks it done when none is
// left for the next run.
func (s *Service) remindEvent(ctx context.Context, st Store, d *DueEvent, now time.Time, rep *ReminderReport) error {
	atts, err := st.UnremindedAttendees(ctx, d.EventID)
	if err != nil {
		return err
	}
	failed := 0
	for len(atts) > 0 {
		chunk := atts[:min(len(atts), MaxRemindersPerTx)]
		atts = atts[len(chunk):]
		ids := make([]string, len(chunk))
		for i, a := range chunk {
			ids[i] = a.MemberID
		}
		members, err := st.GetMembers(ctx, ids)
		if err != nil {
			failed += len(chunk)
			slog.ErrorContext(ctx, "event reminders: reading attendees failed", "eventId", d.EventID, "error", err.Error())
			continue
		}
		rs := make([]Reminder, len(chunk))
		for i, a := range chunk {
			rs[i] = Reminder{MemberID: a.MemberID, Notice: reminderNotice(&d.Event, members[a.MemberID], a.MemberID, now)}
		}
		err = st.Remind(ctx, d.EventID, rs, now)
		switch {
		case err == nil:
			rep.Reminded += len(rs)
			continue
		case !errors.Is(err, ErrReminded):
			failed += len(rs)
			slog.ErrorContext(ctx, "event reminders: a transaction failed", "eventId", d.EventID, "error", err.Error())
			continue
		case len(rs) == 1:
			rep.Skipped++
			continue
		}
		// one attendee's condition failed and nothing was written: each on their own
		for _, r := range rs {
			switch err := st.Remind(ctx, d.EventID, []Reminder{r}, now); {
			case err == nil:
				rep.Reminded++
			case errors.Is(err, ErrReminded):
				rep.Skipped++
			default:
				failed++
				slog.ErrorContext(ctx, "event reminder failed", "eventId", d.EventID, "error", err.Error())
			}
		}
	}
	rep.Failed += failed
	if failed > 0 {
		return nil
	}
	_, err = st.MarkRemindersDone(ctx, d.EventID, d.Registrations, now)
	return err
}

// MaxMailURL: a longer URL is left out of the e-mail (its fields are cut at 200
// characters, and a cut URL leads nowhere); the notification still names the event.
const MaxMailURL = 200

// reminderNotice is the attendee's event_reminder notification: subject the event, and an
// e-mail naming its title, its start (UTC, in the recipient's language), its URL and, for
// a face-to-face workshop, its place.
func reminderNotice(e *Event, m member.Member, memberID string, now time.Time) notify.Notification {
	to := notify.Recipient{MemberID: memberID}
	if m.MemberID != "" {
		to = notify.RecipientOf(m)
	}
	n := notify.New(to, notify.KindEventReminder, notify.Subject{Type: notify.SubjectEvent, ID: e.EventID}, nil, now)
	if n.Email != nil {
		data := n.Email.Envelope.Data
		data["EventTitle"] = e.Title
		data["StartsAt"] = mail.Date(e.StartsAt, to.Language, "")
		if e.URL != "" && utf8.RuneCountInString(e.URL) <= MaxMailURL {
			data["EventURL"] = e.URL
		}
		if e.Kind == KindF2FWorkshop && e.Place != "" {
			data["EventPlace"] = e.Place
		}
	}
	return n
}

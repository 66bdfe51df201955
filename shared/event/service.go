package event

import (
	"context"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/school"
	"etwin/shared/token"
)

// Store is what the event use cases need (shared/ddb implements it).
type Store interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	CreateEvent(ctx context.Context, e Event) error
	GetEvent(ctx context.Context, eventID string) (Event, bool, error)
	// ListEvents returns the events of f in start order after the position after, and the
	// position of the next page ("" when none). With first set, the events of that country
	// come first (in start order), then the others (in start order).
	ListEvents(ctx context.Context, f Filter, first, after string, limit int) ([]Event, string, error)
	// Attend records the attendance, takes a place (ErrFull when none is left, ErrAttending
	// when registered already, ErrNoEvent when the event is gone) and moves the member's
	// latest activity in the summary of each of schoolIDs to a.RegisteredAt, in one
	// transaction; the event's Registrations grows by one (see DueEvent).
	Attend(ctx context.Context, a Attendance, schoolIDs []string) error
	// Unattend deletes the attendance and frees its place in one transaction
	// (ErrNotAttending when there is none).
	Unattend(ctx context.Context, eventID, memberID string) error
	ReminderStore
}

// The store's refusals.
var (
	ErrFull         = apperr.Conflict("Every place of this event is taken.")
	ErrAttending    = apperr.Conflict("You are registered for this event already.")
	ErrNotAttending = apperr.NotFound("You are not registered for this event.")
	ErrNoEvent      = apperr.NotFound("There is no event with this id.")
	errEnded        = apperr.Conflict("This event has ended; registration is closed.")
)

// Service runs the event use cases.
type Service struct {
	Store   Store
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Clock is the service's time (the routes default the list ranges with it).
func (s *Service) Clock() time.Time { return s.now() }

// Create publishes an event: the CSS for everyone, an NSO for its country (the event
// records it); anyone else → 403.
func (s *Service) Create(ctx context.Context, who principal.Principal, in New) (Event, error) {
	var country string
	switch who.Role {
	case member.RoleCSS:
	case member.RoleNSO:
		if who.Country == "" {
			return Event{}, apperr.Forbidden("This NSO account has no country.")
		}
		country = who.Country
	default:
		return Event{}, apperr.Forbidden("Only the CSS and the NSOs publish events.")
	}
	start, end, err := in.Validate()
	if err != nil {
		return Event{}, err
	}
	now := s.now()
	e := in.Make(token.TimeID("evt-", now), start, end, country, who.MemberID, now)
	if err := s.Store.CreateEvent(ctx, e); err != nil {
		return Event{}, err
	}
	return e, nil
}

// List lists the events of f in start order; the caller's country's events of the range
// come first (a teacher's country is their account's, an NSO's its own; the CSS has none),
// then every other event of the range.
func (s *Service) List(ctx context.Context, who principal.Principal, f Filter, cur string, limit int) (cursor.Page[Event], error) {
	first := who.Country
	if who.Role != member.RoleNSO && who.Role != member.RoleCSS {
		m, ok, err := s.Store.GetMember(ctx, who.MemberID)
		if err != nil {
			return cursor.Page[Event]{}, err
		}
		if !ok {
			return cursor.Page[Event]{}, apperr.NoSession()
		}
		first = m.Country
	}
	if who.Role == member.RoleCSS {
		first = ""
	}
	list := "events|" + f.Kind + "|" + f.Language + "|" + f.From.Format(time.RFC3339Nano) + "|" + f.To.Format(time.RFC3339Nano) + "|" + first
	after, err := s.Cursors.Resume(cur, who.MemberID, list, s.now())
	if err != nil {
		return cursor.Page[Event]{}, err
	}
	items, next, err := s.Store.ListEvents(ctx, f, first, after, limit)
	if err != nil {
		return cursor.Page[Event]{}, err
	}
	return cursor.NewPage(s.Cursors, who.MemberID, list, items, next, s.now())
}

// Feed is the calendar feed's events: those of f (FeedFilter) in start order, at most
// FeedMax.
func (s *Service) Feed(ctx context.Context, f Filter) ([]Event, error) {
	items, _, err := s.Store.ListEvents(ctx, f, "", "", FeedMax)
	return items, err
}

// Get reads one event (404 when unknown).
func (s *Service) Get(ctx context.Context, eventID string) (Event, error) {
	if !school.ValidID(eventID) {
		return Event{}, ErrNoEvent
	}
	e, ok, err := s.Store.GetEvent(ctx, eventID)
	if err != nil {
		return Event{}, err
	}
	if !ok {
		return Event{}, ErrNoEvent
	}
	return e, nil
}

// Attend registers the caller for an event: once (again → 409), while places are left
// (full → 409) and before it ends (→ 409). The registration counts as eTwinning activity
// at its time for each of the caller's schools, in the same transaction.
func (s *Service) Attend(ctx context.Context, who principal.Principal, eventID string) (Attendance, error) {
	e, err := s.Get(ctx, eventID)
	if err != nil {
		return Attendance{}, err
	}
	now := s.now()
	if !now.Before(e.EndsAt) {
		return Attendance{}, errEnded
	}
	if e.Full() {
		return Attendance{}, ErrFull
	}
	m, ok, err := s.Store.GetMember(ctx, who.MemberID)
	if err != nil {
		return Attendance{}, err
	}
	if !ok {
		return Attendance{}, apperr.NoSession()
	}
	schools := make([]string, 0, len(m.Schools))
	for _, sc := range m.Schools {
		schools = append(schools, sc.SchoolID)
	}
	a := Attendance{EventID: e.EventID, MemberID: m.MemberID, RegisteredAt: now.UTC()}
	if err := s.Store.Attend(ctx, a, schools); err != nil {
		return Attendance{}, err
	}
	return a, nil
}

// Unattend cancels the caller's registration and frees its place (not registered → 404).
// The activity it counted stays counted: the summaries keep only each teacher's latest
// activity time.
func (s *Service) Unattend(ctx context.Context, who principal.Principal, eventID string) error {
	if !school.ValidID(eventID) {
		return ErrNoEvent
	}
	return s.Store.Unattend(ctx, eventID, who.MemberID)
}

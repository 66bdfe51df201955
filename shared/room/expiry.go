package room

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"etwin/shared/member"
	"etwin/shared/notify"
)

// WarnBefore is how long before a room expires its creator is warned (once per expiry
// date: an extension resets the warning).
const WarnBefore = 7 * 24 * time.Hour

// Step is what the room-expiry job does with a room.
type Step int

// Steps of the room-expiry job.
const (
	Nothing Step = iota
	Warn         // warn the creator that the room expires in a week
	Close        // close the room: past its expiry
)

func (s Step) String() string {
	switch s {
	case Warn:
		return "warn"
	case Close:
		return "close"
	}
	return "nothing"
}

// WarnAt is when the creator is warned of the room's expiry.
func (r Room) WarnAt() time.Time { return r.ExpiresAt.Add(-WarnBefore) }

// DueAt is when the room-expiry job next has something to do with the room: its warning
// until sent, then its expiry; ok is false for a closed room (nothing, ever again).
func (r Room) DueAt() (at time.Time, ok bool) {
	switch {
	case r.ClosedAt != nil:
		return time.Time{}, false
	case r.WarnedAt == nil:
		return r.WarnAt(), true
	}
	return r.ExpiresAt, true
}

// NextStep is what the room-expiry job does with the room at now: close it once past its
// expiry (whether warned or not), warn its creator once in the last week, else nothing.
func (r Room) NextStep(now time.Time) Step {
	switch {
	case r.ClosedAt != nil:
		return Nothing
	case !now.Before(r.ExpiresAt):
		return Close
	case r.WarnedAt == nil && !now.Before(r.WarnAt()):
		return Warn
	}
	return Nothing
}

// ExpiryReport is what a room-expiry run did.
type ExpiryReport struct {
	Due    int `json:"due"`    // rooms whose next step was due
	Warned int `json:"warned"` // creators warned (one notification and e-mail each)
	Closed int `json:"closed"` // rooms closed
	Failed int `json:"failed"` // rooms left for the next run
}

// Expire is the room-expiry job: it reads the rooms whose next step is due (the sparse
// index of expiry entries, so the cost grows with them, never with all rooms), warns each
// creator once a week before the expiry (a notification and its e-mail, written with the
// mark), and closes the rooms past it. Each write is conditional on the room as read, so
// a repeated or concurrent run, or an extension meanwhile, makes it a no-op.
func (s *Service) Expire(ctx context.Context) (ExpiryReport, error) {
	now := s.now()
	rooms, err := s.Store.DueRooms(ctx, now)
	if err != nil {
		return ExpiryReport{}, err
	}
	rep := ExpiryReport{Due: len(rooms)}
	var creators []string
	for _, r := range rooms {
		if r.NextStep(now) == Warn {
			creators = append(creators, r.Creator.MemberID)
		}
	}
	var members map[string]member.Member
	if len(creators) > 0 {
		if members, err = s.Store.GetMembers(ctx, creators); err != nil {
			return ExpiryReport{}, err
		}
	}
	for _, r := range rooms {
		var done *int
		step := r.NextStep(now)
		switch step {
		case Warn:
			m, found := members[r.Creator.MemberID]
			err, done = s.warn(ctx, r, m, found, now), &rep.Warned
		case Close:
			err, done = s.Store.CloseRoom(ctx, r, now), &rep.Closed
		default:
			continue
		}
		switch {
		case errors.Is(err, ErrNotDue):
		case err != nil:
			rep.Failed++
			slog.ErrorContext(ctx, "room expiry failed", "roomId", r.RoomID, "step", step.String(), "error", err.Error())
		default:
			*done++
		}
	}
	return rep, nil
}

// warn writes the room's warning mark and its creator m's notification (with its e-mail:
// the room's title and expiry, and whether it may still be extended). A creator whose
// account is gone (not found) gets nothing; the mark is written all the same.
func (s *Service) warn(ctx context.Context, r Room, m member.Member, found bool, now time.Time) error {
	var n *notify.Notification
	if found {
		x := notify.New(notify.RecipientOf(m), notify.KindRoomExpiring, notify.Subject{Type: notify.SubjectRoom, ID: r.RoomID}, nil, now)
		if x.Email != nil {
			e := &x.Email.Envelope
			e.Data["RoomTitle"] = r.Title
			if r.ExtendedAt == nil {
				e.Data["Extendable"] = "yes"
			}
			if e.Times == nil {
				e.Times = map[string]time.Time{}
			}
			e.Times["RoomExpires"] = r.ExpiresAt
		}
		n = &x
	}
	return s.Store.WarnRoom(ctx, r, now, n)
}

package notify

import (
	"context"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/school"
)

// Service lists notifications and marks them read.
type Service struct {
	Store   Store
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Page is a page of a list.
type Page[T any] = cursor.Page[T]

// List returns the member's notifications, newest first: their own merged with the
// broadcasts they see (list.go).
func (s *Service) List(ctx context.Context, memberID, cur string, limit int) (Page[Notification], error) {
	now := s.now()
	after, err := s.Cursors.Resume(cur, memberID, "notifications", now)
	if err != nil {
		return Page[Notification]{}, err
	}
	items, next, err := s.listMerged(ctx, memberID, after, limit, now)
	if err != nil {
		return Page[Notification]{}, err
	}
	return cursor.NewPage(s.Cursors, memberID, "notifications", items, next, now)
}

func notFound() error { return apperr.NotFound("You have no notification with this id.") }

// MarkRead marks one of the member's notifications, or a broadcast they see, read
// (again: no change, same answer); any other id is a 404.
func (s *Service) MarkRead(ctx context.Context, memberID, id string) (Notification, error) {
	if !school.ValidID(id) {
		return Notification{}, notFound()
	}
	n, found, err := s.Store.MarkNotificationRead(ctx, memberID, id)
	if err != nil || found {
		return n, err
	}
	if strings.HasPrefix(id, "n-") { // a member's own notification id, never a broadcast's
		return Notification{}, notFound()
	}
	b, found, err := s.Store.GetBroadcast(ctx, id)
	if err != nil {
		return Notification{}, err
	}
	if !found {
		return Notification{}, notFound()
	}
	now := s.now()
	m, found, err := s.Store.GetMember(ctx, memberID)
	if err != nil {
		return Notification{}, err
	}
	if !found || !b.VisibleTo(m, now) {
		return Notification{}, notFound()
	}
	if err := s.Store.MarkBroadcastRead(ctx, memberID, b, now); err != nil {
		return Notification{}, err
	}
	return b.Notification(true), nil
}

// RetryReport is what a mail-retry run did.

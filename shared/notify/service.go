package notify

import (
	"context"
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

// List returns the member's notifications, newest first.
func (s *Service) List(ctx context.Context, memberID, cur string, limit int) (Page[Notification], error) {
	after, err := s.Cursors.Resume(cur, memberID, "notifications", s.now())
	if err != nil {
		return Page[Notification]{}, err
	}
	items, next, err := s.Store.ListNotifications(ctx, memberID, after, limit)
	if err != nil {
		return Page[Notification]{}, err
	}
	return cursor.NewPage(s.Cursors, memberID, "notifications", items, next, s.now())
}

func notFound() error { return apperr.NotFound("You have no notification with this id.") }

// MarkRead marks one of the member's notifications read (again: no change, same answer).
func (s *Service) MarkRead(ctx context.Context, memberID, id string) (Notification, error) {
	if !school.ValidID(id) {
		return Notification{}, notFound()
	}
	n, found, err := s.Store.MarkNotificationRead(ctx, memberID, id)
	if err != nil {
		return Notification{}, err
	}
	if !found {
		return Notification{}, notFound()
	}
	return n, nil
}

// RetryReport is what a mail-retry run did.

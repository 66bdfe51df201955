package certification

import (
	"context"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/principal"
)

// Store keeps the rounds (shared/ddb implements it).
type Store interface {
	// PutWindow writes round year as decide makes it from the stored one (nil: none yet),
	// read → decide → write-if-unchanged: decide may run more than once, and its error
	// aborts with nothing written. It returns the round as written.
	PutWindow(ctx context.Context, year int, decide func(old *Window) (Window, error)) (Window, error)
	// EachWindow hands each stored round to each, the newest year first, until each
	// returns false.
	EachWindow(ctx context.Context, each func(Window) (more bool)) error
}

// Service sets and shows the rounds.
type Service struct {
	Store Store
	Now   func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// PutWindow creates or replaces the round of year (PUT /v1/certification/windows/{year},
// CSS only): 422 for a bad year or body, 409 when it would move the cut-offs of a round
// that has opened.
func (s *Service) PutWindow(ctx context.Context, who principal.Principal, year string, in Input) (Window, error) {
	if err := MayManage(who); err != nil {
		return Window{}, err
	}
	y, err := ParseYear(year)
	if err != nil {
		return Window{}, err
	}
	next, err := in.Window(y)
	if err != nil {
		return Window{}, err
	}
	w, err := s.Store.PutWindow(ctx, y, func(old *Window) (Window, error) { return Replace(old, next, who, s.now()) })
	if err != nil {
		return Window{}, err
	}
	w.Status = w.StatusAt(s.now())
	return w, nil
}

// Current is the round announced or open now (GET /v1/certification/windows/current,
// public): the newest year's when two are; 404 when none is.
func (s *Service) Current(ctx context.Context) (Window, error) {
	now := s.now()
	var cur *Window
	err := s.Store.EachWindow(ctx, func(w Window) bool {
		if IsCurrent(w, now) {
			cur = &w
			return false
		}
		return true
	})
	if err != nil {
		return Window{}, err
	}
	if cur == nil {
		return Window{}, apperr.NotFound("No certification round is announced.")
	}
	cur.Status = cur.StatusAt(now)
	return *cur, nil
}

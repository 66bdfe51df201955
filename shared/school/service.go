package school

import (
	"context"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
)

// Hit is a school in search results.
type Hit struct {
	SchoolID string `json:"schoolId"`
	Name     string `json:"name"`
	Country  string `json:"country"`
	City     string `json:"city"`
}

// Store is what the school use cases need.
type Store interface {
	GetSchool(ctx context.Context, schoolID string) (School, bool, error)
	// SearchSchools returns up to limit hits of q after the index position after ("" for
	// the start), and the position the next page starts from ("" when there is none; a
	// page may be short and still have a next one).
	SearchSchools(ctx context.Context, q Query, after string, limit int) (hits []Hit, next string, err error)
}

// Service runs the school look-ups.
type Service struct {
	Store   Store
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Page is a page of results.
type Page[T any] = cursor.Page[T]

// Search finds registered schools by words of their name (public: cursors are bound to
// the query rather than to a member).
func (s *Service) Search(ctx context.Context, q Query, cur string, limit int) (Page[Hit], error) {
	list := "schools|" + q.Country + "|" + strings.Join(q.Words, " ")
	after, err := s.Cursors.Resume(cur, "schools", list, s.now())
	if err != nil {
		return Page[Hit]{}, err
	}
	hits, next, err := s.Store.SearchSchools(ctx, q, after, limit)
	if err != nil {
		return Page[Hit]{}, err
	}
	return cursor.NewPage(s.Cursors, "schools", list, hits, next, s.now())
}

// Get returns a registered school (404 for an unknown or malformed id).
func (s *Service) Get(ctx context.Context, id string) (School, error) {
	if !ValidID(id) {
		return School{}, apperr.NotFound("No registered school has this id.")
	}
	sc, ok, err := s.Store.GetSchool(ctx, id)
	if err != nil {
		return School{}, err
	}
	if !ok {
		return School{}, apperr.NotFound("No registered school has this id.")
	}
	return sc, nil
}

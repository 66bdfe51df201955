// Package stats is "eTwinning in numbers": registered teachers, registered schools and
// active projects, Europe-wide and per country, kept current by the writes themselves
// (counters changed atomically in the same transaction as the registration, the new school
// or the project decision), never recomputed by scanning.
package stats

import (
	"context"

	"etwin/shared/apperr"
	"etwin/shared/vocab"
)

// Counts are the public numbers of one scope.
type Counts struct {
	Teachers       int64 `json:"teachers"`
	Schools        int64 `json:"schools"`
	ActiveProjects int64 `json:"activeProjects"`
}

// Delta is a change of the counters: the writes that change them add it to the scope
// "ALL" and to each country concerned (each country once).
type Delta struct {
	Teachers       int64
	Schools        int64
	ActiveProjects int64
}

// IsZero reports whether d changes nothing.
func (d Delta) IsZero() bool { return d == Delta{} }

// All is the Europe-wide scope.
const All = "ALL"

// Store reads the counters of a scope (All or a country code).
type Store interface {
	GetStats(ctx context.Context, scope string) (Counts, error)
}

// Service serves the numbers.
type Service struct{ Store Store }

// Get returns the numbers of country, or Europe-wide ones when country is "".
func (s *Service) Get(ctx context.Context, country string) (Counts, error) {
	scope := All
	if country != "" {
		if !vocab.IsCountry(country) {
			return Counts{}, apperr.BadRequest("Unknown country.", apperr.FieldError{Field: "country", Message: "must be an ISO 3166-1 alpha-2 code of the countries vocabulary"})
		}
		scope = country
	}
	return s.Store.GetStats(ctx, scope)
}

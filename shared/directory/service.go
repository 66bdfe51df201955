package directory

import (
	"context"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/school"
)

// EvalBudget bounds the index entries one page may read: a page that has not filled up
// after this many entries ends early, with a cursor to go on from there.
const EvalBudget = 500

// Store is what the directory needs.
type Store interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	// SearchMembers reads the plan's driver partition after the position after ("" from
	// the start), reading at most budget entries, until it has limit hits; next is the
	// position the next page starts from ("" when the partition was read to its end; a
	// page cut short by the budget has one).
	SearchMembers(ctx context.Context, p Plan, after string, limit, budget int) (hits []Hit, next string, err error)
}

// Service runs the member search and the public profiles.
type Service struct {
	Store   Store
	Cursors cursor.Signer
	Now     func() time.Time
	// Budget overrides EvalBudget (tests).
	Budget int
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

func cursorSubject(memberID string) string { return "members:" + memberID }

// Search returns a page of the teachers q finds, in the driver's order.
func (s *Service) Search(ctx context.Context, who principal.Principal, q Query, cur string, limit int) (cursor.Page[Hit], error) {
	subject, list := cursorSubject(who.MemberID), "members|"+q.Key()
	after, err := s.Cursors.Resume(cur, subject, list, s.now())
	if err != nil {
		return cursor.Page[Hit]{}, err
	}
	budget := EvalBudget
	if s.Budget > 0 {
		budget = s.Budget
	}
	items, next, err := s.Store.SearchMembers(ctx, q.Plan(), after, limit, budget)
	if err != nil {
		return cursor.Page[Hit]{}, err
	}
	return cursor.NewPage(s.Cursors, subject, list, items, next, s.now())
}

// Profile returns a teacher's public profile; staff and unknown ids are not found.
func (s *Service) Profile(ctx context.Context, memberID string) (Profile, error) {
	notFound := apperr.NotFound("No teacher has this id.")
	if !school.ValidID(memberID) {
		return Profile{}, notFound
	}
	m, found, err := s.Store.GetMember(ctx, memberID)
	if err != nil {
		return Profile{}, err
	}
	p, ok := ProfileOf(m)
	if !found || !ok {
		return Profile{}, notFound
	}
	return p, nil
}

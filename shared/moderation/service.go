package moderation

import (
	"context"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/vocab"
)

// Store is what the list of removals needs (shared/ddb implements it; the records are
// written by the removals' own transactions).
type Store interface {
	// ListRemovals returns the records of country (every country's when ""), newest
	// first, after the position after, and the position of the next page ("" when none).
	ListRemovals(ctx context.Context, country, after string, limit int) ([]Record, string, error)
}

// Service runs the list of removals.
type Service struct {
	Store   Store
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// List lists the removals newest first: an NSO its own country's (?country= may only
// name it), the CSS every country's or, with country, one country's (NONE: content of
// authors without a school); teachers get 403.
func (s *Service) List(ctx context.Context, who principal.Principal, country, cur string, limit int) (cursor.Page[Record], error) {
	switch who.Role {
	case member.RoleCSS:
		if country != "" && country != NoCountry && !vocab.IsCountry(country) {
			return cursor.Page[Record]{}, apperr.BadRequest("The country is invalid.",
				apperr.FieldError{Field: "country", Message: "must be an eTwinning country code (or NONE)"})
		}
	case member.RoleNSO:
		if country != "" && country != who.Country {
			return cursor.Page[Record]{}, apperr.Forbidden("An NSO reads the removals of its own country only.")
		}
		country = who.Country
	default:
		return cursor.Page[Record]{}, apperr.Forbidden("Only NSOs and the Central Support Service read the moderation records.")
	}
	list := "modlog|" + country
	now := s.now()
	after, err := s.Cursors.Resume(cur, who.MemberID, list, now)
	if err != nil {
		return cursor.Page[Record]{}, err
	}
	recs, next, err := s.Store.ListRemovals(ctx, country, after, limit)
	if err != nil {
		return cursor.Page[Record]{}, err
	}
	return cursor.NewPage(s.Cursors, who.MemberID, list, recs, next, now)
}

// Moderator is the decision that who may remove content of author (nil: their account is
// gone) as someone other than its author, and as what: the role recorded (ByNSO, ByCSS),
// or ok false. roomCreator says who created the room the content is in (room posts),
// whose removals are recorded as ByRoomCreator when no staff rule allows them.
func Moderator(who principal.Principal, author *member.Member, roomCreator bool) (role string, countries []string, ok bool) {
	if author != nil {
		countries = CountriesOf(*author)
	}
	switch {
	case CanModerate(who, countries):
		return who.Role, countries, true
	case roomCreator:
		return ByRoomCreator, countries, true
	}
	return "", countries, false
}

// Members reads an author's member record (the forum's and the rooms' stores).
type Members interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
}

// Acting is who removes content of another author, as decided by Authorize from the
// author's member record read at removal time.
type Acting struct {
	who       principal.Principal
	authorID  string
	author    *member.Member // nil: the author's account is gone
	role      string
	countries []string
}

// Authorize decides whether who may remove content of authorID as someone other than
// its author (Moderator), reading the author's member record only when who could be
// allowed (staff, or roomCreator: who created the room the content is in); otherwise a
// 403 with refusal.
func Authorize(ctx context.Context, ms Members, who principal.Principal, authorID string, roomCreator bool, refusal string) (Acting, error) {
	if !roomCreator && !IsStaff(who) {
		return Acting{}, apperr.Forbidden(refusal)
	}
	m, found, err := ms.GetMember(ctx, authorID)
	if err != nil {
		return Acting{}, err
	}
	var author *member.Member
	if found {
		author = &m
	}
	role, countries, ok := Moderator(who, author, roomCreator)
	if !ok {
		return Acting{}, apperr.Forbidden(refusal)
	}
	return Acting{who: who, authorID: authorID, author: author, role: role, countries: countries}, nil
}

// AuthorID is the author whose content the decision is about.
func (a Acting) AuthorID() string { return a.authorID }

// Removal is the removal of c (its author and countries filled in) with the reason, at now.
func (a Acting) Removal(c Content, reason string, now time.Time) *Removal {
	c.AuthorID, c.Countries = a.authorID, a.countries
	rm := New(c, a.who, a.role, reason, a.author, now)
	return &rm
}

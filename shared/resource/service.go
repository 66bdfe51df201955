package resource

import (
	"context"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/fold"
	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/school"
	"etwin/shared/token"
)

// Store is what the resource use cases need (shared/ddb implements it).
type Store interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	// CreateResource writes the resource, its list entries and its index entries in one
	// transaction.
	CreateResource(ctx context.Context, r Resource) error
	GetResource(ctx context.Context, resourceID string) (Resource, bool, error)
	// ListResources returns resources newest first after the position after, and the
	// position of the next page ("" when none).
	ListResources(ctx context.Context, f Filter, after string, limit int) ([]Resource, string, error)
	// SearchResources returns resources matching q and f; a page may be short and still
	// have a next one.
	SearchResources(ctx context.Context, f Filter, q fold.Search, after string, limit int) ([]Resource, string, error)
}

// Service runs the resource use cases.
type Service struct {
	Store   Store
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// Create adds a resource for the caller.
func (s *Service) Create(ctx context.Context, who principal.Principal, in New) (Resource, error) {
	if err := in.Validate(); err != nil {
		return Resource{}, err
	}
	m, ok, err := s.Store.GetMember(ctx, who.MemberID)
	if err != nil {
		return Resource{}, err
	}
	if !ok {
		return Resource{}, apperr.NoSession()
	}
	now := s.now()
	r := in.Make(token.TimeID("res-", now), Author{MemberID: m.MemberID, FirstName: m.FirstName, LastName: m.LastName}, now)
	if err := s.Store.CreateResource(ctx, r); err != nil {
		return Resource{}, err
	}
	return r, nil
}

// List lists resources newest first, or those matching q, within the filter.
func (s *Service) List(ctx context.Context, who principal.Principal, f Filter, q, cur string, limit int) (cursor.Page[Resource], error) {
	var search fold.Search
	if q != "" {
		var problem string
		if search, problem = fold.ParseSearch(q); problem != "" {
			return cursor.Page[Resource]{}, apperr.BadRequest("The search is invalid.", apperr.FieldError{Field: "q", Message: problem})
		}
	}
	list := "resources|" + f.Theme + "|" + f.Language + "|" + strings.Join(search.Words, " ")
	after, err := s.Cursors.Resume(cur, who.MemberID, list, s.now())
	if err != nil {
		return cursor.Page[Resource]{}, err
	}
	var items []Resource
	var next string
	if q != "" {
		items, next, err = s.Store.SearchResources(ctx, f, search, after, limit)
	} else {
		items, next, err = s.Store.ListResources(ctx, f, after, limit)
	}
	if err != nil {
		return cursor.Page[Resource]{}, err
	}
	return cursor.NewPage(s.Cursors, who.MemberID, list, items, next, s.now())
}

// Get reads one resource.
func (s *Service) Get(ctx context.Context, resourceID string) (Resource, error) {
	missing := apperr.NotFound("There is no resource with this id.")
	if !school.ValidID(resourceID) {
		return Resource{}, missing
	}
	r, ok, err := s.Store.GetResource(ctx, resourceID)
	if err != nil {
		return Resource{}, err
	}
	if !ok {
		return Resource{}, missing
	}
	return r, nil
}

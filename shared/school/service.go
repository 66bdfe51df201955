package school

import (
	"context"
	"net/http"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/cursor"
	"etwin/shared/httpapi"
)

// Hit is a school in search results.
type Hit struct {
	SchoolID string `json:"schoolId" dynamodbav:"schoolId"`
	Name     string `json:"name" dynamodbav:"name"`
	Country  string `json:"country" dynamodbav:"country"`
	City     string `json:"city" dynamodbav:"city"`
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

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Page is a page of results.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

type searchPos struct {
	Q     []string `json:"q"`
	C     string   `json:"c"`
	After string   `json:"a"`
}

// Search finds registered schools by words of their name (public: cursors are bound to
// the query rather than to a member).
func (s *Service) Search(ctx context.Context, q Query, cur string, limit int) (Page[Hit], error) {
	after := ""
	if cur != "" {
		var p searchPos
		if err := s.Cursors.Decode(cur, "schools", &p, s.now()); err != nil {
			return Page[Hit]{}, err
		}
		if !sameWords(p.Q, q.Words) || p.C != q.Country {
			return Page[Hit]{}, apperr.BadRequest("The cursor belongs to another search.", apperr.FieldError{Field: "cursor", Message: "belongs to another search"})
		}
		after = p.After
	}
	hits, next, err := s.Store.SearchSchools(ctx, q, after, limit)
	if err != nil {
		return Page[Hit]{}, err
	}
	page := Page[Hit]{Items: hits}
	if next != "" {
		c, err := s.Cursors.Encode("schools", searchPos{Q: q.Words, C: q.Country, After: next}, s.now())
		if err != nil {
			return Page[Hit]{}, err
		}
		page.NextCursor = c
	}
	if page.Items == nil {
		page.Items = []Hit{}
	}
	return page, nil
}

func sameWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// HandleSearch serves GET /v1/schools?q=&country=.
func (s *Service) HandleSearch(ctx context.Context, req *httpapi.Request) (httpapi.Response, error) {
	limit, err := httpapi.Limit(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	q, err := ParseQuery(httpapi.Query(req, "q"), httpapi.Query(req, "country"))
	if err != nil {
		return httpapi.Response{}, err
	}
	page, err := s.Search(ctx, q, httpapi.Query(req, "cursor"), limit)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, page)
}

// HandleGet serves GET /v1/schools/{schoolId} (members only).
func (s *Service) HandleGet(ctx context.Context, req *httpapi.Request, _ httpapi.Principal) (httpapi.Response, error) {
	id := httpapi.PathParam(req, "schoolId")
	if !ValidID(id) {
		return httpapi.Response{}, apperr.NotFound("No registered school has this id.")
	}
	sc, ok, err := s.Store.GetSchool(ctx, id)
	if err != nil {
		return httpapi.Response{}, err
	}
	if !ok {
		return httpapi.Response{}, apperr.NotFound("No registered school has this id.")
	}
	return httpapi.JSON(http.StatusOK, sc)
}

package cursor

import (
	"time"

	"etwin/shared/apperr"
)

// Page is one page of a list answer: {"items": [...], "nextCursor": "..."}, the cursor
// absent on the last page. Every list of the API answers with it.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"nextCursor,omitempty"`
}

// position is what a list cursor carries: which list (and query) it belongs to, and the
// store's position after the last item served.
type position struct {
	List  string `json:"l"`
	After string `json:"a"`
}

// Resume opens the cursor c of a list and returns the position after which the list
// continues ("" when c is empty: the first page). list names the list with its query
// (e.g. "forum|12-15|water"); subject is who the cursor was issued to. A tampered,
// expired or foreign cursor, or one of another list, is a 400 naming "cursor".
func (s Signer) Resume(c, subject, list string, now time.Time) (string, error) {
	if c == "" {
		return "", nil
	}
	var p position
	if err := s.Decode(c, subject, &p, now); err != nil {
		return "", err
	}
	if p.List != list || p.After == "" {
		return "", apperr.BadRequest("The cursor belongs to another list or search.",
			apperr.FieldError{Field: "cursor", Message: "belongs to another list or search"})
	}
	return p.After, nil
}

// NewPage is the answer for items, with a cursor to continue after next (none when next is
// ""). Items are never null in the answer. items and next are what a store's list method
// returned: every one reads a page, (…, after string, limit int) ([]T, next string, error),
// up to limit items after the position after ("" for the first page), next being the
// position to go on from ("" on the last page; a page may be short and still have one).
func NewPage[T any](s Signer, subject, list string, items []T, next string, now time.Time) (Page[T], error) {
	page := Page[T]{Items: items}
	if page.Items == nil {
		page.Items = []T{}
	}
	if next != "" {
		c, err := s.Encode(subject, position{List: list, After: next}, now)
		if err != nil {
			return Page[T]{}, err
		}
		page.NextCursor = c
	}
	return page, nil
}

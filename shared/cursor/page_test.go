package cursor

import (
	"testing"
	"time"

	"etwin/shared/apperr"
)

func TestPagesResumeOnlyTheirList(t *testing.T) {
	s := New("a key of at least thirty-two characters!")
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	items, next := []int{1, 2}, "p2" // a page as a store returns it
	page, err := NewPage(s, "m-1", "forum|12-15|", items, next, now)
	if err != nil || page.NextCursor == "" || len(page.Items) != 2 {
		t.Fatalf("page: %+v %v", page, err)
	}
	if after, err := s.Resume(page.NextCursor, "m-1", "forum|12-15|", now); err != nil || after != "p2" {
		t.Fatalf("resume: %q %v", after, err)
	}
	for name, try := range map[string]func() (string, error){
		"another list":   func() (string, error) { return s.Resume(page.NextCursor, "m-1", "forum|7-11|", now) },
		"another member": func() (string, error) { return s.Resume(page.NextCursor, "m-2", "forum|12-15|", now) },
		"expired":        func() (string, error) { return s.Resume(page.NextCursor, "m-1", "forum|12-15|", now.Add(25*time.Hour)) },
		"tampered":       func() (string, error) { return s.Resume(page.NextCursor+"A", "m-1", "forum|12-15|", now) },
	} {
		if _, err := try(); apperr.StatusOf(err) != 400 {
			t.Errorf("%s: %v", name, err)
		}
	}
	if after, err := s.Resume("", "m-1", "x", now); err != nil || after != "" {
		t.Fatalf("first page: %q %v", after, err)
	}
	last, err := NewPage[int](s, "m-1", "x", nil, "", now)
	if err != nil || last.Items == nil || last.NextCursor != "" {
		t.Fatalf("empty last page: %+v %v", last, err)
	}
}

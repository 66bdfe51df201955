// Package certification is the eTwinning School label (DOMAIN.md §9). This file holds its
// rounds ("windows"): the CSS sets each year's round with its dates, the Mission elements it
// asks about and its stage-1 cut-offs, which change from round to round and so are stored
// with it. Once a round has opened, its cut-offs no longer move: schools are judged at them.
package certification

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/principal"
)

// DefaultElements are today's five elements of the eTwinning School Mission, a round's
// elements when its body names none.
var DefaultElements = []string{"shared_leadership", "collaboration_and_teamwork", "pupil_agency",
	"inclusion_and_innovation", "role_model"}

// DefaultMinActiveTeachers is today's minimum of active teachers (older rounds asked for 2).
const DefaultMinActiveTeachers = 3

// DefaultYearsBack is how far before opensAt the default cut-offs lie, in calendar years.
const DefaultYearsBack = 2

// Limits of a round's body.
const (
	MinYear           = 2000
	MaxYear           = 2100
	MaxElements       = 12
	MaxActiveTeachers = 100
)

// The states of a round at a moment (Window.StatusAt).
const (
	StatusScheduled = "scheduled" // not announced yet
	StatusAnnounced = "announced" // announced, not open yet
	StatusOpen      = "open"
	StatusClosed    = "closed"
)

// Cutoffs are a round's stage-1 rules, judged boundaries included: registered on or before
// RegisteredBefore; at least MinActiveTeachers teachers active on or after ActiveSince; a
// project with a national label for the school awarded within [LabelledFrom, LabelledTo],
// which must be a European project when EuropeanProject.
type Cutoffs struct {
	RegisteredBefore  time.Time `json:"registeredBefore"`
	ActiveSince       time.Time `json:"activeSince"`
	LabelledFrom      time.Time `json:"labelledFrom"`
	LabelledTo        time.Time `json:"labelledTo"`
	MinActiveTeachers int       `json:"minActiveTeachers"`
	EuropeanProject   bool      `json:"europeanProject"`
}

// Window is one yearly round.
type Window struct {
	Year       int       `json:"year"`
	AnnounceAt time.Time `json:"announceAt"`
	OpensAt    time.Time `json:"opensAt"`
	ClosesAt   time.Time `json:"closesAt"`
	Elements   []string  `json:"elements"`
	Cutoffs    Cutoffs   `json:"cutoffs"`
	// Status is the round's state when it was read (StatusAt), set by the service.
	Status    string    `json:"status"`
	UpdatedAt time.Time `json:"updatedAt"`
	UpdatedBy string    `json:"-"`
	// Version counts the writes of the round (optimistic concurrency; not shown).
	Version int `json:"-"`
}

// StatusAt is the round's state at now: announced from AnnounceAt, open from OpensAt,
// closed from ClosesAt (each instant included in the later state).
func (w Window) StatusAt(now time.Time) string {
	switch {
	case now.Before(w.AnnounceAt):
		return StatusScheduled
	case now.Before(w.OpensAt):
		return StatusAnnounced
	case now.Before(w.ClosesAt):
		return StatusOpen
	default:
		return StatusClosed
	}
}

// Opened reports whether the round has opened by now (it may have closed since).
func (w Window) Opened(now time.Time) bool { return !now.Before(w.OpensAt) }

// CutoffsInput are the optional stage-1 cut-offs of a round's body; each absent one takes
// its default (Input.Window).
type CutoffsInput struct {
	RegisteredBefore  string `json:"registeredBefore,omitempty"`
	ActiveSince       string `json:"activeSince,omitempty"`
	LabelledFrom      string `json:"labelledFrom,omitempty"`
	LabelledTo        string `json:"labelledTo,omitempty"`
	MinActiveTeachers *int   `json:"minActiveTeachers,omitempty"`
	EuropeanProject   *bool  `json:"europeanProject,omitempty"`
}

// Input is the body of PUT /v1/certification/windows/{year}. Dates are RFC 3339.
type Input struct {
	AnnounceAt string        `json:"announceAt"`
	OpensAt    string        `json:"opensAt"`
	ClosesAt   string        `json:"closesAt"`
	Elements   []string      `json:"elements,omitempty"`
	Cutoffs    *CutoffsInput `json:"cutoffs,omitempty"`
}

var elementKey = regexp.MustCompile(`^[a-z][a-z0-9_]{0,49}$`)

// Validate checks the body (422 naming every bad field): the three dates are required;
// announceAt ≤ opensAt < closesAt; every cut-off date lies on or before opensAt and
// labelledFrom ≤ labelledTo (defaults included); the minimum of active teachers is 1 to
// MaxActiveTeachers; elements, when given, are 1 to MaxElements distinct keys.
func (in *Input) Validate() error {
	_, err := in.window(0)
	return err
}

// Window is the round year that in describes, its absent parts defaulted: elements
// DefaultElements; registeredBefore, activeSince and labelledFrom DefaultYearsBack calendar
// years before opensAt, labelledTo opensAt; DefaultMinActiveTeachers; a European project.
func (in *Input) Window(year int) (Window, error) { return in.window(year) }

func (in *Input) window(year int) (Window, error) {
	var f apperr.Fields
	w := Window{Year: year}
	var ok [3]bool
	w.AnnounceAt, ok[0] = date(&f, "announceAt", in.AnnounceAt, true)
	w.OpensAt, ok[1] = date(&f, "opensAt", in.OpensAt, true)
	w.ClosesAt, ok[2] = date(&f, "closesAt", in.ClosesAt, true)
	if ok[0] && ok[1] && w.OpensAt.Before(w.AnnounceAt) {
		f.Add("opensAt", "must not be before announceAt")
	}
	if ok[1] && ok[2] && !w.ClosesAt.After(w.OpensAt) {
		f.Add("closesAt", "must be after opensAt")
	}
	if in.Elements == nil {
		w.Elements = slices.Clone(DefaultElements)
	} else {
		w.Elements = slices.Clone(in.Elements)
		checkElements(&f, in.Elements)
	}
	c := CutoffsInput{}
	if in.Cutoffs != nil {
		c = *in.Cutoffs
	}
	back := w.OpensAt.AddDate(-DefaultYearsBack, 0, 0)
	dates := []struct {
		name string
		raw  string
		dflt time.Time
		dst  *time.Time
		ok   bool
	}{
		{name: "registeredBefore", raw: c.RegisteredBefore, dflt: back, dst: &w.Cutoffs.RegisteredBefore},
		{name: "activeSince", raw: c.ActiveSince, dflt: back, dst: &w.Cutoffs.ActiveSince},
		{name: "labelledFrom", raw: c.LabelledFrom, dflt: back, dst: &w.Cutoffs.LabelledFrom},
		{name: "labelledTo", raw: c.LabelledTo, dflt: w.OpensAt, dst: &w.Cutoffs.LabelledTo},
	}
	for i := range dates {
		d := &dates[i]
		if d.raw == "" {
			*d.dst, d.ok = d.dflt, ok[1]
			continue
		}
		*d.dst, d.ok = date(&f, "cutoffs."+d.name, d.raw, false)
		if d.ok && ok[1] && d.dst.After(w.OpensAt) {
			f.Add("cutoffs."+d.name, "must not be after opensAt")
		}
	}
	if dates[2].ok && dates[3].ok && w.Cutoffs.LabelledTo.Before(w.Cutoffs.LabelledFrom) {
		f.Add("cutoffs.labelledTo", "must not be before labelledFrom")
	}
	w.Cutoffs.MinActiveTeachers = DefaultMinActiveTeachers
	if c.MinActiveTeachers != nil {
		w.Cutoffs.MinActiveTeachers = *c.MinActiveTeachers
		if n := *c.MinActiveTeachers; n < 1 || n > MaxActiveTeachers {
			f.Add("cutoffs.minActiveTeachers", "must be 1 to %d", MaxActiveTeachers)
		}
	}
	w.Cutoffs.EuropeanProject = true
	if c.EuropeanProject != nil {
		w.Cutoffs.EuropeanProject = *c.EuropeanProject
	}
	if err := f.Err(); err != nil {
		return Window{}, err
	}
	return w, nil
}

// date parses an RFC 3339 time (in UTC); a bad or (when required) missing one is named.
func date(f *apperr.Fields, name, raw string, required bool) (time.Time, bool) {
	if raw == "" {
		if required {
			f.Add(name, "required")
		}
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, raw)
	if err != nil {
		f.Add(name, "must be an RFC 3339 date and time")
		return time.Time{}, false
	}
	if t.Year() < MinYear || t.Year() > MaxYear {
		f.Add(name, "must lie in the years %d to %d", MinYear, MaxYear)
		return time.Time{}, false
	}
	return t.UTC(), true
}

func checkElements(f *apperr.Fields, els []string) {
	if len(els) == 0 || len(els) > MaxElements {
		f.Add("elements", "must list 1 to %d elements", MaxElements)
	}
	for i, e := range els {
		name := fmt.Sprintf("elements[%d]", i)
		switch {
		case !elementKey.MatchString(e):
			f.Add(name, "must be a key of lower-case letters, digits and _ (at most 50)")
		case slices.Index(els, e) < i:
			f.Add(name, "is listed twice")
		}
	}
}

// ParseYear is the round's year of the path ({year}); a bad one is a 422 naming "year".
func ParseYear(raw string) (int, error) {
	y, err := strconv.Atoi(raw)
	if err != nil || len(raw) != 4 || y < MinYear || y > MaxYear {
		return 0, apperr.Invalid(apperr.FieldError{Field: "year", Message: fmt.Sprintf("must be a year from %d to %d", MinYear, MaxYear)})
	}
	return y, nil
}

// MayManage: only CSS accounts set rounds (403 otherwise).
func MayManage(who principal.Principal) error {
	if who.Role != member.RoleCSS {
		return apperr.Forbidden("Only the CSS sets the certification rounds.")
	}
	return nil
}

// Replace decides whether next may replace the stored round old (nil: none yet) at now:
// a round that has opened keeps its cut-offs, so a replacement that moves any of them is a
// 409 naming each one it moves. It returns next with the bookkeeping of the write.
func Replace(old *Window, next Window, who principal.Principal, now time.Time) (Window, error) {
	if old != nil && old.Opened(now) {
		var moved []apperr.FieldError
		a, b := old.Cutoffs, next.Cutoffs
		for _, d := range []struct {
			name string
			same bool
		}{
			{"registeredBefore", a.RegisteredBefore.Equal(b.RegisteredBefore)},
			{"activeSince", a.ActiveSince.Equal(b.ActiveSince)},
			{"labelledFrom", a.LabelledFrom.Equal(b.LabelledFrom)},
			{"labelledTo", a.LabelledTo.Equal(b.LabelledTo)},
			{"minActiveTeachers", a.MinActiveTeachers == b.MinActiveTeachers},
			{"europeanProject", a.EuropeanProject == b.EuropeanProject},
		} {
			if !d.same {
				moved = append(moved, apperr.FieldError{Field: "cutoffs." + d.name, Message: "cannot change once the round has opened"})
			}
		}
		if len(moved) > 0 {
			return Window{}, apperr.Conflict("This round has opened: its stage-1 cut-offs can no longer change.", moved...)
		}
	}
	next.UpdatedAt, next.UpdatedBy = now.UTC(), who.MemberID
	if old != nil {
		next.Version = old.Version
	}
	return next, nil
}

// IsCurrent reports whether w is the round to show at now: announced or open, not closed.
func IsCurrent(w Window, now time.Time) bool {
	s := w.StatusAt(now)
	return s == StatusAnnounced || s == StatusOpen
}

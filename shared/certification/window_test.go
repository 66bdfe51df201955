package certification

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
	"etwin/shared/principal"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func base() Input {
	return Input{AnnounceAt: "2026-09-01T00:00:00Z", OpensAt: "2026-10-01T00:00:00Z", ClosesAt: "2026-12-01T00:00:00Z"}
}

func fields(err error) []string { return apperr.FieldNames(err) }

// The defaults are API.md's: cut-offs two calendar years before opensAt (labelledTo at
// opensAt), 3 active teachers, a European project, the five elements.
func TestWindowDefaults(t *testing.T) {
	in := base()
	w, err := in.Window(2026)
	if err != nil {
		t.Fatal(err)
	}
	two := at("2024-10-01T00:00:00Z")
	c := w.Cutoffs
	if !c.RegisteredBefore.Equal(two) || !c.ActiveSince.Equal(two) || !c.LabelledFrom.Equal(two) || !c.LabelledTo.Equal(w.OpensAt) {
		t.Fatalf("cut-offs %+v", c)
	}
	if c.MinActiveTeachers != 3 || !c.EuropeanProject || !slices.Equal(w.Elements, DefaultElements) || w.Year != 2026 {
		t.Fatalf("%+v", w)
	}
	// a leap day two years back is the calendar's 1 March
	in.AnnounceAt, in.OpensAt = "2026-02-01T00:00:00Z", "2026-02-28T10:00:00+02:00"
	if w, err = in.Window(2026); err != nil || !w.Cutoffs.ActiveSince.Equal(at("2024-02-28T08:00:00Z")) {
		t.Fatalf("%v %v", w.Cutoffs.ActiveSince, err)
	}
}

// Given cut-offs replace the defaults one by one (an older round: 2 teachers, any project).
func TestWindowGivenCutoffs(t *testing.T) {
	in := base()
	two, no := 2, false
	in.Elements = []string{"pupil_agency", "role_model"}
	in.Cutoffs = &CutoffsInput{ActiveSince: "2025-01-01T00:00:00Z", MinActiveTeachers: &two, EuropeanProject: &no}
	w, err := in.Window(2019)
	if err != nil {
		t.Fatal(err)
	}
	c := w.Cutoffs
	if !c.ActiveSince.Equal(at("2025-01-01T00:00:00Z")) || !c.RegisteredBefore.Equal(at("2024-10-01T00:00:00Z")) ||
		c.MinActiveTeachers != 2 || c.EuropeanProject || len(w.Elements) != 2 {
		t.Fatalf("%+v", w)
	}
}

// Every bad field is named: missing, malformed, out of order, out of range.
func TestWindowInvalid(t *testing.T) {
	zero, many := 0, 101
	cases := []struct {
		name string
		edit func(*Input)
		want []string
	}{
		{"missing", func(in *Input) { *in = Input{} }, []string{"announceAt", "opensAt", "closesAt"}},
		{"malformed", func(in *Input) { in.OpensAt = "1 October" }, []string{"opensAt"}},
		{"opens before announce", func(in *Input) { in.AnnounceAt = "2026-10-02T00:00:00Z" }, []string{"opensAt"}},
		{"closes at opening", func(in *Input) { in.ClosesAt = in.OpensAt }, []string{"closesAt"}},
		{"closes before opening", func(in *Input) { in.ClosesAt = "2026-01-01T00:00:00Z" }, []string{"closesAt"}},
		{"label range reversed", func(in *Input) {
			in.Cutoffs = &CutoffsInput{LabelledFrom: "2025-06-01T00:00:00Z", LabelledTo: "2025-05-31T23:59:59Z"}
		}, []string{"cutoffs.labelledTo"}},
		{"label from after default to", func(in *Input) {
			in.Cutoffs = &CutoffsInput{LabelledFrom: "2026-10-01T00:00:01Z"}
		}, []string{"cutoffs.labelledFrom", "cutoffs.labelledTo"}},
		{"cut-offs after opening", func(in *Input) {
			in.Cutoffs = &CutoffsInput{RegisteredBefore: "2026-10-02T00:00:00Z", ActiveSince: "2027-01-01T00:00:00Z"}
		}, []string{"cutoffs.registeredBefore", "cutoffs.activeSince"}},
		{"teachers", func(in *Input) { in.Cutoffs = &CutoffsInput{MinActiveTeachers: &zero} }, []string{"cutoffs.minActiveTeachers"}},
		{"too many teachers", func(in *Input) { in.Cutoffs = &CutoffsInput{MinActiveTeachers: &many} }, []string{"cutoffs.minActiveTeachers"}},
		{"no elements", func(in *Input) { in.Elements = []string{} }, []string{"elements"}},
		{"bad elements", func(in *Input) { in.Elements = []string{"role_model", "Role Model", "role_model"} }, []string{"elements[1]", "elements[2]"}},
		{"far years", func(in *Input) { in.AnnounceAt = "1999-12-31T00:00:00Z" }, []string{"announceAt"}},
	}
	for _, c := range cases {
		in := base()
		c.edit(&in)
		err := in.Validate()
		if apperr.StatusOf(err) != http.StatusUnprocessableEntity || !slices.Equal(fields(err), c.want) {
			t.Errorf("%s: %v %v, want %v", c.name, err, fields(err), c.want)
		}
	}
	in := base()
	// boundaries are allowed: announced at the opening, cut-offs at the opening
	in.AnnounceAt = in.OpensAt
	in.Cutoffs = &CutoffsInput{RegisteredBefore: in.OpensAt, LabelledFrom: in.OpensAt}
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestParseYear(t *testing.T) {
	if y, err := ParseYear("2026"); y != 2026 || err != nil {
		t.Fatal(y, err)
	}
	for _, bad := range []string{"", "26", "1999", "2101", "02026", "year", "+202"} {
		if _, err := ParseYear(bad); !slices.Equal(fields(err), []string{"year"}) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// A round that has opened keeps its cut-offs (409 naming each moved one); before it opens
// anything may change; other parts of an opened round may still change.
func TestReplace(t *testing.T) {
	css := principal.Principal{MemberID: "c1", Role: "css"}
	in := base()
	old, _ := in.Window(2026)
	old.Version = 4
	moved := base()
	three := 3
	moved.ClosesAt = "2026-12-15T00:00:00Z"
	moved.Cutoffs = &CutoffsInput{ActiveSince: "2024-11-01T00:00:00Z", MinActiveTeachers: &three}
	next, _ := moved.Window(2026)

	before := old.OpensAt.Add(-time.Second)
	w, err := Replace(&old, next, css, before)
	if err != nil || w.Version != 4 || !w.Cutoffs.ActiveSince.Equal(next.Cutoffs.ActiveSince) || w.UpdatedBy != "c1" {
		t.Fatalf("before opening: %+v %v", w, err)
	}
	_, err = Replace(&old, next, css, old.OpensAt)
	if apperr.StatusOf(err) != http.StatusConflict || !slices.Equal(fields(err), []string{"cutoffs.activeSince"}) {
		t.Fatalf("at opening: %v %v", err, fields(err))
	}
	// the same cut-offs, a later close: fine after opening
	later := base()
	later.ClosesAt = "2026-12-15T00:00:00Z"
	nextSame, _ := later.Window(2026)
	if _, err := Replace(&old, nextSame, css, old.ClosesAt.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if w, err := Replace(nil, next, css, old.ClosesAt); err != nil || w.Version != 0 {
		t.Fatalf("new: %+v %v", w, err)
	}
}

func TestStatusAndCurrent(t *testing.T) {
	in := base()
	w, _ := in.Window(2026)
	for _, c := range []struct {
		now     time.Time
		status  string
		current bool
	}{
		{w.AnnounceAt.Add(-time.Nanosecond), StatusScheduled, false},
		{w.AnnounceAt, StatusAnnounced, true},
		{w.OpensAt, StatusOpen, true},
		{w.ClosesAt.Add(-time.Nanosecond), StatusOpen, true},
		{w.ClosesAt, StatusClosed, false},
	} {
		if s := w.StatusAt(c.now); s != c.status || IsCurrent(w, c.now) != c.current {
			t.Errorf("%v: %s", c.now, s)
		}
	}
}

func TestMayManage(t *testing.T) {
	for role, want := range map[string]int{"css": 0, "nso": 403, "teacher": 403, "": 403} {
		err := MayManage(principal.Principal{Role: role})
		if (want == 0) != (err == nil) || (err != nil && apperr.StatusOf(err) != want) {
			t.Errorf("%s: %v", role, err)
		}
	}
}

// FuzzDecodeWindow: the decoder never panics and accepts only what validates or names a field.
func FuzzDecodeWindow(f *testing.F) {
	f.Add(`{"announceAt":"2026-09-01T00:00:00Z","opensAt":"2026-10-01T00:00:00Z","closesAt":"2026-12-01T00:00:00Z"}`)
	f.Add(`{"announceAt":"2026-09-01T00:00:00Z","opensAt":"2026-10-01T00:00:00Z","closesAt":"2026-12-01T00:00:00Z","elements":["a"],"cutoffs":{"minActiveTeachers":2,"europeanProject":false,"labelledTo":"2026-01-01T00:00:00Z"}}`)
	f.Add(`{"cutoffs":{"minActiveTeachers":"2"}}`)
	f.Add(`{"opensAt":"x","opensAt":"y"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in Input
		err := httpapi.DecodeBytes([]byte(body), &in)
		if err != nil {
			if s := apperr.StatusOf(err); s < 400 || s >= 500 {
				t.Fatalf("decode error with status %d", s)
			}
			return
		}
		if !json.Valid([]byte(body)) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if err := in.Validate(); err != nil {
			if e, ok := apperr.As(err); !ok || len(e.Fields) == 0 {
				t.Fatalf("validation error without fields: %v", err)
			}
			return
		}
		w, err := in.Window(2026)
		if err != nil || w.ClosesAt.Before(w.OpensAt) || w.Cutoffs.LabelledTo.Before(w.Cutoffs.LabelledFrom) || w.Cutoffs.MinActiveTeachers < 1 {
			t.Fatalf("accepted %q: %+v %v", body, w, err)
		}
	})
}

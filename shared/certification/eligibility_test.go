package certification

import (
	"testing"
	"time"
)

// Judge decides each rule at its cut-off, boundaries included, and one step past it fails.
func TestJudgeBoundaries(t *testing.T) {
	opens := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	in := Input{AnnounceAt: "2027-02-01T00:00:00Z", OpensAt: "2027-03-01T00:00:00Z", ClosesAt: "2027-05-01T00:00:00Z"}
	w, err := in.Window(2027)
	if err != nil {
		t.Fatal(err)
	}
	c := w.Cutoffs
	if !c.RegisteredBefore.Equal(opens.AddDate(-2, 0, 0)) || !c.ActiveSince.Equal(opens.AddDate(-2, 0, 0)) || !c.LabelledTo.Equal(opens) {
		t.Fatalf("default cut-offs: %+v", c)
	}
	now := opens.Add(time.Hour)
	good := func() Summary {
		return Summary{SchoolID: "s", RegisteredAt: c.RegisteredBefore, Members: []string{"a", "b", "c", "d"},
			LastActive: map[string]time.Time{"a": c.ActiveSince, "b": c.ActiveSince.Add(time.Hour), "c": now},
			Labels:     []LabelFacts{{ProjectID: "p", Kind: LabelKindNational, AwardedAt: c.LabelledFrom, European: true}}}
	}
	closedAt := c.ActiveSince
	cases := []struct {
		name   string
		change func(*Summary)
		want   bool
		active int
	}{
		{"every rule exactly at its cut-off", func(*Summary) {}, true, 3},
		{"registered one day after the cut-off", func(s *Summary) { s.RegisteredAt = c.RegisteredBefore.AddDate(0, 0, 1) }, false, 3},
		{"registration unknown", func(s *Summary) { s.RegisteredAt = time.Time{} }, false, 3},
		{"only 2 active teachers", func(s *Summary) { delete(s.LastActive, "c") }, false, 2},
		{"activity one second before activeSince", func(s *Summary) { s.LastActive["a"] = c.ActiveSince.Add(-time.Second) }, false, 2},
		{"an active teacher who left the school", func(s *Summary) { s.Members = []string{"b", "c", "d"}; s.LastActive["x"] = now }, false, 2},
		{"label at the end of the range", func(s *Summary) { s.Labels[0].AwardedAt = c.LabelledTo }, true, 3},
		{"label one second after the range", func(s *Summary) { s.Labels[0].AwardedAt = c.LabelledTo.Add(time.Second) }, false, 3},
		{"label one second before the range", func(s *Summary) { s.Labels[0].AwardedAt = c.LabelledFrom.Add(-time.Second) }, false, 3},
		{"a national project's label", func(s *Summary) { s.Labels[0].European = false }, false, 3},
		{"a European label alone", func(s *Summary) { s.Labels[0].Kind = "european" }, false, 3},
		{"a teacher active through a running project", func(s *Summary) {
			delete(s.LastActive, "c")
			s.Projects = map[string]ProjectFacts{"p": {Members: []string{"c"}, ApprovedAt: c.ActiveSince.AddDate(-1, 0, 0)}}
		}, true, 3},
		{"a project closed exactly at activeSince", func(s *Summary) {
			delete(s.LastActive, "c")
			s.Projects = map[string]ProjectFacts{"p": {Members: []string{"c"}, ApprovedAt: c.ActiveSince.AddDate(-1, 0, 0), ClosedAt: &closedAt}}
		}, true, 3},
		{"a project closed before activeSince", func(s *Summary) {
			delete(s.LastActive, "c")
			before := c.ActiveSince.Add(-time.Second)
			s.Projects = map[string]ProjectFacts{"p": {Members: []string{"c"}, ApprovedAt: c.ActiveSince.AddDate(-1, 0, 0), ClosedAt: &before}}
		}, false, 2},
		{"a project not approved", func(s *Summary) {
			delete(s.LastActive, "c")
			s.Projects = map[string]ProjectFacts{"p": {Members: []string{"c"}}}
		}, false, 2},
	}
	for _, tc := range cases {
		s := good()
		tc.change(&s)
		v := Judge(s, w, now)
		if v.Eligible != tc.want || v.Criteria.ActiveTeachers != tc.active {
			t.Errorf("%s: eligible %v with %d active, want %v with %d", tc.name, v.Eligible, v.Criteria.ActiveTeachers, tc.want, tc.active)
		}
	}
	// An older round's rules: 2 teachers, any project.
	w.Cutoffs.MinActiveTeachers, w.Cutoffs.EuropeanProject = 2, false
	s := good()
	delete(s.LastActive, "c")
	s.Labels[0].European = false
	if v := Judge(s, w, now); !v.Eligible || v.Criteria.QualityLabelledProjects != 1 {
		t.Errorf("older round: %+v", v)
	}
}

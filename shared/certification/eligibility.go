package certification

import (
	"slices"
	"time"
)

// Summary is what the platform keeps per school for stage 1 (DOMAIN.md §9): the facts the
// eligibility sweep judges, kept current by the writes that change them (a school's
// registration, its teachers joining, their activities, project approvals and closings,
// labels), in the same transactions. The sweep reads one Summary per school and nothing
// else, so its cost grows with schools, not with members or activities.
type Summary struct {
	SchoolID     string
	Country      string
	RegisteredAt time.Time
	// Members are the school's registered eTwinners (the ones a verdict invites).
	Members []string
	// LastActive: each teacher's latest activity counted for the school (imported
	// activities, event attendance).
	LastActive map[string]time.Time
	// Projects the school founded or partners in, by project id.
	Projects map[string]ProjectFacts
	// Labels awarded to the school's projects for this school.
	Labels []LabelFacts
}

// ProjectFacts is one project of a school as stage 1 sees it.
type ProjectFacts struct {
	// Members are the school's teachers among the project's founders and partners.
	Members    []string
	ApprovedAt time.Time  // zero: not approved (yet)
	ClosedAt   *time.Time // nil: running
	// European: partners from more than one country.
	European bool
}

// LabelFacts is one quality label of a project for the school.
type LabelFacts struct {
	ProjectID string
	Kind      string // national or european
	AwardedAt time.Time
	European  bool // the project is a European one
}

// Criteria are the measures stage 1 judges (GET /v1/schools/{id}/certification).
type Criteria struct {
	RegisteredSince         time.Time `json:"registeredSince"`
	ActiveTeachers          int       `json:"activeTeachers"`
	QualityLabelledProjects int       `json:"qualityLabelledProjects"`
}

// Verdict is a school's stage-1 outcome in a round, stored by the sweep.
type Verdict struct {
	Year     int       `json:"year"`
	SchoolID string    `json:"schoolId"`
	Country  string    `json:"country"`
	Eligible bool      `json:"eligible"`
	Criteria Criteria  `json:"criteria"`
	JudgedAt time.Time `json:"judgedAt"`
}

// LabelKindNational is the kind of a National Quality Label (project.LabelNational).
const LabelKindNational = "national"

// Judge decides stage 1 for one school at the round's cut-offs, boundaries included:
// registered on or before RegisteredBefore; at least MinActiveTeachers of its teachers
// active on or after ActiveSince (an activity at or after it, or founding or partnering in
// a project approved by now and not closed before it); at least one project with a
// national label for the school awarded within [LabelledFrom, LabelledTo], a European one
// when the round asks for it.
func Judge(s Summary, w Window, now time.Time) Verdict {
	c := w.Cutoffs
	active := map[string]bool{}
	for m, at := range s.LastActive {
		if !at.Before(c.ActiveSince) {
			active[m] = true
		}
	}
	for _, p := range s.Projects {
		if p.ApprovedAt.IsZero() || p.ApprovedAt.After(now) || (p.ClosedAt != nil && p.ClosedAt.Before(c.ActiveSince)) {
			continue
		}
		for _, m := range p.Members {
			active[m] = true
		}
	}
	// only the school's current teachers count
	n := 0
	for m := range active {
		if slices.Contains(s.Members, m) {
			n++
		}
	}
	labelled := map[string]bool{}
	for _, l := range s.Labels {
		if l.Kind != LabelKindNational || l.AwardedAt.Before(c.LabelledFrom) || l.AwardedAt.After(c.LabelledTo) {
			continue
		}
		if c.EuropeanProject && !l.European {
			continue
		}
		labelled[l.ProjectID] = true
	}
	registered := !s.RegisteredAt.IsZero() && !s.RegisteredAt.After(c.RegisteredBefore)
	return Verdict{
		Year: w.Year, SchoolID: s.SchoolID, Country: s.Country,
		Eligible: registered && n >= c.MinActiveTeachers && len(labelled) > 0,
		Criteria: Criteria{RegisteredSince: s.RegisteredAt, ActiveTeachers: n, QualityLabelledProjects: len(labelled)},
		JudgedAt: now.UTC(),
	}
}

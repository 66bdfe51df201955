package project

import (
	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/school"
	"etwin/shared/vocab"
)

// Limits of the project form.
const (
	MaxTitle    = 200
	MaxSummary  = 2000
	MaxLongText = 5000 // objectives, methodology, expected results
	MinAge      = 3
	MaxAge      = 25 // VET includes young adults
	MinPupils   = 1
	MaxPupils   = 10000
	MaxThemes   = 10
	MaxTools    = 20
)

// CreateInput is the body of POST /v1/projects.
type CreateInput struct {
	Title           string    `json:"title"`
	Summary         string    `json:"summary"`
	Language        string    `json:"language"`
	AgeRange        *AgeRange `json:"ageRange"`
	Pupils          *int      `json:"pupils"`
	Themes          []string  `json:"themes"`
	Tools           []string  `json:"tools"`
	Objectives      string    `json:"objectives"`
	Methodology     string    `json:"methodology"`
	ExpectedResults string    `json:"expectedResults"`
	CofounderID     string    `json:"cofounderId"`
	SchoolID        string    `json:"schoolId,omitempty"`
}

// PatchInput is the body of PATCH /v1/projects/{projectId}: any subset of the form (not
// the co-founder, not the founder's school), with the version last read (optional).
type PatchInput struct {
	Title           *string   `json:"title"`
	Summary         *string   `json:"summary"`
	Language        *string   `json:"language"`
	AgeRange        *AgeRange `json:"ageRange"`
	Pupils          *int      `json:"pupils"`
	Themes          *[]string `json:"themes"`
	Tools           *[]string `json:"tools"`
	Objectives      *string   `json:"objectives"`
	Methodology     *string   `json:"methodology"`
	ExpectedResults *string   `json:"expectedResults"`
	Version         *int      `json:"version"`
}

// CofounderDecisionInput is the body of POST .../cofounder-decision.
type CofounderDecisionInput struct {
	Decision string `json:"decision"`
	SchoolID string `json:"schoolId,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// NSODecisionInput is the body of POST .../nso-decision.
type NSODecisionInput struct {
	Decision string  `json:"decision"`
	Comment  *string `json:"comment"` // required; may be empty when approving
}

// Decisions.
const (
	Approve = "approve"
	Reject  = "reject"
)

// MaxComment is the longest decision comment.
const MaxComment = 2000

// CheckAgeRange checks an age range as the form does (the import checks its lines with it).
func CheckAgeRange(f *apperr.Fields, a AgeRange) {
	okMin := a.Min >= MinAge && a.Min <= MaxAge
	okMax := a.Max >= MinAge && a.Max <= MaxAge
	if !okMin {
		f.Add("ageRange.min", "must be between %d and %d", MinAge, MaxAge)
	}
	if !okMax {
		f.Add("ageRange.max", "must be between %d and %d", MinAge, MaxAge)
	}
	if okMin && okMax && a.Min > a.Max {
		f.Add("ageRange.max", "must not be below ageRange.min")
	}
}

func checkPupils(f *apperr.Fields, n int) {
	if n < MinPupils || n > MaxPupils {
		f.Add("pupils", "must be between %d and %d", MinPupils, MaxPupils)
	}
}

// Validate checks the whole form; every bad field is named.
func (in *CreateInput) Validate() error {
	var f apperr.Fields
	member.CheckName(&f, "title", in.Title, MaxTitle)
	member.CheckText(&f, "summary", in.Summary, MaxSummary, true)
	member.CheckCode(&f, "language", in.Language, vocab.IsLanguage)
	if in.AgeRange == nil {
		f.Add("ageRange", "required")
	} else {
		CheckAgeRange(&f, *in.AgeRange)
	}
	if in.Pupils == nil {
		f.Add("pupils", "required")
	} else {
		checkPupils(&f, *in.Pupils)
	}
	member.CheckCodes(&f, "themes", in.Themes, 1, MaxThemes, vocab.IsTheme)
	member.CheckCodes(&f, "tools", in.Tools, 1, MaxTools, vocab.IsTool)
	member.CheckText(&f, "objectives", in.Objectives, MaxLongText, true)
	member.CheckText(&f, "methodology", in.Methodology, MaxLongText, true)
	member.CheckText(&f, "expectedResults", in.ExpectedResults, MaxLongText, true)
	switch {
	case in.CofounderID == "":
		f.Add("cofounderId", "required")
	case !school.ValidID(in.CofounderID):
		f.Add("cofounderId", "is not a member id")
	}
	if in.SchoolID != "" && !school.ValidID(in.SchoolID) {
		f.Add("schoolId", "is not one of your schools")
	}
	return f.Err()
}

// Validate checks the fields present; an empty patch is refused (nothing to change).
func (in *PatchInput) Validate() error {
	var f apperr.Fields
	if in.Title != nil {
		member.CheckName(&f, "title", *in.Title, MaxTitle)
	}
	if in.Summary != nil {
		member.CheckText(&f, "summary", *in.Summary, MaxSummary, true)
	}
	if in.Language != nil {
		member.CheckCode(&f, "language", *in.Language, vocab.IsLanguage)
	}
	if in.AgeRange != nil {
		CheckAgeRange(&f, *in.AgeRange)
	}
	if in.Pupils != nil {
		checkPupils(&f, *in.Pupils)
	}
	if in.Themes != nil {
		member.CheckCodes(&f, "themes", *in.Themes, 1, MaxThemes, vocab.IsTheme)
	}
	if in.Tools != nil {
		member.CheckCodes(&f, "tools", *in.Tools, 1, MaxTools, vocab.IsTool)
	}
	if in.Objectives != nil {
		member.CheckText(&f, "objectives", *in.Objectives, MaxLongText, true)
	}
	if in.Methodology != nil {
		member.CheckText(&f, "methodology", *in.Methodology, MaxLongText, true)
	}
	if in.ExpectedResults != nil {
		member.CheckText(&f, "expectedResults", *in.ExpectedResults, MaxLongText, true)
	}
	if in.Version != nil && *in.Version < 1 {
		f.Add("version", "must be a version of the project (1 or more)")
	}
	if len(f) == 0 && in.empty() {
		f.Add("title", "nothing to change: give at least one field of the form")
	}
	return f.Err()
}

func (in *PatchInput) empty() bool {
	return in.Title == nil && in.Summary == nil && in.Language == nil && in.AgeRange == nil && in.Pupils == nil &&
		in.Themes == nil && in.Tools == nil && in.Objectives == nil && in.Methodology == nil && in.ExpectedResults == nil
}

// Apply writes the patch's fields into p.
func (in *PatchInput) Apply(p *Project) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Title, in.Title)
	set(&p.Summary, in.Summary)
	set(&p.Language, in.Language)
	set(&p.Objectives, in.Objectives)
	set(&p.Methodology, in.Methodology)
	set(&p.ExpectedResults, in.ExpectedResults)
	if in.AgeRange != nil {
		p.AgeRange = *in.AgeRange
	}
	if in.Pupils != nil {
		p.Pupils = *in.Pupils
	}
	if in.Themes != nil {
		p.Themes = append([]string{}, *in.Themes...)
	}
	if in.Tools != nil {
		p.Tools = append([]string{}, *in.Tools...)
	}
}

func checkDecision(f *apperr.Fields, d string) {
	switch d {
	case Approve, Reject:
	case "":
		f.Add("decision", "required")
	default:
		f.Add("decision", "must be approve or reject")
	}
}

// Validate checks the co-founder's decision.
func (in *CofounderDecisionInput) Validate() error {
	var f apperr.Fields
	checkDecision(&f, in.Decision)
	if in.SchoolID != "" && (in.Decision == Reject || !school.ValidID(in.SchoolID)) {
		if in.Decision == Reject {
			f.Add("schoolId", "only an approval chooses a school")
		} else {
			f.Add("schoolId", "is not one of your schools")
		}
	}
	member.CheckText(&f, "comment", in.Comment, MaxComment, false)
	return f.Err()
}

// Validate checks an NSO's decision (a rejection must say why).
func (in *NSODecisionInput) Validate() error {
	var f apperr.Fields
	checkDecision(&f, in.Decision)
	if in.Comment == nil {
		f.Add("comment", "required (may be empty when approving)")
	} else {
		member.CheckText(&f, "comment", *in.Comment, MaxComment, in.Decision == Reject)
	}
	return f.Err()
}

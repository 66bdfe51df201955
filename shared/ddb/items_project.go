package ddb

import (
	"time"

	"etwin/shared/project"
)

// The stored shapes of projects, partners, NSO queue entries and labels. The domain
// types in shared/project carry no storage tags: these items do, and convert to and from
// them. The attribute names are the ones stored from the start (items_test.go pins
// them), so stored data and the importer stay compatible.

type ageRangeAttrs struct {
	Min int `dynamodbav:"min"`
	Max int `dynamodbav:"max"`
}

// ageRangeOf is the stored age range: none for the zero one (an imported project whose
// line has none).
func ageRangeOf(a project.AgeRange) *ageRangeAttrs {
	if a == (project.AgeRange{}) {
		return nil
	}
	r := ageRangeAttrs(a)
	return &r
}

type founderAttrs struct {
	MemberID string `dynamodbav:"memberId"`
	SchoolID string `dynamodbav:"schoolId,omitempty"`
	Country  string `dynamodbav:"country,omitempty"`
}

type nsoDecisionAttrs struct {
	Decision string    `dynamodbav:"decision"`
	Comment  string    `dynamodbav:"comment,omitempty"`
	By       string    `dynamodbav:"by"`
	At       time.Time `dynamodbav:"at"`
}

// projectItem is the stored project (PROJECT#<id> / PROJECT). While a reminder is still
// to be sent it carries the sparse GSI1 entry of the reminders job (derived from the
// project on every write).
type projectItem struct {
	ProjectID           string                      `dynamodbav:"projectId"`
	Status              string                      `dynamodbav:"status"`
	Title               string                      `dynamodbav:"title"`
	Summary             string                      `dynamodbav:"summary"`
	Language            string                      `dynamodbav:"language"`
	AgeRange            *ageRangeAttrs              `dynamodbav:"ageRange,omitempty"` // none: an imported project without one
	Pupils              int                         `dynamodbav:"pupils"`
	Themes              []string                    `dynamodbav:"themes"`
	Tools               []string                    `dynamodbav:"tools"`
	Objectives          string                      `dynamodbav:"objectives"`
	Methodology         string                      `dynamodbav:"methodology"`
	ExpectedResults     string                      `dynamodbav:"expectedResults"`
	Founders            []founderAttrs              `dynamodbav:"founders"`
	FounderID           string                      `dynamodbav:"founderId"`
	CofounderID         string                      `dynamodbav:"cofounderId"`
	NSOCountries        []string                    `dynamodbav:"nsoCountries,stringset,omitempty"`
	NSODecisions        map[string]nsoDecisionAttrs `dynamodbav:"nsoDecisions,omitempty"`
	Comment             string                      `dynamodbav:"comment,omitempty"`
	Version             int                         `dynamodbav:"version"`
	CreatedAt           time.Time                   `dynamodbav:"createdAt"`
	UpdatedAt           time.Time                   `dynamodbav:"updatedAt"`
	SubmittedAt         *time.Time                  `dynamodbav:"submittedAt,omitempty"`
	ApprovedAt          *time.Time                  `dynamodbav:"approvedAt,omitempty"`
	ClosedAt            *time.Time                  `dynamodbav:"closedAt,omitempty"`
	Imported            bool                        `dynamodbav:"imported,omitempty"`
	RemindedCofounderAt *time.Time                  `dynamodbav:"remindedCofounderAt,omitempty"`
	RemindedNSO         map[string]time.Time        `dynamodbav:"remindedNSO,omitempty"`

	GSI1PK string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK string `dynamodbav:"GSI1SK,omitempty"`
}

// newProjectItem is p as stored, with its reminder entry while one is due.
func newProjectItem(p project.Project) projectItem {
	it := projectItem{
		ProjectID: p.ProjectID, Status: p.Status, Title: p.Title, Summary: p.Summary, Language: p.Language,
		AgeRange: ageRangeOf(p.AgeRange), Pupils: p.Pupils, Themes: p.Themes, Tools: p.Tools,
		Objectives: p.Objectives, Methodology: p.Methodology, ExpectedResults: p.ExpectedResults,
		Founders: founderAttrsOf(p.Founders), FounderID: p.FounderID, CofounderID: p.CofounderID,
		NSOCountries: p.NSOCountries, Comment: p.Comment, Version: p.Version,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, SubmittedAt: p.SubmittedAt, ApprovedAt: p.ApprovedAt, ClosedAt: p.ClosedAt,
		Imported: p.Imported, RemindedCofounderAt: p.RemindedCofounderAt, RemindedNSO: p.RemindedNSO,
	}
	if p.NSODecisions != nil {
		it.NSODecisions = make(map[string]nsoDecisionAttrs, len(p.NSODecisions))
		for c, d := range p.NSODecisions {
			it.NSODecisions[c] = nsoDecisionAttrs(d)
		}
	}
	if at := project.ReminderDueAt(&p); at != nil {
		it.GSI1PK, it.GSI1SK = projectRemindersGSI1PK, projectReminderGSI1SK(at.Format(keyTime), p.ProjectID)
	}
	return it
}

// toProject is the stored project as the domain sees it.
func (it *projectItem) toProject() project.Project {
	p := project.Project{
		ProjectID: it.ProjectID, Status: it.Status, Title: it.Title, Summary: it.Summary, Language: it.Language,
		Pupils: it.Pupils, Themes: it.Themes, Tools: it.Tools,
		Objectives: it.Objectives, Methodology: it.Methodology, ExpectedResults: it.ExpectedResults,
		Founders: foundersOf(it.Founders), FounderID: it.FounderID, CofounderID: it.CofounderID,
		NSOCountries: it.NSOCountries, Comment: it.Comment, Version: it.Version,
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, SubmittedAt: it.SubmittedAt, ApprovedAt: it.ApprovedAt, ClosedAt: it.ClosedAt,
		Imported: it.Imported, RemindedCofounderAt: it.RemindedCofounderAt, RemindedNSO: it.RemindedNSO,
	}
	if it.AgeRange != nil {
		p.AgeRange = project.AgeRange(*it.AgeRange)
	}
	if it.NSODecisions != nil {
		p.NSODecisions = make(map[string]project.NSODecision, len(it.NSODecisions))
		for c, d := range it.NSODecisions {
			p.NSODecisions[c] = project.NSODecision(d)
		}
	}
	return p
}

func founderAttrsOf(fs []project.Founder) []founderAttrs {
	if fs == nil {
		return nil
	}
	out := make([]founderAttrs, len(fs))
	for i, f := range fs {
		out[i] = founderAttrs(f)
	}
	return out
}

func foundersOf(fs []founderAttrs) []project.Founder {
	if fs == nil {
		return nil
	}
	out := make([]project.Founder, len(fs))
	for i, f := range fs {
		out[i] = project.Founder(f)
	}
	return out
}

type partnerAttrs struct {
	ProjectID string    `dynamodbav:"projectId"`
	MemberID  string    `dynamodbav:"memberId"`
	Role      string    `dynamodbav:"role"`
	Founder   bool      `dynamodbav:"founder"`
	SchoolID  string    `dynamodbav:"schoolId,omitempty"`
	Country   string    `dynamodbav:"country,omitempty"`
	FirstName string    `dynamodbav:"firstName"`
	LastName  string    `dynamodbav:"lastName"`
	AddedAt   time.Time `dynamodbav:"addedAt"`
}

// partnerItem is a partner of a project (PROJECT#<id> / MEMBER#<memberId>); GSI1 lists a
// member's projects.
type partnerItem struct {
	partnerAttrs
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
}

func (it *partnerItem) toPartner() project.Partner { return project.Partner(it.partnerAttrs) }

// queueEntryItem is a project in an NSO's queue (NSOQUEUE#<country>).
type queueEntryItem struct {
	ProjectID   string         `dynamodbav:"projectId"`
	Title       string         `dynamodbav:"title"`
	Founders    []founderAttrs `dynamodbav:"founders"`
	SubmittedAt time.Time      `dynamodbav:"submittedAt"`
}

func queueEntryItemOf(e project.QueueEntry) queueEntryItem {
	return queueEntryItem{ProjectID: e.ProjectID, Title: e.Title, Founders: founderAttrsOf(e.Founders), SubmittedAt: e.SubmittedAt}
}

func (it *queueEntryItem) toEntry() project.QueueEntry {
	return project.QueueEntry{ProjectID: it.ProjectID, Title: it.Title, Founders: foundersOf(it.Founders), SubmittedAt: it.SubmittedAt}
}

// labelItem is a quality label, under the project (LABEL#<kind>#<schoolId>) and under
// the school (LABEL#<projectId>#<kind>), the same shape twice. Its kind is stored as
// labelKind: "kind" is every item's type.
type labelItem struct {
	ProjectID string    `dynamodbav:"projectId"`
	Kind      string    `dynamodbav:"labelKind"`
	SchoolID  string    `dynamodbav:"schoolId"`
	Country   string    `dynamodbav:"country"`
	AwardedAt time.Time `dynamodbav:"awardedAt"`
	AwardedBy string    `dynamodbav:"awardedBy,omitempty"`
}

func (it *labelItem) toLabel() project.Label { return project.Label(*it) }

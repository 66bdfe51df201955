// Package project holds projects: the founding form, the approval state machine
// (co-founder, then the NSO of every founder country), partners and their rights in the
// TwinSpace, and quality labels. It imports no AWS SDK.
package project

import "time"

// Status of a project.
const (
	AwaitingCofounder = "awaiting_cofounder"
	AwaitingNSO       = "awaiting_nso"
	Approved          = "approved"
	Rejected          = "rejected"
	Closed            = "closed"
)

// Roles in a TwinSpace.
const (
	RoleAdmin  = "admin"
	RoleMember = "member"
)

// Label kinds.
const (
	LabelNational = "national"
	LabelEuropean = "european"
)

// AgeRange is the pupils' age range. The form always sets one (MinAge at least); the zero
// AgeRange is none (an imported project whose line has none), and the API answers without it.
type AgeRange struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Founder is one of the two founders: the member and the school they found it for (the
// co-founder's school is chosen when approving, until then empty).
type Founder struct {
	MemberID string `json:"memberId"`
	SchoolID string `json:"schoolId,omitempty"`
	Country  string `json:"country,omitempty"`
}

// NSODecision is one country's NSO decision.
type NSODecision struct {
	Decision string    `json:"decision"` // approve or reject
	Comment  string    `json:"comment,omitempty"`
	By       string    `json:"-"`
	At       time.Time `json:"at"`
}

// Project is a project (shared/ddb stores it as PROJECT#<id> / PROJECT; the storage shape
// is ddb's projectItem, so the json tags here are the API shape only).
type Project struct {
	ProjectID       string   `json:"projectId"`
	Status          string   `json:"status"`
	Title           string   `json:"title"`
	Summary         string   `json:"summary"`
	Language        string   `json:"language"`
	AgeRange        AgeRange `json:"ageRange,omitzero"` // the zero one is none (an imported project's history may have none)
	Pupils          int      `json:"pupils"`
	Themes          []string `json:"themes"`
	Tools           []string `json:"tools"`
	Objectives      string   `json:"objectives"`
	Methodology     string   `json:"methodology"`
	ExpectedResults string   `json:"expectedResults"`
	// Founders: the founder first, then the co-founder.
	Founders    []Founder `json:"founders"`
	FounderID   string    `json:"founderId"`
	CofounderID string    `json:"cofounderId"`
	// NSOCountries are the countries whose NSO must approve (the founders' schools'
	// countries), fixed when the co-founder approves; NSODecisions holds what each decided.
	NSOCountries []string               `json:"nsoCountries,omitempty"`
	NSODecisions map[string]NSODecision `json:"nsoDecisions,omitempty"`
	// Comment is the rejecting decision's comment.
	Comment string `json:"comment,omitempty"`
	// Version grows by one with every write (conditions compare it).
	Version     int        `json:"version"`
	CreatedAt   time.Time  `json:"createdAt"`
	UpdatedAt   time.Time  `json:"updatedAt"`
	SubmittedAt *time.Time `json:"submittedAt,omitempty"` // reached the NSOs
	ApprovedAt  *time.Time `json:"approvedAt,omitempty"`
	ClosedAt    *time.Time `json:"closedAt,omitempty"`
	// Imported marks projects from the import (history may hold national projects).
	Imported bool `json:"-"`
	// Reminders sent (once per step): to the co-founder, and to each country's NSO.
	RemindedCofounderAt *time.Time           `json:"-"`
	RemindedNSO         map[string]time.Time `json:"-"`
}

// Partner is a member of a project's TwinSpace (item PROJECT#<id> / MEMBER#<memberId>).
// Both founders have one from the founding on (role admin, Founder true).
type Partner struct {
	ProjectID string    `json:"-"`
	MemberID  string    `json:"memberId"`
	Role      string    `json:"role"`
	Founder   bool      `json:"founder"`
	SchoolID  string    `json:"schoolId,omitempty"`
	Country   string    `json:"country,omitempty"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	AddedAt   time.Time `json:"addedAt"`
}

// Active reports whether a project counts as active at t: approved and not closed (a
// closing time in the future still counts).
func (p *Project) Active(t time.Time) bool {
	return p.Status == Approved && (p.ClosedAt == nil || p.ClosedAt.After(t))
}

// Label is a quality label of a project for one school (items PROJECT#<id> /
// LABEL#<kind>#<schoolId> and, seen from the school, SCHOOL#<schoolId> /
// LABEL#<projectId>#<kind>): keyed by (project, kind, school), so awarding again changes
// nothing.
type Label struct {
	ProjectID string    `json:"projectId"`
	Kind      string    `json:"kind"` // "kind" is every item's type
	SchoolID  string    `json:"schoolId"`
	Country   string    `json:"country"`
	AwardedAt time.Time `json:"awardedAt"`
	AwardedBy string    `json:"-"`
}

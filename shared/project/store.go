package project

import (
	"context"
	"errors"
	"time"

	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/stats"
)

// ErrStale is what the store reports when the project's version moved since it was read
// (someone else wrote first): the use case reads again and decides again.
var ErrStale = errors.New("project: changed since read")

// QueueEntry is a project in an NSO's queue (item NSOQUEUE#<country>).
type QueueEntry struct {
	ProjectID   string    `json:"projectId" dynamodbav:"projectId"`
	Title       string    `json:"title" dynamodbav:"title"`
	Founders    []Founder `json:"founders" dynamodbav:"founders"`
	SubmittedAt time.Time `json:"submittedAt" dynamodbav:"submittedAt"`
}

// EntryOf is p's queue entry.
func EntryOf(p *Project) QueueEntry {
	e := QueueEntry{ProjectID: p.ProjectID, Title: p.Title, Founders: p.Founders}
	if p.SubmittedAt != nil {
		e.SubmittedAt = *p.SubmittedAt
	}
	return e
}

// Change is a decided change of a project and everything written with it, in one
// transaction conditional on Before.Version.
type Change struct {
	Before, After Project
	// CofounderSchool sets the school and country of the co-founder's partner item.
	CofounderSchool *Founder
	// QueueAdd: the NSO queue entries written (After's entry) for these countries;
	// QueueRemove: deleted.
	QueueAdd, QueueRemove []string
	// Stats is added to the counters of "ALL" and of each of StatsCountries.
	Stats          stats.Delta
	StatsCountries []string
	Notices        []notify.Notification
}

// Store is what the project use cases need from the database.
type Store interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	IsContact(ctx context.Context, memberID, otherID string) (bool, error)
	// CreateProject writes the project, its partners and the notices in one transaction.
	CreateProject(ctx context.Context, p Project, partners []Partner, notices []notify.Notification) error
	GetProject(ctx context.Context, projectID string) (Project, bool, error)
	IsPartner(ctx context.Context, projectID, memberID string) (bool, error)
	// ListMemberProjects lists a page of the member's projects, newest first, and the
	// position the next page starts from ("" on the last page).
	ListMemberProjects(ctx context.Context, memberID, after string, limit int) (ps []Project, next string, err error)
	// ApplyProjectChange writes c (ErrStale when the version moved).
	ApplyProjectChange(ctx context.Context, c Change) error
	// WithdrawProject deletes p, its partners and queue entries (ErrStale when the
	// version moved).
	WithdrawProject(ctx context.Context, p Project) error
	// ListNSOQueue lists a page of a country's queue in the order projects reached it, and
	// the position the next page starts from ("" on the last page).
	ListNSOQueue(ctx context.Context, country, after string, limit int) (q []QueueEntry, next string, err error)
	// DueReminderProjects are the ids of projects with a reminder due at now.
	DueReminderProjects(ctx context.Context, now time.Time) ([]string, error)
	// NSOAccounts are the member ids of a country's NSO accounts.
	NSOAccounts(ctx context.Context, country string) ([]string, error)
}

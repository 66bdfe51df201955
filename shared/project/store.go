package project

import (
	"context"
	"errors"
	"time"

	"etwin/shared/action"
	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/stats"
)

// Errors the store reports.
var (
	// ErrNoProject: the store has no project with this id.
	ErrNoProject = errors.New("project: no such project")
	// ErrNotContact: the founders (at founding) or the administrator and the new partner
	// (when adding a partner) are not contacts when the write commits.
	ErrNotContact = errors.New("project: not a contact")
	// ErrBusy is the answer when others kept changing the project while a decision was
	// made (the store gave up reading and deciding again).
	ErrBusy = apperr.Busy("Others changed this project at the same moment; please try again.")
)

// QueueEntry is a project in an NSO's queue (item NSOQUEUE#<country>).
type QueueEntry struct {
	ProjectID   string    `json:"projectId"`
	Title       string    `json:"title"`
	Founders    []Founder `json:"founders"`
	SubmittedAt time.Time `json:"submittedAt"`
}

// EntryOf is p's queue entry.
func EntryOf(p *Project) QueueEntry {
	e := QueueEntry{ProjectID: p.ProjectID, Title: p.Title, Founders: p.Founders}
	if p.SubmittedAt != nil {
		e.SubmittedAt = *p.SubmittedAt
	}
	return e
}

// Effects are what a decision on a project writes besides the project, in the same
// transaction.
type Effects struct {
	// CofounderSchool sets the school and country of the co-founder's partner item.
	CofounderSchool *Founder
	// QueueAdd: the NSO queue entries written (the decided project's entry) for these
	// countries; QueueRemove: deleted.
	QueueAdd, QueueRemove []string
	// Stats is added to the counters of "ALL" and of each of StatsCountries.
	Stats          stats.Delta
	StatsCountries []string
	Notices        []notify.Notification
	// Spend uses the e-mailed link the decision was taken from (nil: taken in the
	// portal); a link used already fails the write with action.ErrSpent.
	Spend *action.Spend
}

// Store is what the project use cases need from the database.
type Store interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	IsContact(ctx context.Context, memberID, otherID string) (bool, error)
	// CreateProject writes the project, its partners and the notices in one transaction,
	// while the co-founder is still a contact of the founder (else ErrNotContact).
	CreateProject(ctx context.Context, p Project, partners []Partner, notices []notify.Notification) error
	GetProject(ctx context.Context, projectID string) (Project, bool, error)
	IsPartner(ctx context.Context, projectID, memberID string) (bool, error)
	// ListMemberProjects lists a page of the member's projects, newest first, and the
	// position the next page starts from ("" on the last page).
	ListMemberProjects(ctx context.Context, memberID, after string, limit int) (ps []Project, next string, err error)
	// UpdateProject reads the project (strongly consistent), lets decide change it and
	// writes it with the decision's effects in one transaction, conditional on the
	// version read; when another writer won first it reads and decides again (decide may
	// run more than once; the version is the store's). An error from decide is returned
	// and nothing is written; ErrNoProject when there is no such project, ErrBusy when
	// others kept winning.
	UpdateProject(ctx context.Context, projectID string, decide func(p *Project) (Effects, error)) (Project, error)
	// WithdrawProject is the same loop for a withdrawal: when decide returns nil, the
	// project, its partners and queue entries are deleted.
	WithdrawProject(ctx context.Context, projectID string, decide func(p *Project) error) error
	// ListNSOQueue lists a page of a country's queue in the order projects reached it, and
	// the position the next page starts from ("" on the last page).
	ListNSOQueue(ctx context.Context, country, after string, limit int) (q []QueueEntry, next string, err error)
	// DueReminderProjects are the ids of projects with a reminder due at now.
	DueReminderProjects(ctx context.Context, now time.Time) ([]string, error)
	// NSOAccounts are the member ids of a country's NSO accounts.
	NSOAccounts(ctx context.Context, country string) ([]string, error)
}

// Package contact is the contact list: a member invites another from search results, the
// invitee is notified and accepts or rejects; accepted requests make the two contacts of
// each other until one removes the other.
package contact

import (
	"context"
	"errors"
	"time"

	"etwin/shared/action"
	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/school"
)

// DailyLimit is how many contact requests a member may send per UTC day.
const DailyLimit = 25

// ExpiresAfter is how long a request stays pending without an answer. Then it expires:
// it leaves both pending lists, can no longer be answered or withdrawn, and the sender
// may ask again.
const ExpiresAfter = 30 * 24 * time.Hour

// IDPrefix begins every request id (token.SortableID: the ids sort by creation time).
const IDPrefix = "r-"

// LiveSince is the creation time from which requests are still pending at now (those
// created earlier have expired).
func LiveSince(now time.Time) time.Time { return now.Add(-ExpiresAfter) }

// Request states.
const (
	StatusPending   = "pending"
	StatusAccepted  = "accepted"
	StatusRejected  = "rejected"
	StatusWithdrawn = "withdrawn" // taken back by its sender before an answer
)

// List directions of GET /v1/contacts/requests.
const (
	Incoming = "incoming"
	Outgoing = "outgoing"
)

// Person is a member as contact lists and requests show them (denormalised from the
// member item when written).
type Person struct {
	MemberID  string `json:"memberId"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Country   string `json:"country"`
}

// PersonOf is the member as lists show them.
func PersonOf(m member.Member) Person {
	country := m.Country
	if country == "" && len(m.Schools) > 0 {
		country = m.Schools[0].Country
	}
	return Person{MemberID: m.MemberID, FirstName: m.FirstName, LastName: m.LastName, Country: country}
}

// Request is a contact request.
type Request struct {
	RequestID string    `json:"requestId"`
	Status    string    `json:"status"`
	From      Person    `json:"from"`
	To        Person    `json:"to"`
	CreatedAt time.Time `json:"createdAt"`
	// ExpiresAt is when a pending request expires (CreatedAt + ExpiresAfter).
	ExpiresAt time.Time  `json:"expiresAt"`
	DecidedAt *time.Time `json:"decidedAt,omitempty"`
}

// Pending reports whether the request can still be answered or withdrawn at now.
func (r Request) Pending(now time.Time) bool {
	return r.Status == StatusPending && now.Before(r.ExpiresAt)
}

// Decision is an answer to a request and everything its transaction writes.
type Decision struct {
	Request Request // as decided (status and decidedAt set)
	// Accepted: the contact entries, each as its owner's list shows the other.
	ForSender, ForInvitee Person
	// Accepted: the notification to the sender.
	Notice *notify.Notification
	// Spend uses the e-mailed link the decision was taken from (nil: taken in the
	// portal), in the same transaction.
	Spend *action.Spend
}

// Errors the store reports when a condition fails.
var (
	ErrPending       = errors.New("contact: a request is pending between the two")
	ErrAlreadyLinked = errors.New("contact: already contacts")
	ErrDailyLimit    = errors.New("contact: daily limit of requests reached")
	ErrDecided       = errors.New("contact: request already answered")
	ErrNotContact    = errors.New("contact: not a contact")
)

// Store is what the contact use cases need from the database.
type Store interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	// CreateContactRequest writes, in one transaction: the pair guard (ErrPending or
	// ErrAlreadyLinked if held; a guard of a request created before LiveSince(now) has
	// expired and is replaced), the day's counter of the sender (ErrDailyLimit at
	// limit), the request, both list entries and the invitee's notification.
	CreateContactRequest(ctx context.Context, r Request, day string, limit int, n notify.Notification) error
	GetContactRequest(ctx context.Context, requestID string) (Request, bool, error)
	// DecideContactRequest writes the decision in one transaction, only while the
	// request is pending (else ErrDecided).
	DecideContactRequest(ctx context.Context, d Decision) error
	// ListContactRequests and ListContacts return a page (up to limit, after the position
	// after) and the position the next page starts from ("" on the last page);
	// ListContactRequests lists only the requests created at or after since.
	ListContactRequests(ctx context.Context, memberID, direction string, since time.Time, after string, limit int) (rs []Request, next string, err error)
	ListContacts(ctx context.Context, memberID, after string, limit int) (ps []Person, next string, err error)
	// DeleteContact removes both entries and the pair guard (ErrNotContact if absent).
	DeleteContact(ctx context.Context, memberID, otherID string) error
	// IsContact: one consistent GetItem.
	IsContact(ctx context.Context, memberID, otherID string) (bool, error)
}

// Day is the UTC day a request counts towards.
func Day(t time.Time) string { return t.UTC().Format("2006-01-02") }

// UntilTomorrow is the number of seconds until the next UTC day (Retry-After of a 429).
func UntilTomorrow(t time.Time) int {
	t = t.UTC()
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
	return int(next.Sub(t).Seconds()) + 1
}

// CreateInput is the body of POST /v1/contacts/requests.
type CreateInput struct {
	MemberID string `json:"memberId"`
}

// Validate checks the body's shape (422 naming memberId).
func (in *CreateInput) Validate() error {
	var f apperr.Fields
	switch {
	case in.MemberID == "":
		f.Add("memberId", "required")
	case !validID(in.MemberID):
		f.Add("memberId", "is not a member id")
	}
	return f.Err()
}

// ParseDirection reads ?direction= (default incoming; anything else is a 400).
func ParseDirection(s string) (string, error) {
	switch s {
	case "", Incoming:
		return Incoming, nil
	case Outgoing:
		return Outgoing, nil
	}
	return "", apperr.BadRequest("direction must be incoming or outgoing.",
		apperr.FieldError{Field: "direction", Message: "must be incoming or outgoing"})
}

func validID(s string) bool { return school.ValidID(s) }

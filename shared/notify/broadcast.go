package notify

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"etwin/shared/member"
	"etwin/shared/school"
)

// Broadcasts are notifications to a whole audience (every teacher, say): one stored item
// that every member of the audience sees in their notifications, instead of one item per
// member. A member sees the broadcasts of their audience posted since their account was
// created, for Lifetime, merged with their own notifications newest first; marking one
// read writes a marker in the member's own partition. Broadcasts send no e-mail (the API
// contract: a round is announced in the API and in platform notifications, not by mass
// e-mail).

// KindCertificationAnnounced: a certification round (window) is announced (to every
// teacher); its subject is {type: "certification_window", id: "<year>"}.
const KindCertificationAnnounced = "certification_announced"

// SubjectCertificationWindow: a certification round, by its year.
const SubjectCertificationWindow = "certification_window"

// Audiences of broadcasts: the account role whose members see them (an NSO or CSS
// account does not see a teacher broadcast).
const (
	AudienceTeachers = member.RoleTeacher
	AudienceNSO      = member.RoleNSO
	AudienceCSS      = member.RoleCSS
)

// MaxBroadcasts bounds the broadcasts a page reads (one Query of the audience's small
// partition): the newest MaxBroadcasts a member may see.
const MaxBroadcasts = 50

// Broadcast is a notification to every member of an audience.
type Broadcast struct {
	// ID is chosen by the poster and names the broadcast for good: posting the same id
	// again writes nothing (e.g. "cert-announce-2027"). It is a notification id on the
	// API, so it never starts with "n-" (the members' own notifications).
	ID        string
	Kind      string
	Subject   Subject
	CreatedAt time.Time // shown from then on (to the millisecond), for Lifetime
	Audience  string    // AudienceTeachers, AudienceNSO or AudienceCSS
}

var kindPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

// ErrInvalidBroadcast: a broadcast that cannot be posted (the poster's bug).
var ErrInvalidBroadcast = errors.New("notify: invalid broadcast")

// NewBroadcast is a broadcast posted at now (to the millisecond), checked.
func NewBroadcast(id, kind string, subject Subject, audience string, now time.Time) (Broadcast, error) {
	b := Broadcast{ID: id, Kind: kind, Subject: subject, Audience: audience, CreatedAt: now.UTC().Truncate(time.Millisecond)}
	return b, b.Validate()
}

// CertificationAnnouncement is the broadcast that announces the certification round of
// year to every teacher (id "cert-announce-<year>": the round is announced once).
func CertificationAnnouncement(year int, now time.Time) Broadcast {
	b, _ := NewBroadcast(fmt.Sprintf("cert-announce-%04d", year), KindCertificationAnnounced,
		Subject{Type: SubjectCertificationWindow, ID: strconv.Itoa(year)}, AudienceTeachers, now)
	return b
}

// Validate checks that b can be posted (an error wrapping ErrInvalidBroadcast).
func (b Broadcast) Validate() error {
	bad := func(what string) error { return fmt.Errorf("%w: %s", ErrInvalidBroadcast, what) }
	switch {
	case !school.ValidID(b.ID) || strings.HasPrefix(b.ID, "n-"):
		return bad("id " + strconv.Quote(b.ID) + ": " + school.IDRule + ", not starting with \"n-\"")
	case !kindPattern.MatchString(b.Kind):
		return bad("kind " + strconv.Quote(b.Kind))
	case b.Subject.Type == "" || b.Subject.ID == "":
		return bad("no subject")
	case b.Audience != AudienceTeachers && b.Audience != AudienceNSO && b.Audience != AudienceCSS:
		return bad("audience " + strconv.Quote(b.Audience))
	case b.CreatedAt.IsZero():
		return bad("no createdAt")
	}
	return nil
}

// VisibleTo tells whether m sees b at now: m's audience, posted at or after m's account
// was created (to the millisecond), not in the future, younger than Lifetime.
func (b Broadcast) VisibleTo(m member.Member, now time.Time) bool {
	since, until := visibleRange(m, now)
	return b.Audience == m.Role && !b.CreatedAt.Before(since) && !b.CreatedAt.After(until)
}

// visibleRange is when the broadcasts m sees at now were posted: [since, until].
func visibleRange(m member.Member, now time.Time) (since, until time.Time) {
	since = m.CreatedAt.UTC().Truncate(time.Millisecond)
	if oldest := now.Add(-Lifetime); since.Before(oldest) {
		since = oldest
	}
	return since, now
}

// Notification is b as one member's notification (read as the member's marker says).
func (b Broadcast) Notification(read bool) Notification {
	return Notification{ID: b.ID, Kind: b.Kind, CreatedAt: b.CreatedAt, Read: read, Subject: b.Subject, Mail: MailOff}
}

// BroadcastStore is what listing and reading broadcasts need from the database.
type BroadcastStore interface {
	// ListBroadcasts returns up to limit of audience's broadcasts posted in [since,
	// until], newest first.
	ListBroadcasts(ctx context.Context, audience string, since, until time.Time, limit int) ([]Broadcast, error)
	// GetBroadcast reads one broadcast by id.
	GetBroadcast(ctx context.Context, id string) (b Broadcast, found bool, err error)
	// BroadcastsRead tells which of ids the member has marked read.
	BroadcastsRead(ctx context.Context, memberID string, ids []string) (map[string]bool, error)
	// MarkBroadcastRead records that the member read b (again: no change).
	MarkBroadcastRead(ctx context.Context, memberID string, b Broadcast, now time.Time) error
}

// Broadcaster posts broadcasts (the jobs that announce things).
type Broadcaster interface {
	// PostBroadcast writes b unless a broadcast with its id exists: created is false when
	// one did (then nothing changed, whatever b holds). An invalid b is an error wrapping
	// ErrInvalidBroadcast. Nothing is written per member.
	PostBroadcast(ctx context.Context, b Broadcast) (created bool, err error)
}

// Package room is the teachers' rooms (DOMAIN.md §7): online rooms where eTwinners discuss
// one topic, active for two months from their creation and extendable once by two more.
// Any member creates a room and moderates it as its creator; a room is invitation-only,
// and invisible (404) to everyone else, unless the CSS opened it, when anyone signed in
// may read and join it. The participants post; the creator removes posts and
// participants. A room past its expiry is read-only.
package room

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/vocab"
)

// Limits (in characters, and tags).
const (
	MinTitle       = 3
	MaxTitle       = 200
	MaxDescription = 2000
	MaxBody        = 5000
	MaxTags        = 10
	MaxTag         = 30
)

// Active is how long a room is active from its creation, and how much an extension adds
// (months, calendar arithmetic: time.AddDate(0, Active, 0)).
const Active = 2

// Memberships of the caller in a room (Room.Membership).
const (
	Creator     = "creator"
	Participant = "participant"
	Invited     = "invited"
	None        = "none"
)

// Invitation states.
const (
	InvitePending  = "pending"
	InviteDeclined = "declined"
)

// Person is a member as a room shows them (names as they were when written).
type Person struct {
	MemberID  string `json:"memberId"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// PersonOf is the member as a room shows them.
func PersonOf(m member.Member) Person {
	return Person{MemberID: m.MemberID, FirstName: m.FirstName, LastName: m.LastName}
}

// Room is a teachers' room.
type Room struct {
	RoomID      string   `json:"roomId"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Language    string   `json:"language"`
	Tags        []string `json:"tags"`
	// Open rooms (created by the CSS) may be read and joined by anyone signed in.
	Open      bool      `json:"open"`
	Creator   Person    `json:"creator"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
	// ExtendedAt is when the creator extended the room (once at most).
	ExtendedAt   *time.Time `json:"extendedAt,omitempty"`
	Participants int        `json:"participantCount"`
	// Expired: past ExpiresAt, the room is read-only (set when read).
	Expired bool `json:"expired"`
	// ClosedAt is when the room-expiry job closed the room, past its expiry: read-only for
	// good, no longer extendable, no longer among the open rooms offered to everyone.
	ClosedAt *time.Time `json:"closedAt,omitempty"`
	// WarnedAt is when the creator was warned that the room expires at ExpiresAt (nil: not
	// yet; an extension resets it, so a warning is once per expiry date).
	WarnedAt *time.Time `json:"-"`
	// Membership is the caller's: creator, participant, invited or none (set when read).
	Membership string `json:"membership"`
	// Version counts the versioned writes of the room (extend).
	Version int `json:"-"`
}

// Access is what a member is to a room: a participant, and the state of their invitation
// ("" when there is none).
type Access struct {
	Participant bool
	Invitation  string
}

// Invitation is a pending invitation of a member to a room.
type Invitation struct {
	RoomID    string
	MemberID  string
	By        string
	InvitedAt time.Time
}

// Post is a message of a room's discussion.
type Post struct {
	PostID    string    `json:"postId"`
	RoomID    string    `json:"roomId"`
	Body      string    `json:"body"`
	Author    Person    `json:"author"`
	CreatedAt time.Time `json:"createdAt"`
}

// NewRoom is the body of POST /v1/rooms.
type NewRoom struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Language    string   `json:"language"`
	Tags        []string `json:"tags"`
	Open        *bool    `json:"open"`
}

// Validate checks a new room (422 naming each bad field).
func (n *NewRoom) Validate() error {
	var fs apperr.Fields
	member.CheckName(&fs, "title", n.Title, MaxTitle)
	if len(fs) == 0 && utf8.RuneCountInString(strings.TrimSpace(n.Title)) < MinTitle {
		fs.Add("title", "must be at least %d characters", MinTitle)
	}
	member.CheckText(&fs, "description", n.Description, MaxDescription, false)
	member.CheckCode(&fs, "language", n.Language, vocab.IsLanguage)
	CheckTags(&fs, "tags", n.Tags)
	return fs.Err()
}

// CheckTags validates a room's tags: 1-MaxTags short lowercase words, no repeats.
func CheckTags(fs *apperr.Fields, field string, tags []string) {
	if len(tags) == 0 {
		fs.Add(field, "must list at least 1 tag")
		return
	}
	if len(tags) > MaxTags {
		fs.Add(field, "must list at most %d tags", MaxTags)
		return
	}
	seen := map[string]bool{}
	for i, t := range tags {
		f := field + "." + strconv.Itoa(i)
		switch {
		case !TagOK(t):
			fs.Add(f, "must be a word of 1-%d lowercase letters, digits or '-'", MaxTag)
		case seen[t]:
			fs.Add(f, "repeats a tag")
		}
		seen[t] = true
	}
}

// TagOK reports whether t is a tag: 1-MaxTag lowercase letters, digits or '-'.
func TagOK(t string) bool {
	if t == "" || !utf8.ValidString(t) || utf8.RuneCountInString(t) > MaxTag {
		return false
	}
	for _, r := range t {
		if !(r == '-' || unicode.IsDigit(r) || (unicode.IsLetter(r) && !unicode.IsUpper(r) && !unicode.IsTitle(r))) {
			return false
		}
	}
	return true
}

// InvitationInput is the body of POST /v1/rooms/{roomId}/invitations.
type InvitationInput struct {
	MemberID string `json:"memberId"`
}

// Validate checks the invitation's shape (422 naming memberId).
func (in *InvitationInput) Validate() error {
	var fs apperr.Fields
	if strings.TrimSpace(in.MemberID) == "" {
		fs.Add("memberId", "required")
	} else if len(in.MemberID) > 128 {
		fs.Add("memberId", "must be at most 128 characters")
	}
	return fs.Err()
}

// PostInput is the body of POST /v1/rooms/{roomId}/posts.
type PostInput struct {
	Body string `json:"body"`
}

// Validate checks a post (422 naming body).
func (p *PostInput) Validate() error {
	var fs apperr.Fields
	member.CheckText(&fs, "body", p.Body, MaxBody, true)
	return fs.Err()
}

// Filter is the query of GET /v1/rooms (either part may be empty).
type Filter struct {
	Tag      string
	Language string
}

// ParseFilter checks the query (400 naming tag or language).
func ParseFilter(tag, language string) (Filter, error) {
	var fs []apperr.FieldError
	if tag != "" && !TagOK(tag) {
		fs = append(fs, apperr.FieldError{Field: "tag", Message: "must be a tag: lowercase letters, digits or '-'"})
	}
	if language != "" && !vocab.IsLanguage(language) {
		fs = append(fs, apperr.FieldError{Field: "language", Message: "unknown language (ISO 639-1, see GET /v1/vocabularies)"})
	}
	if len(fs) > 0 {
		return Filter{}, apperr.BadRequest("The filter is invalid.", fs...)
	}
	return Filter{Tag: tag, Language: language}, nil
}

// Errors the store reports.
var (
	ErrNoRoom         = errors.New("room: no such room")
	ErrParticipant    = errors.New("room: already a participant")
	ErrInvited        = errors.New("room: an invitation is pending")
	ErrNotInvited     = errors.New("room: no pending invitation")
	ErrNotParticipant = errors.New("room: not a participant")
	ErrNoPost         = errors.New("room: no such post")
	// ErrNotDue: the room changed since the expiry job read it (another run, an
	// extension): nothing to do.
	ErrNotDue = errors.New("room: nothing due any more")
	ErrBusy   = apperr.Busy("The room keeps changing; please try again.")
)

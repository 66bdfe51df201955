// Package moderation is the removal of forum posts and replies and of room posts by
// someone other than their author: the NSO of the author's country, the Central Support
// Service, or (room posts) the room's creator. It holds the one rule of who may moderate
// whom, the optional body of the DELETE routes (the reason), the record every removal
// leaves (who, when, why), the author's notification, and the list of records.
package moderation

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/principal"
	"etwin/shared/token"
)

// Limits (in characters).
const (
	MaxReason = 500
	// MaxExcerpt bounds the text of the removed content kept on the record (a forum post
	// keeps its title).
	MaxExcerpt = 200
)

// Kinds of content (the record's kind and the notification's subject type).
const (
	KindForumPost  = "forum_post"
	KindForumReply = "forum_reply"
	KindRoomPost   = "room_post"
)

// Remover roles recorded: a staff member's role, or the room's creator (a teacher).
const (
	ByNSO         = member.RoleNSO
	ByCSS         = member.RoleCSS
	ByRoomCreator = "room_creator"
)

// NoCountry is the partition of removals of content whose author has no school (a staff
// member's post, or a member gone since).
const NoCountry = "NONE"

// CanModerate is THE rule of who may remove someone else's content as a moderator: the
// CSS anything, an NSO the content of authors with a school in its country
// (authorCountries, read from the author's member record at removal time; a teacher with
// schools in two countries may be moderated by either NSO). Teachers never (a room's
// creator moderates their own room: package room).
func CanModerate(who principal.Principal, authorCountries []string) bool {
	switch who.Role {
	case member.RoleCSS:
		return true
	case member.RoleNSO:
		return who.Country != "" && slices.Contains(authorCountries, who.Country)
	}
	return false
}

// IsStaff reports whether who is an NSO or the CSS (who may reach content to moderate it
// without being a participant where it is).
func IsStaff(who principal.Principal) bool {
	return who.Role == member.RoleNSO || who.Role == member.RoleCSS
}

// CountriesOf are the countries of a member's schools (each once, in order).
func CountriesOf(m member.Member) []string {
	var out []string
	for _, s := range m.Schools {
		if s.Country != "" && !slices.Contains(out, s.Country) {
			out = append(out, s.Country)
		}
	}
	if len(out) == 0 && m.Role == member.RoleTeacher && m.Country != "" {
		out = append(out, m.Country)
	}
	return out
}

// RemovalInput is the optional body of the three DELETE routes: {"reason": "..."}.
type RemovalInput struct {
	Reason *string `json:"reason"`
}

// Validate checks the reason (a 400 naming it, like the decoder's answers: the body is
// optional, so a bad one is a bad request).
func (in *RemovalInput) Validate() error {
	if in.Reason == nil {
		return nil
	}
	var fs apperr.Fields
	member.CheckText(&fs, "reason", strings.TrimSpace(*in.Reason), MaxReason, false)
	if len(fs) > 0 {
		return apperr.BadRequest("The reason is invalid.", fs...)
	}
	return nil
}

// Text is the trimmed reason ("" when none was given).
func (in RemovalInput) Text() string {
	if in.Reason == nil {
		return ""
	}
	return strings.TrimSpace(*in.Reason)
}

// Where is where the removed content was: a forum (age group and, for a reply, its post)
// or a room.
type Where struct {
	AgeGroup string `json:"ageGroup,omitempty"`
	PostID   string `json:"postId,omitempty"`
	RoomID   string `json:"roomId,omitempty"`
}

// Remover is who removed it, as a role (their member id for the record's readers, the
// staff; the author's e-mail names only the role).
type Remover struct {
	MemberID string `json:"memberId"`
	Role     string `json:"role"`
	Country  string `json:"country,omitempty"`
}

// Record is what a moderation removal leaves: what, where, whose, who removed it, when
// and why.
type Record struct {
	ID        string    `json:"id"`
	Kind      string    `json:"kind"`
	ContentID string    `json:"contentId"`
	Where     Where     `json:"where"`
	AuthorID  string    `json:"authorId"`
	Countries []string  `json:"authorCountries"`
	Excerpt   string    `json:"excerpt"`
	RemovedBy Remover   `json:"removedBy"`
	RemovedAt time.Time `json:"removedAt"`
	Reason    string    `json:"reason"`
}

// Removal is a moderation removal as the store commits it, in the content's delete
// transaction: its record and the author's notification (nil when the author's account
// is gone).
type Removal struct {
	Record Record
	Notice *notify.Notification
}

// Excerpt is the first MaxExcerpt characters of s (trimmed).
func Excerpt(s string) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= MaxExcerpt {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:MaxExcerpt])) + "…"
}

// Content is what is being removed, as the use case read it.
type Content struct {
	Kind      string
	ID        string
	Where     Where
	Excerpt   string
	AuthorID  string
	Countries []string
	// Place names where it was for the author's e-mail (the room's title; a forum's age
	// group is in Where).
	Place string
}

// New builds the removal of c by who (as role: ByNSO, ByCSS or ByRoomCreator) with the
// reason, at now: the record and, when the author is there, their notification
// content_removed with its e-mail (what, where, when, why, and who as a role).
func New(c Content, who principal.Principal, role, reason string, author *member.Member, now time.Time) Removal {
	rec := Record{ID: token.SortableID("mr-", now), Kind: c.Kind, ContentID: c.ID, Where: c.Where, AuthorID: c.AuthorID,
		Countries: c.Countries, Excerpt: Excerpt(c.Excerpt), RemovedBy: Remover{MemberID: who.MemberID, Role: role},
		RemovedAt: now.UTC(), Reason: reason}
	if role == ByNSO {
		rec.RemovedBy.Country = who.Country
	}
	if rec.Countries == nil {
		rec.Countries = []string{}
	}
	rm := Removal{Record: rec}
	if author != nil {
		n := notify.New(notify.RecipientOf(*author), notify.KindContentRemoved, notify.Subject{Type: c.Kind, ID: c.ID}, nil, now)
		if n.Email != nil {
			e := &n.Email.Envelope
			e.Data["ContentKind"] = c.Kind
			e.Data["Excerpt"] = rec.Excerpt
			e.Data["AgeGroup"] = c.Where.AgeGroup
			e.Data["Place"] = c.Place
			e.Data["Reason"] = reason
			e.Data["RemovedBy"] = role
			if e.Times == nil {
				e.Times = map[string]time.Time{}
			}
			e.Times["RemovedAt"] = now
		}
		rm.Notice = &n
	}
	return rm
}

// PartitionCountries are the countries a record is listed under (NoCountry when none).
func (r Record) PartitionCountries() []string {
	if len(r.Countries) == 0 {
		return []string{NoCountry}
	}
	return r.Countries
}

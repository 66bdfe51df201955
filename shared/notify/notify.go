// Package notify is the notifications section: what members' actions announce to other
// members, and the e-mail that goes with each.
//
// How a use case reports an action (atomic, never twice):
//  1. build the notification with New (its id is fixed from then on);
//  2. hand it to the ddb method that performs the action: the method adds the
//     notification item, and its e-mail as an outbox item (package outbox), to the SAME
//     TransactWriteItems as the action (puts that must not overwrite), so there is no
//     action without its notification and its e-mail, and an action refused by its own
//     conditions (a retry, a lost race) writes neither.
//
// The mail-sender delivers the e-mail in the recipient's language and records the outcome
// on the notification ("sent" or "failed"). A failed send never undoes the action.
package notify

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"etwin/shared/action"
	"etwin/shared/mail"
	"etwin/shared/member"
	"etwin/shared/outbox"
	"etwin/shared/token"
)

// Kinds of notification. Later use cases add theirs here (and, optionally, e-mail
// templates named "notify_<kind>"; kinds without templates use "notify_generic").
const (
	KindContactRequest          = "contact_request"
	KindContactAccepted         = "contact_accepted"
	KindProjectCofounderRequest = "project_cofounder_request"
	// The co-founder approved (to the founder): the project now waits for the NSOs.
	KindProjectCofounderApproved = "project_cofounder_approved"
	// The co-founder or an NSO rejected the project (to the founders).
	KindProjectRejected = "project_rejected"
	// Every NSO approved: the TwinSpace is open (to both founders).
	KindProjectApproved = "project_approved"
	// A project waits for the recipient's decision (co-founder after 7 days, the NSO
	// accounts of an undecided country after 14).
	KindProjectReminder         = "project_reminder"
	KindPartnerAdded            = "partner_added"
	KindCertificationInvitation = "certification_invitation"
	KindLabelAwarded            = "label_awarded"
	// The school's eTwinning School application was approved (the label) or rejected
	// (the NSO's feedback is on the application), to the school's eTwinners.
	KindCertificationApproved = "certification_approved"
	KindCertificationRejected = "certification_rejected"
	// Reminders of an application: a draft untouched for 14 days (to the school), the
	// round's last week with the application unsubmitted (to the school), a submission
	// waiting 14 days (to the NSO accounts of the school's country).
	KindCertificationDraftReminder   = "certification_draft_reminder"
	KindCertificationClosingReminder = "certification_closing_reminder"
	KindCertificationNSOReminder     = "certification_nso_reminder"
	// A room's creator invited the recipient to a teachers' room (a decision e-mail: join
	// or decline).
	KindRoomInvitation = "room_invitation"
	// The NSO of the author's country, the CSS or a room's creator removed the recipient's
	// forum post or reply or room post (package moderation).
	KindContentRemoved = "content_removed"

	// A room of the recipient's expires in a week (to its creator, once per expiry date;
	// the e-mail says whether it may still be extended).
	KindRoomExpiring = "room_expiring"

	// An event the recipient registered for starts within a day (the event-reminders job,
	// once per registration).
	KindEventReminder = "event_reminder"
)

// EmailKinds are the kinds whose notifications are e-mailed (each can be muted one by
// one, see package optout). A kind added above joins this list.
var EmailKinds = []string{KindContactRequest, KindContactAccepted, KindProjectCofounderRequest,
	KindProjectCofounderApproved, KindProjectRejected, KindProjectApproved, KindProjectReminder,
	KindPartnerAdded, KindCertificationInvitation, KindLabelAwarded, KindCertificationApproved,
	KindCertificationRejected, KindCertificationDraftReminder, KindCertificationClosingReminder,
	KindCertificationNSOReminder, KindRoomInvitation,
	KindContentRemoved,
	KindRoomExpiring,
	KindEventReminder,
}

// IsEmailKind reports whether kind is one of EmailKinds.
func IsEmailKind(kind string) bool { return slices.Contains(EmailKinds, kind) }

// Subject types: what a notification links to.
const (
	SubjectContactRequest = "contact_request"
	SubjectMember         = "member"
	SubjectProject        = "project"
	// SubjectSchoolCertification: a school's eTwinning School certification (its id is
	// the school's).
	SubjectSchoolCertification = "school_certification"
	// A school's eTwinning School application (id: the school's id).
	SubjectCertificationApplication = "certification_application"
	// SubjectRoom: a teachers' room (id: the room's id).
	SubjectRoom = "room"
	// What a content_removed notification is about: the removed content (id: its id).
	SubjectForumPost  = "forum_post"
	SubjectForumReply = "forum_reply"
	SubjectRoomPost   = "room_post"

	// SubjectEvent: a professional-development event (id: the event's id).
	SubjectEvent = "event"
)

// Mail states recorded on a notification item.
const (
	MailOff     = "off"     // the recipient turned notification e-mails off
	MailPending = "pending" // committed with its outbox e-mail, not sent yet
	MailSent    = "sent"
	MailFailed  = "failed" // not sent: refused, suppressed address (the action stands)
)

// Lifetime: notifications older than this are removed by the table's TTL.
const Lifetime = 365 * 24 * time.Hour

// Subject is what a notification is about ({type: "contact_request", id: requestId}).
type Subject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Actor is the member whose action the notification reports (denormalised at write time).
type Actor struct {
	MemberID  string `json:"memberId"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// Notification is one entry of a member's notifications.
type Notification struct {
	ID          string    `json:"id"`
	RecipientID string    `json:"-"`
	Kind        string    `json:"kind"`
	CreatedAt   time.Time `json:"createdAt"`
	Read        bool      `json:"read"`
	Subject     Subject   `json:"subject"`
	Actor       *Actor    `json:"actor,omitempty"`
	Mail        string    `json:"-"`
	// Email is the e-mail that goes with it (nil when the recipient turned them off).
	Email *outbox.Mail `json:"-"`
}

// Recipient is who a notification goes to, as far as e-mailing them is concerned.
type Recipient struct {
	MemberID   string
	FirstName  string
	Email      string
	Language   string
	Country    string // their school's country: the e-mail's dates are in its time zone
	WantsEmail bool
	// Muted are the kinds whose e-mails they turned off one by one (unsubscribe links).
	Muted []string
}

// RecipientOf reads a recipient from their member item.
func RecipientOf(m member.Member) Recipient {
	return Recipient{MemberID: m.MemberID, FirstName: m.FirstName, Email: m.Email, Language: m.Language,
		Country: m.Country, WantsEmail: m.WantsNotificationEmails(), Muted: m.MutedEmailKinds}
}

// ActorOf is the actor as a member item describes them.
func ActorOf(m member.Member) *Actor {
	return &Actor{MemberID: m.MemberID, FirstName: m.FirstName, LastName: m.LastName}
}

// New builds a notification for to (its id sorts by creation time) and, unless they
// turned notification e-mails off (all of them, or this kind's), its e-mail, which the
// same transaction commits to the outbox.
func New(to Recipient, kind string, subject Subject, actor *Actor, now time.Time) Notification {
	n := Notification{ID: token.SortableID("n-", now), RecipientID: to.MemberID, Kind: kind,
		CreatedAt: now.UTC(), Subject: subject, Actor: actor, Mail: MailOff}
	if to.WantsEmail && to.Email != "" && !slices.Contains(to.Muted, kind) {
		n.Mail = MailPending
		m := outbox.New(envelope(n, to), &outbox.Ref{Type: outbox.RefNotification, MemberID: to.MemberID, ID: n.ID}, now)
		n.Email = &m
	}
	return n
}

// AskDecision makes n's e-mail (if it has one) a decision e-mail: its one link goes to
// the backend's confirmation page, where the recipient takes purpose on n's subject
// without signing in (package action; the outbox commits the link's token with the
// e-mail). A decision e-mail is something the recipient must answer, so it carries no
// unsubscribe link.
func (n *Notification) AskDecision(purpose string, now time.Time) {
	if n.Email == nil {
		return
	}
	raw, t := action.Issue(purpose, n.Subject.ID, n.RecipientID, now)
	n.Email.Action = &t
	e := &n.Email.Envelope
	e.Link, e.LinkBase, e.Notification = "/confirm/"+raw, mail.LinkConfirm, false
	if e.Times == nil {
		e.Times = map[string]time.Time{}
	}
	e.Times["Expires"] = t.ExpiresAt
}

// Store is what notifications need from the database (the notification items and their
// outbox e-mails are written by the action's own transaction).
type Store interface {
	// ListNotifications returns up to limit of the member's own notifications, newest
	// first, after the one with id after ("" from the newest), and the id the next page
	// starts after ("" on the last page).
	ListNotifications(ctx context.Context, memberID, after string, limit int) (ns []Notification, next string, err error)
	// MarkNotificationRead sets read; found is false for an id not among the member's.
	MarkNotificationRead(ctx context.Context, memberID, id string) (n Notification, found bool, err error)
	// GetMember reads the member (their role is their audience; their account's
	// creation, the oldest broadcast they see).
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	BroadcastStore
}

// TemplateOf is the e-mail template a kind is rendered with.
func TemplateOf(kind string) string {
	if len(mail.Languages("notify_"+kind)) > 0 {
		return "notify_" + kind
	}
	return "notify_generic"
}

// envelope is the e-mail of n for to.
func envelope(n Notification, to Recipient) mail.Envelope {
	e := mail.Envelope{Kind: TemplateOf(n.Kind), To: to.Email, Lang: to.Language, Country: to.Country,
		Data: map[string]string{"FirstName": to.FirstName}, Link: "/notifications?id=" + url.QueryEscape(n.ID), Notification: true, Topic: n.Kind}
	if n.Actor != nil {
		e.Data["ActorName"] = strings.TrimSpace(n.Actor.FirstName + " " + n.Actor.LastName)
	}
	return e
}

// Package notify is the notifications section: what members' actions announce to other
// members, and the e-mail that goes with each.
//
// How a use case reports an action (atomic, never twice):
//  1. build the notification with New (its id is fixed from then on);
//  2. hand it to the ddb method that performs the action: the method adds the
//     notification item to the SAME TransactWriteItems as the action (a put that must not
//     overwrite), so there is no action without its notification, and an action refused
//     by its own conditions (a retry, a lost race) writes no notification;
//  3. after the commit, call Service.Deliver: it e-mails the recipient in their language
//     (unless they turned e-mails off) and records the outcome on the notification item
//     ("sent" or "failed"). A failed send never undoes the action.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"etwin/shared/mail"
	"etwin/shared/member"
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
)

// Subject types: what a notification links to.
const (
	SubjectContactRequest = "contact_request"
	SubjectMember         = "member"
	SubjectProject        = "project"
)

// Mail states recorded on a notification item.
const (
	MailOff     = "off"     // the recipient turned notification e-mails off
	MailPending = "pending" // committed; the e-mail is being sent
	MailSent    = "sent"
	MailFailed  = "failed" // SES refused it after its retries (the action stands)
)

// Lifetime: notifications older than this are removed by the table's TTL.
const Lifetime = 365 * 24 * time.Hour

// Subject is what a notification is about ({type: "contact_request", id: requestId}).
type Subject struct {
	Type string `json:"type" dynamodbav:"type"`
	ID   string `json:"id" dynamodbav:"id"`
}

// Actor is the member whose action the notification reports (denormalised at write time).
type Actor struct {
	MemberID  string `json:"memberId" dynamodbav:"memberId"`
	FirstName string `json:"firstName" dynamodbav:"firstName"`
	LastName  string `json:"lastName" dynamodbav:"lastName"`
}

// Notification is one entry of a member's notifications.
type Notification struct {
	ID          string    `json:"id" dynamodbav:"id"`
	RecipientID string    `json:"-" dynamodbav:"recipientId"`
	Kind        string    `json:"kind" dynamodbav:"notificationKind"`
	CreatedAt   time.Time `json:"createdAt" dynamodbav:"createdAt"`
	Read        bool      `json:"read" dynamodbav:"read"`
	Subject     Subject   `json:"subject" dynamodbav:"subject"`
	Actor       *Actor    `json:"actor,omitempty" dynamodbav:"actor,omitempty"`
	Mail        string    `json:"-" dynamodbav:"mail"`
}

// Recipient is who a notification goes to, as far as e-mailing them is concerned.
type Recipient struct {
	MemberID   string
	FirstName  string
	Email      string
	Language   string
	WantsEmail bool
}

// RecipientOf reads a recipient from their member item.
func RecipientOf(m member.Member) Recipient {
	return Recipient{MemberID: m.MemberID, FirstName: m.FirstName, Email: m.Email, Language: m.Language,
		WantsEmail: m.WantsNotificationEmails()}
}

// ActorOf is the actor as a member item describes them.
func ActorOf(m member.Member) *Actor {
	return &Actor{MemberID: m.MemberID, FirstName: m.FirstName, LastName: m.LastName}
}

// New builds a notification for to (its id sorts by creation time).
func New(to Recipient, kind string, subject Subject, actor *Actor, now time.Time) Notification {
	state := MailPending
	if !to.WantsEmail {
		state = MailOff
	}
	return Notification{ID: token.SortableID("n-", now), RecipientID: to.MemberID, Kind: kind,
		CreatedAt: now.UTC(), Subject: subject, Actor: actor, Mail: state}
}

// Store is what notifications need from the database (the notification items themselves
// are written by the action's own transaction).
type Store interface {
	// ListNotifications returns up to limit of the member's notifications, newest first,
	// after the position after ("" from the newest), and the position the next page starts
	// from ("" on the last page).
	ListNotifications(ctx context.Context, memberID, after string, limit int) (ns []Notification, next string, err error)
	// MarkNotificationRead sets read; found is false for an id not among the member's.
	MarkNotificationRead(ctx context.Context, memberID, id string) (n Notification, found bool, err error)
	// SetNotificationMail records the e-mail outcome on the notification item (a failure
	// counts as one more attempt; after MaxMailAttempts nothing retries it).
	SetNotificationMail(ctx context.Context, memberID, id, state string) error
	// DueNotificationMails lists notifications whose e-mail is still pending or failed,
	// committed before `before` (the retry job's work), at most limit.
	DueNotificationMails(ctx context.Context, before time.Time, limit int) ([]Notification, error)
	// GetMember reads the recipient (address, language, e-mail preference).
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
}

// MaxMailAttempts bounds how often a notification's e-mail is tried (the first send and
// the retries of the mail-retry job).
const MaxMailAttempts = 5

// RetryDelay is how long a pending e-mail is left to its own request before the retry job
// takes it over (the request sends it right after its commit).
const RetryDelay = 5 * time.Minute

// mailData is what the notification templates can show.
type mailData struct {
	FirstName string // the recipient's
	ActorName string // "" when no member acted
	Link      string
}

// TemplateOf is the e-mail template a kind is rendered with.
func TemplateOf(kind string) string {
	if len(mail.Languages("notify_"+kind)) > 0 {
		return "notify_" + kind
	}
	return "notify_generic"
}

// Render builds the e-mail of n for to.
func Render(n Notification, to Recipient, portalURL string) (mail.Message, error) {
	d := mailData{FirstName: to.FirstName,
		Link: strings.TrimRight(portalURL, "/") + "/notifications?id=" + url.QueryEscape(n.ID)}
	if n.Actor != nil {
		d.ActorName = strings.TrimSpace(n.Actor.FirstName + " " + n.Actor.LastName)
	}
	return mail.Render(TemplateOf(n.Kind), to.Language, to.Email, d)
}

// Deliver e-mails a committed notification and records the outcome. It never fails the
// caller: the action stands whatever happens to the e-mail; a failure is logged without
// personal data (ids and kind only).
func (s *Service) Deliver(ctx context.Context, n Notification, to Recipient) (sent bool) {
	if n.Mail != MailPending {
		return false
	}
	state := MailSent
	err := errors.New("no mail sender configured")
	if s.Mail != nil {
		var msg mail.Message
		if msg, err = Render(n, to, s.PortalURL); err == nil {
			err = s.Mail.Send(ctx, msg)
		}
	}
	if err != nil {
		state = MailFailed
		slog.ErrorContext(ctx, "notification e-mail failed", "notificationId", n.ID, "kind", n.Kind, "recipientId", n.RecipientID)
	}
	// The request may be cut short after a failed send; record the outcome regardless.
	rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	if err := s.Store.SetNotificationMail(rec, n.RecipientID, n.ID, state); err != nil {
		slog.ErrorContext(ctx, "recording the notification e-mail state failed", "notificationId", n.ID, "state", state)
	}
	return state == MailSent
}

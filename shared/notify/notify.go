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
	// A mail-retry run claimed it and is sending it (until the claim's lease ends).
	MailSending = "sending"
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
	// SetNotificationMail records the outcome of the request's own send on the
	// notification item while its e-mail is still pending, i.e. not taken over by the
	// retry job (a failure counts as one more attempt; after MaxMailAttempts nothing
	// retries it).
	SetNotificationMail(ctx context.Context, memberID, id, state string) error
	// DueNotificationMails lists notifications whose e-mail is still pending, failed or
	// claimed by a retry run (whose lease may have ended), committed before `before` (the
	// retry job's work), at most limit.
	DueNotificationMails(ctx context.Context, before time.Time, limit int) ([]DueMail, error)
	// ClaimNotificationMail takes one attempt at a due notification's e-mail, in one
	// conditional write: only while it is as it was read (attempts made so far, and
	// pending, failed, or claimed by a run whose lease ended at or before now). The claim
	// counts the attempt (attempts+1), sets MailSending and lasts until `until`. claimed
	// is false when another run holds or finished it.
	ClaimNotificationMail(ctx context.Context, memberID, id string, attempts int, now, until time.Time) (claimed bool, err error)
	// FinishNotificationMail records the outcome (sent, failed or off) of the claimed
	// attempt (the count the claim set), while that claim is still the notification's
	// (recorded is false otherwise). Only a failure below MaxMailAttempts stays due.
	FinishNotificationMail(ctx context.Context, memberID, id string, attempt int, state string) (recorded bool, err error)
	// GetMember reads the recipient (address, language, e-mail preference).
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
}

// MaxMailAttempts bounds how often a notification's e-mail is tried (the first send and
// the retries of the mail-retry job).
const MaxMailAttempts = 5

// MailLease is how long a mail-retry run's claim on a notification lasts: longer than
// any run (Lambda stops a function within 15 minutes), so that no other run sends an
// e-mail that is being sent; a claim left by a run that crashed is taken over after it.
const MailLease = 15 * time.Minute

// DueMail is a notification whose e-mail the retry job is to try (again).
type DueMail struct {
	Notification
	Attempts int // e-mail attempts made so far (claims included)
}

// RetryDelay is how long a pending e-mail is left to its own request before the retry job
// takes it over (the request sends it right after its commit).
const RetryDelay = 5 * time.Minute

// TemplateOf is the e-mail template a kind is rendered with.
func TemplateOf(kind string) string {
	if len(mail.Languages("notify_"+kind)) > 0 {
		return "notify_" + kind
	}
	return "notify_generic"
}

// Render builds the e-mail of n for to.
func Render(n Notification, to Recipient, portalURL string) (mail.Message, error) {
	e := mail.Envelope{Kind: TemplateOf(n.Kind), To: to.Email, Lang: to.Language,
		Data: map[string]string{"FirstName": to.FirstName}, Link: "/notifications?id=" + url.QueryEscape(n.ID), Notification: true}
	if n.Actor != nil {
		e.Data["ActorName"] = strings.TrimSpace(n.Actor.FirstName + " " + n.Actor.LastName)
	}
	return mail.Render(e, portalURL)
}

// Deliver e-mails a committed notification and records the outcome. It never fails the
// caller: the action stands whatever happens to the e-mail; a failure is logged without
// personal data (ids and kind only).
func (s *Service) Deliver(ctx context.Context, n Notification, to Recipient) (sent bool) {
	if n.Mail != MailPending {
		return false
	}
	state := s.send(ctx, n, to)
	rec, cancel := recording(ctx)
	defer cancel()
	if err := s.Store.SetNotificationMail(rec, n.RecipientID, n.ID, state); err != nil {
		slog.ErrorContext(ctx, "recording the notification e-mail state failed", "notificationId", n.ID, "state", state)
	}
	return state == MailSent
}

// send renders and sends the e-mail of n: MailSent, or MailFailed (logged without
// personal data).
func (s *Service) send(ctx context.Context, n Notification, to Recipient) string {
	err := errors.New("no mail sender configured")
	if s.Mail != nil {
		var msg mail.Message
		if msg, err = Render(n, to, s.PortalURL); err == nil {
			err = s.Mail.Send(ctx, msg)
		}
	}
	if err != nil {
		slog.ErrorContext(ctx, "notification e-mail failed", "notificationId", n.ID, "kind", n.Kind, "recipientId", n.RecipientID)
		return MailFailed
	}
	return MailSent
}

// recording is the context an outcome is recorded in: the caller may be cut short after
// a send, and the outcome is recorded regardless.
func recording(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
}

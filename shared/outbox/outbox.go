// Package outbox is how every e-mail leaves the platform. A use case never sends: it
// builds an outbox.Mail (New) and hands it to the store method that makes the change the
// e-mail is about, which writes it in the SAME DynamoDB transaction, so there is no commit
// without its e-mail and no e-mail without its commit. The table's stream delivers each
// new outbox item to the mail-sender function, which calls Service.Deliver:
//
//  1. claim the item by a conditional write (pending, or a claim whose lease ended), so a
//     redelivered stream record, or a second sender, never sends it twice;
//  2. skip suppressed addresses (bounces, complaints: written by mail-events) and, for mail
//     a stranger can cause, addresses over the per-address limits;
//  3. render and send at the pace SES allows;
//  4. record the outcome on the item (and on what it is about: a notification, a staff
//     invitation). A transient failure releases the claim and asks the stream to retry.
package outbox

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"etwin/shared/action"
	"etwin/shared/clock"
	"etwin/shared/mail"
	"etwin/shared/token"
)

// States of an outbox item.
const (
	Pending    = "pending" // committed, not sent yet
	Sending    = "sending" // claimed by a sender until its lease ends
	Sent       = "sent"
	Failed     = "failed"     // refused for good (the reason is recorded)
	Suppressed = "suppressed" // the address bounced or complained before: nothing sent
	Limited    = "limited"    // a stranger's mail over the address's limits: nothing sent
)

// Final reports whether an item in state is done with (nothing will send it).
func Final(state string) bool {
	return state == Sent || state == Failed || state == Suppressed || state == Limited
}

// What an item's outcome is also recorded on.
const (
	RefNotification = "notification" // the notification's e-mail state (MemberID, ID)
	RefInvitation   = "invitation"   // a staff account's welcome e-mail (MemberID)
)

// Ref is what an e-mail is about, where its outcome is recorded too.
type Ref struct {
	Type     string
	MemberID string
	ID       string
}

// Mail is one outbox item.
type Mail struct {
	ID        string
	Envelope  mail.Envelope
	CreatedAt time.Time
	Ref       *Ref // nil: nothing else records the outcome
	// Action is the token of the decision link the e-mail carries (nil: none), committed
	// with the item in the same transaction.
	Action *action.Token
	// Set by the store when it claims the item:
	State   string
	Attempt int    // the claim's attempt number (1 for the first)
	Reason  string // why it ended as it did (failed, suppressed, limited)
}

// New is the outbox item of e, about ref (or nil), committed at now.
func New(e mail.Envelope, ref *Ref, now time.Time) Mail {
	return Mail{ID: token.SortableID("o-", now), Envelope: e, CreatedAt: now.UTC(), Ref: ref, State: Pending}
}

// SendBound bounds one send (the SDK's retries of a throttled call included): a send
// still going then is given up as transient, well within its claim.
const SendBound = 7 * time.Second

// Lease is how long a claim lasts: longer than one bounded send and the writes around it,
// short enough that a sender killed mid-send is taken over by the stream's retry soon.
const Lease = 10 * time.Second

// Per-address limits for mail a stranger can cause (Envelope.Stranger): beyond them the
// API answers the same, and no e-mail goes.
const (
	PerHour = 5
	PerDay  = 20
)

// Store is what the sender needs from the database.
type Store interface {
	// ClaimMail takes the item for one attempt, in one conditional write: only while it is
	// pending, or sending under a lease that ended at or before now. The claim sets
	// Sending, counts the attempt and lasts until `until`. It returns the item as claimed;
	// claimed false returns the item as it is (found false: no such item).
	ClaimMail(ctx context.Context, id string, now, until time.Time) (m Mail, claimed, found bool, err error)
	// FinishMail records a final state (and reason) on the claimed item, while the claim
	// is still the item's (attempt), and on its Ref in the same transaction; the item
	// keeps no body once finished.
	FinishMail(ctx context.Context, m Mail, state, reason string, now time.Time) error
	// ReleaseMail gives the claim back (pending again) for a later attempt.
	ReleaseMail(ctx context.Context, m Mail) error
	// Suppressed reports whether address is on the suppression list.
	Suppressed(ctx context.Context, address string) (bool, error)
	// CountStrangerMail counts one stranger-caused e-mail to address in now's hour and
	// day, only while both stay within PerHour and PerDay; allowed is false beyond.
	CountStrangerMail(ctx context.Context, address string, now time.Time) (allowed bool, err error)
}

// Errors a mail.Sender reports (sesmail maps SES's answers to them).
var (
	// ErrThrottled: over the sending rate for now (retried later).
	ErrThrottled = errors.New("mail: sending rate exceeded")
	// ErrQuota: the daily sending quota is used up: nothing more goes today.
	ErrQuota = errors.New("mail: daily sending quota exceeded")
	// ErrRejected: refused for good (the reason is the error's text).
	ErrRejected = errors.New("mail: rejected")
)

// Pacer spaces the sends (golang.org/x/time/rate's Limiter).
type Pacer interface {
	Wait(ctx context.Context) error
}

// Service delivers outbox items.
type Service struct {
	Store Store
	Mail  mail.Sender
	Links mail.Links
	// Unsubscribe signs the one-click unsubscribe token of a member and a kind of
	// notification (optout.Signer.Sign); nil: notification e-mails link to the
	// preferences page instead.
	Unsubscribe func(memberID, topic string) string
	Pace        Pacer // nil: no pacing
	Now         func() time.Time
}

// ErrRetry asks the stream to deliver the item again later (the claim is released, or held
// by a sender that may still finish it).
var ErrRetry = errors.New("outbox: try again later")

// Deliver sends the outbox item id once. nil: done with (sent, or finished without
// sending); ErrRetry or another error: the stream retries from this record. ErrQuota
// stops the batch (and raises the quota alarm through the log metric).
func (s *Service) Deliver(ctx context.Context, id string) error {
	now := clock.Now(s.Now)
	m, claimed, found, err := s.Store.ClaimMail(ctx, id, now, now.Add(Lease))
	switch {
	case err != nil:
		return err
	case !found || Final(m.State):
		return nil // a redelivered record: done already
	case !claimed:
		return ErrRetry // another sender holds it
	}
	state, reason, err := s.attempt(ctx, m, now)
	if err != nil {
		// transient: give the claim back and let the stream retry
		rel, cancel := recording(ctx)
		defer cancel()
		if rerr := s.Store.ReleaseMail(rel, m); rerr != nil {
			slog.ErrorContext(ctx, "releasing an outbox claim failed", "outboxId", m.ID)
		}
		if errors.Is(err, ErrQuota) {
			quotaMetric(ctx)
			return err
		}
		slog.WarnContext(ctx, "e-mail not sent yet", "outboxId", m.ID, "kind", m.Envelope.Kind, "error", err.Error())
		return ErrRetry
	}
	rec, cancel := recording(ctx)
	defer cancel()
	if err := s.Store.FinishMail(rec, m, state, reason, clock.Now(s.Now)); err != nil {
		return err
	}
	slog.InfoContext(ctx, "e-mail done", "outboxId", m.ID, "kind", m.Envelope.Kind, "state", state)
	return nil
}

// attempt decides and, when it may, sends: the final state and its reason, or an error
// for a transient failure.
func (s *Service) attempt(ctx context.Context, m Mail, now time.Time) (state, reason string, err error) {
	e := m.Envelope
	suppressed, err := s.Store.Suppressed(ctx, e.To)
	if err != nil {
		return "", "", err
	}
	if suppressed {
		return Suppressed, "the address bounced or complained before", nil
	}
	if e.Stranger && m.Attempt == 1 { // counted once per e-mail, not per attempt
		ok, err := s.Store.CountStrangerMail(ctx, e.To, now)
		if err != nil {
			return "", "", err
		}
		if !ok {
			return Limited, "the address's limit for such e-mails is reached", nil
		}
	}
	if e.Notification && e.Topic != "" && m.Ref != nil && m.Ref.MemberID != "" && s.Unsubscribe != nil {
		e.Unsubscribe = s.Unsubscribe(m.Ref.MemberID, e.Topic)
	}
	msg, err := mail.Render(e, s.Links)
	if err != nil {
		return Failed, "the e-mail could not be rendered", nil
	}
	if s.Pace != nil {
		if err := s.Pace.Wait(ctx); err != nil {
			return "", "", err
		}
	}
	if s.Mail == nil {
		return "", "", errors.New("no mail sender configured")
	}
	send, cancel := context.WithTimeout(ctx, SendBound)
	defer cancel()
	err = s.Mail.Send(send, msg)
	switch {
	case err == nil:
		return Sent, "", nil
	case errors.Is(err, ErrRejected):
		return Failed, err.Error(), nil
	}
	return "", "", err
}

// recording is the context an outcome is recorded in: the sender's context may be cut
// short after a send, and the outcome is recorded regardless.
func recording(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
}

// quotaMetric logs the "daily quota exceeded" count as a CloudWatch embedded metric
// (namespace etwin/Mail, metric DailyQuotaExceeded), which the template's alarm watches.
func quotaMetric(ctx context.Context) {
	slog.ErrorContext(ctx, "SES daily sending quota exceeded",
		slog.Any("_aws", map[string]any{
			"Timestamp": time.Now().UnixMilli(),
			"CloudWatchMetrics": []map[string]any{{
				"Namespace":  "etwin/Mail",
				"Dimensions": [][]string{{}},
				"Metrics":    []map[string]string{{"Name": "DailyQuotaExceeded", "Unit": "Count"}},
			}},
		}),
		slog.Int("DailyQuotaExceeded", 1))
}

package ddb

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/mail"
	"etwin/shared/notify"
	"etwin/shared/outbox"
)

// kindOutbox is the outbox items' type: the stream filter of the mail-sender matches it.
const kindOutbox = "outbox"

// outboxLifetime: an outbox item (without its body once finished) stays this long, for
// the record; then the TTL removes it. A pending one holds the only copy of a link's token
// until it is sent.
const outboxLifetime = 30 * 24 * time.Hour

type envelopeFields struct {
	Kind         string               `dynamodbav:"template"`
	To           string               `dynamodbav:"to"`
	Lang         string               `dynamodbav:"lang,omitempty"`
	Country      string               `dynamodbav:"country,omitempty"`
	Data         map[string]string    `dynamodbav:"data,omitempty"`
	Link         string               `dynamodbav:"link,omitempty"`
	LinkBase     string               `dynamodbav:"linkBase,omitempty"`
	Times        map[string]time.Time `dynamodbav:"times,omitempty"`
	Stranger     bool                 `dynamodbav:"stranger,omitempty"`
	Notification bool                 `dynamodbav:"notification,omitempty"`
	Topic        string               `dynamodbav:"topic,omitempty"`
	Unsubscribe  string               `dynamodbav:"-"` // signed when sent, never stored
}

type refFields struct {
	Type     string `dynamodbav:"type"`
	MemberID string `dynamodbav:"memberId"`
	ID       string `dynamodbav:"id,omitempty"`
}

type outboxItem struct {
	ID         string          `dynamodbav:"id"`
	Envelope   *envelopeFields `dynamodbav:"envelope,omitempty"` // removed once finished
	CreatedAt  time.Time       `dynamodbav:"createdAt"`
	Ref        *refFields      `dynamodbav:"ref,omitempty"`
	State      string          `dynamodbav:"state"`
	Attempts   int             `dynamodbav:"attempts,omitempty"`
	LeaseUntil int64           `dynamodbav:"leaseUntil,omitempty"`
	Reason     string          `dynamodbav:"reason,omitempty"`
	FinishedAt *time.Time      `dynamodbav:"finishedAt,omitempty"`
	TTL        int64           `dynamodbav:"ttl"`
}

func (it outboxItem) mail() outbox.Mail {
	m := outbox.Mail{ID: it.ID, CreatedAt: it.CreatedAt, State: it.State, Attempt: it.Attempts, Reason: it.Reason}
	if it.Envelope != nil {
		m.Envelope = mail.Envelope(*it.Envelope)
	}
	if it.Ref != nil {
		r := outbox.Ref(*it.Ref)
		m.Ref = &r
	}
	return m
}

// outboxPuts are the writes that add e-mails to a change's transaction: every store
// method whose change causes e-mail appends these to its TransactWriteItems.
func (s *Store) outboxPuts(ms ...outbox.Mail) ([]txItem, error) {
	out := make([]txItem, 0, len(ms))
	for _, m := range ms {
		e := envelopeFields(m.Envelope)
		it := outboxItem{ID: m.ID, Envelope: &e, CreatedAt: m.CreatedAt, State: outbox.Pending,
			TTL: m.CreatedAt.Add(outboxLifetime).Unix()}
		if m.Ref != nil {
			r := refFields(*m.Ref)
			it.Ref = &r
		}
		av, err := item(outboxPK(m.ID), skOutbox, kindOutbox, it)
		if err != nil {
			return nil, err
		}
		out = append(out, s.putNew(av, fail(errBusy)))
		if m.Action != nil {
			a, err := s.actionPut(*m.Action)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		}
	}
	return out, nil
}

// QueueMail commits e-mails that no other change goes with (the "you already have an
// account" answer to a registration).
func (s *Store) QueueMail(ctx context.Context, ms ...outbox.Mail) error {
	items, err := s.outboxPuts(ms...)
	if err != nil {
		return err
	}
	return s.transact(ctx, items)
}

// GetMail reads one outbox item (strongly consistent).
func (s *Store) GetMail(ctx context.Context, id string) (outbox.Mail, bool, error) {
	var it outboxItem
	found, err := s.get(ctx, key(outboxPK(id), skOutbox), &it)
	return it.mail(), found, err
}

// GetMailFinished is GetMail with the time the item reached its final state (zero before
// then): infra/bench measures the commit-to-send delay with it.
func (s *Store) GetMailFinished(ctx context.Context, id string) (m outbox.Mail, finishedAt time.Time, found bool, err error) {
	var it outboxItem
	found, err = s.get(ctx, key(outboxPK(id), skOutbox), &it)
	if it.FinishedAt != nil {
		finishedAt = *it.FinishedAt
	}
	return it.mail(), finishedAt, found, err
}

// ClaimMail implements outbox.Store: one conditional UpdateItem (ALL_NEW or, when the
// condition fails, the item as it is).
func (s *Store) ClaimMail(ctx context.Context, id string, now, until time.Time) (outbox.Mail, bool, bool, error) {
	state, lease := expression.Name("state"), expression.Name("leaseUntil")
	free := state.Equal(expression.Value(outbox.Pending)).Or(
		state.Equal(expression.Value(outbox.Sending)).And(lease.LessThanEqual(expression.Value(now.Unix()))))
	var it outboxItem
	failed, err := s.updateItem(ctx, key(outboxPK(id), skOutbox), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK")).And(free)).
		WithUpdate(expression.Set(state, expression.Value(outbox.Sending)).
			Set(lease, expression.Value(until.Unix())).
			Add(expression.Name("attempts"), expression.Value(1))), &it)
	if err != nil {
		return outbox.Mail{}, false, false, err
	}
	if !failed {
		return it.mail(), true, true, nil
	}
	found, err := s.get(ctx, key(outboxPK(id), skOutbox), &it)
	return it.mail(), false, found, err
}

// FinishMail implements outbox.Store, in one transaction: the item (while this claim is
// its own) drops its body and records the outcome, and so does what it is about.
func (s *Store) FinishMail(ctx context.Context, m outbox.Mail, state, reason string, now time.Time) error {
	set := expression.Set(expression.Name("state"), expression.Value(state)).
		Set(expression.Name("finishedAt"), expression.Value(now.UTC())).
		Remove(expression.Name("envelope")).Remove(expression.Name("leaseUntil"))
	if reason != "" {
		set = set.Set(expression.Name("reason"), expression.Value(reason))
	}
	own, err := s.update(key(outboxPK(m.ID), skOutbox), expression.NewBuilder().
		WithCondition(stillClaimed(m)).WithUpdate(set), fail(errClaimLost))
	if err != nil {
		return err
	}
	ref, err := s.refOutcome(m.Ref, state, reason)
	if err != nil {
		return err
	}
	// A lost race with another writer of the notification or member item is retried: the
	// outcome must be recorded, or the e-mail would be sent again after the lease.
	_, err = retryStale(ctx, 3, errBusy, func() (struct{}, error) {
		items := []txItem{own}
		if ref != nil {
			items = append(items, *ref)
		}
		err := s.transact(ctx, items)
		if errors.Is(err, errRefGone) { // what it was about is gone: record on the item alone
			ref, err = nil, s.transact(ctx, []txItem{own})
		}
		if errors.Is(err, errBusy) {
			err = errStale
		}
		return struct{}{}, err
	})
	if errors.Is(err, errClaimLost) {
		return nil // taken over after the lease: the other sender records its outcome
	}
	return err
}

// Conditions of the outbox writes.
var (
	errClaimLost = errors.New("ddb: the outbox claim was taken over")
	errRefGone   = errors.New("ddb: what the e-mail is about is gone")
	errOverLimit = errors.New("ddb: over the address's sending limit")
)

// stillClaimed: the item is still under the claim of m (sending, at m's attempt).
func stillClaimed(m outbox.Mail) expression.ConditionBuilder {
	return expression.Name("state").Equal(expression.Value(outbox.Sending)).
		And(expression.Name("attempts").Equal(expression.Value(m.Attempt)))
}

// refOutcome is the write that records an e-mail's outcome on what it is about: the
// notification's mail state, or the staff account's invitation (when it still exists).
func (s *Store) refOutcome(ref *outbox.Ref, state, reason string) (*txItem, error) {
	if ref == nil {
		return nil, nil
	}
	var k map[string]types.AttributeValue
	var set expression.UpdateBuilder
	switch ref.Type {
	case outbox.RefNotification:
		k = key(memberPK(ref.MemberID), notificationSK(ref.ID))
		set = expression.Set(expression.Name("mail"), expression.Value(notificationMailState(state)))
	case outbox.RefInvitation:
		k = key(memberPK(ref.MemberID), skProfile)
		set = expression.Set(expression.Name("invitationMail"), expression.Value(state))
		if reason != "" {
			set = set.Set(expression.Name("invitationMailReason"), expression.Value(reason))
		}
	default:
		return nil, nil
	}
	// Only onto an item that exists (a removed notification gets no new item back).
	it, err := s.update(k, expression.NewBuilder().WithCondition(expression.AttributeExists(expression.Name("PK"))).
		WithUpdate(set), fail(errRefGone))
	return &it, err
}

// notificationMailState is the notification's mail state for an outbox outcome.
func notificationMailState(state string) string {
	if state == outbox.Sent {
		return notify.MailSent
	}
	return notify.MailFailed
}

// ReleaseMail implements outbox.Store: pending again, while the claim is m's.
func (s *Store) ReleaseMail(ctx context.Context, m outbox.Mail) error {
	_, err := s.updateItem(ctx, key(outboxPK(m.ID), skOutbox), expression.NewBuilder().
		WithCondition(stillClaimed(m)).
		WithUpdate(expression.Set(expression.Name("state"), expression.Value(outbox.Pending)).
			Remove(expression.Name("leaseUntil"))), nil)
	return err
}

type suppressedItem struct {
	Reason string    `dynamodbav:"reason"` // "bounce" or "complaint"
	At     time.Time `dynamodbav:"at"`
}

// Suppressed implements outbox.Store (one GetItem).
func (s *Store) Suppressed(ctx context.Context, address string) (bool, error) {
	var it suppressedItem
	return s.get(ctx, key(suppressedPK(address), skSuppressed), &it)
}

// Suppress puts address on the suppression list (mail-events, on a permanent bounce or a
// complaint).
func (s *Store) Suppress(ctx context.Context, address, reason string, at time.Time) error {
	it, err := item(suppressedPK(address), skSuppressed, "suppressed", suppressedItem{Reason: reason, At: at.UTC()})
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{s.put(it)})
}

// CountStrangerMail implements outbox.Store: the hour's and the day's counters move in
// one transaction, each only below its limit.
func (s *Store) CountStrangerMail(ctx context.Context, address string, now time.Time) (bool, error) {
	count := func(sk string, limit int, expires time.Time) (txItem, error) {
		n := expression.Name("n")
		return s.update(key(mailCountPK(address), sk), expression.NewBuilder().
			WithCondition(expression.AttributeNotExists(n).Or(n.LessThan(expression.Value(limit)))).
			WithUpdate(expression.Add(n, expression.Value(1)).
				Set(expression.Name("kind"), expression.Value("mailcount")).
				Set(expression.Name("ttl"), expression.Value(expires.Unix()))), fail(errOverLimit))
	}
	hour, err := count(mailCountHourSK(now), outbox.PerHour, now.Add(2*time.Hour))
	if err != nil {
		return false, err
	}
	day, err := count(mailCountDaySK(now), outbox.PerDay, now.Add(48*time.Hour))
	if err != nil {
		return false, err
	}
	err = s.transact(ctx, []txItem{hour, day})
	if errors.Is(err, errOverLimit) {
		return false, nil
	}
	return err == nil, err
}

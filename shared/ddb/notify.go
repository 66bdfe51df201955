package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/shared/notify"
)

// actorFields are the stored names of a member named on another item (a notification's
// actor, a resource's author: notify.Actor and forum.Author have the same fields).
type actorFields struct {
	MemberID  string `dynamodbav:"memberId"`
	FirstName string `dynamodbav:"firstName"`
	LastName  string `dynamodbav:"lastName"`
}

type subjectFields struct {
	Type string `dynamodbav:"type"`
	ID   string `dynamodbav:"id"`
}

type notificationItem struct {
	ID          string        `dynamodbav:"id"`
	RecipientID string        `dynamodbav:"recipientId"`
	Kind        string        `dynamodbav:"notificationKind"` // "kind" is every item's type
	CreatedAt   time.Time     `dynamodbav:"createdAt"`
	Read        bool          `dynamodbav:"read"`
	Subject     subjectFields `dynamodbav:"subject"`
	Actor       *actorFields  `dynamodbav:"actor,omitempty"`
	Mail        string        `dynamodbav:"mail"`
	TTL         int64         `dynamodbav:"ttl"`
	// While its e-mail is pending or failed (and not given up), a notification carries a
	// sparse GSI1 entry the mail-retry job Queries.
	GSI1PK       string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK       string `dynamodbav:"GSI1SK,omitempty"`
	MailAttempts int    `dynamodbav:"mailAttempts,omitempty"`
	// While a mail-retry run holds its claim (mail "sending"): until when, in unix seconds.
	MailLeaseUntil int64 `dynamodbav:"mailLeaseUntil,omitempty"`
}

func notificationItemOf(n notify.Notification) notificationItem {
	it := notificationItem{ID: n.ID, RecipientID: n.RecipientID, Kind: n.Kind, CreatedAt: n.CreatedAt, Read: n.Read,
		Subject: subjectFields(n.Subject), Mail: n.Mail, TTL: n.CreatedAt.Add(notify.Lifetime).Unix()}
	if n.Actor != nil {
		a := actorFields(*n.Actor)
		it.Actor = &a
	}
	return it
}

func (it notificationItem) notification() notify.Notification {
	n := notify.Notification{ID: it.ID, RecipientID: it.RecipientID, Kind: it.Kind, CreatedAt: it.CreatedAt, Read: it.Read,
		Subject: notify.Subject(it.Subject), Mail: it.Mail}
	if it.Actor != nil {
		a := notify.Actor(*it.Actor)
		n.Actor = &a
	}
	return n
}

// errNotificationTwice: a notification id is written once; a clash means the same
// action was written twice, which its own conditions should already have refused.
var errNotificationTwice = errBusy

// notificationItems are the writes that add notifications to an action's transaction:
// every use case that reports an action passes its notify.Notification values to its
// store method, which appends these items to the same TransactWriteItems.
func (s *Store) notificationItems(ns ...notify.Notification) ([]txItem, error) {
	out := make([]txItem, 0, len(ns))
	for _, n := range ns {
		ni := notificationItemOf(n)
		if n.Mail == notify.MailPending {
			ni.GSI1PK, ni.GSI1SK = mailRetryGSI1PK(n.ID), mailRetryGSI1SK(n.CreatedAt.UTC().Format(keyTime), n.ID)
		}
		it, err := item(memberPK(n.RecipientID), notificationSK(n.ID), "notification", ni)
		if err != nil {
			return nil, err
		}
		out = append(out, s.putNew(it, fail(errNotificationTwice)))
	}
	return out, nil
}

// ListNotifications implements notify.Store: a descending Query of the member's NOTIF#
// items (consistent: a member sees at once what was just announced to them).
func (s *Store) ListNotifications(ctx context.Context, memberID, after string, limit int) ([]notify.Notification, string, error) {
	return listPartition(ctx, s, partition{PK: memberPK(memberID), Prefix: prefixNotification, Consistent: true}, after, limit,
		func(it notificationItem) notify.Notification { return it.notification() })
}

// MarkNotificationRead implements notify.Store: one conditional UpdateItem (ALL_NEW).
func (s *Store) MarkNotificationRead(ctx context.Context, memberID, id string) (notify.Notification, bool, error) {
	var it notificationItem
	failed, err := s.updateItem(ctx, key(memberPK(memberID), notificationSK(id)), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK"))).
		WithUpdate(expression.Set(expression.Name("read"), expression.Value(true))), &it)
	if err != nil || failed {
		return notify.Notification{}, false, err
	}
	return it.notification(), true, nil
}

// SetNotificationMail implements notify.Store. Sent or off: the retry entry goes. Failed:
// one more attempt is counted, and after notify.MaxMailAttempts the entry goes too (the
// state stays "failed" on the notification). Only while the e-mail is pending: once the
// retry job claimed it, its outcome is the job's to record.
func (s *Store) SetNotificationMail(ctx context.Context, memberID, id, state string) error {
	k := key(memberPK(memberID), notificationSK(id))
	stillPending := expression.Name("mail").Equal(expression.Value(notify.MailPending))
	if state != notify.MailFailed {
		_, err := s.updateItem(ctx, k, expression.NewBuilder().WithCondition(stillPending).
			WithUpdate(expression.Set(expression.Name("mail"), expression.Value(state)).
				Remove(expression.Name("GSI1PK")).Remove(expression.Name("GSI1SK"))), nil)
		return err
	}
	var it notificationItem
	if failed, err := s.updateItem(ctx, k, expression.NewBuilder().WithCondition(stillPending).
		WithUpdate(expression.Set(expression.Name("mail"), expression.Value(state)).
			Add(expression.Name("mailAttempts"), expression.Value(1))), &it); err != nil || failed || it.MailAttempts < notify.MaxMailAttempts {
		return err
	}
	_, err := s.updateItem(ctx, k, expression.NewBuilder().WithCondition(expression.AttributeExists(expression.Name("PK"))).
		WithUpdate(expression.Remove(expression.Name("GSI1PK")).Remove(expression.Name("GSI1SK"))), nil)
	return err
}

// ClaimNotificationMail implements notify.Store: one conditional UpdateItem. The
// notification must still be due (its GSI1 entry), have the attempt count that was read
// and be pending, failed, or claimed by a run whose lease has ended; the claim sets mail
// "sending", the next attempt count and the lease.
func (s *Store) ClaimNotificationMail(ctx context.Context, memberID, id string, attempts int, now, until time.Time) (bool, error) {
	mail, tries, lease := expression.Name("mail"), expression.Name("mailAttempts"), expression.Name("mailLeaseUntil")
	asRead := tries.Equal(expression.Value(attempts))
	if attempts == 0 { // never tried: stored without the attribute
		asRead = expression.AttributeNotExists(tries).Or(asRead)
	}
	free := mail.In(expression.Value(notify.MailPending), expression.Value(notify.MailFailed)).
		Or(mail.Equal(expression.Value(notify.MailSending)).And(lease.LessThanEqual(expression.Value(now.Unix()))))
	failed, err := s.updateItem(ctx, key(memberPK(memberID), notificationSK(id)), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("GSI1PK")).And(asRead, free)).
		WithUpdate(expression.Set(mail, expression.Value(notify.MailSending)).
			Set(tries, expression.Value(attempts+1)).
			Set(lease, expression.Value(until.Unix()))), nil)
	return !failed && err == nil, err
}

// FinishNotificationMail implements notify.Store: one UpdateItem conditional on the claim
// (mail "sending" at attempt). Sent, off, or failed at notify.MaxMailAttempts: the retry
// entry goes; failed before: it stays, for the next run.
func (s *Store) FinishNotificationMail(ctx context.Context, memberID, id string, attempt int, state string) (bool, error) {
	mail := expression.Name("mail")
	up := expression.Set(mail, expression.Value(state)).Remove(expression.Name("mailLeaseUntil"))
	if state != notify.MailFailed || attempt >= notify.MaxMailAttempts {
		up = up.Remove(expression.Name("GSI1PK")).Remove(expression.Name("GSI1SK"))
	}
	failed, err := s.updateItem(ctx, key(memberPK(memberID), notificationSK(id)), expression.NewBuilder().
		WithCondition(mail.Equal(expression.Value(notify.MailSending)).
			And(expression.Name("mailAttempts").Equal(expression.Value(attempt)))).
		WithUpdate(up), nil)
	return !failed && err == nil, err
}

// DueNotificationMails implements notify.Store: a Query of each retry shard on GSI1 for
// entries committed before `before` (oldest first), at most limit in all.
func (s *Store) DueNotificationMails(ctx context.Context, before time.Time, limit int) ([]notify.DueMail, error) {
	var out []notify.DueMail
	for shard := 0; shard < mailRetryShards && len(out) < limit; shard++ {
		kc := expression.Key("GSI1PK").Equal(expression.Value(mailRetryShardPK(shard))).
			And(expression.Key("GSI1SK").LessThan(expression.Value(mailRetryDueBefore(before))))
		e, err := expression.NewBuilder().WithKeyCondition(kc).Build()
		if err != nil {
			return nil, err
		}
		in := &dynamodb.QueryInput{TableName: s.tableName(), IndexName: aws.String("GSI1"), KeyConditionExpression: e.KeyCondition(),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			Limit: aws.Int32(int32(limit - len(out)))}
		err = s.queryPages(ctx, in, func(page *dynamodb.QueryOutput) (bool, error) {
			got, err := decode(page.Items, func(it notificationItem) notify.DueMail {
				return notify.DueMail{Notification: it.notification(), Attempts: it.MailAttempts}
			})
			out = append(out, got...)
			return len(out) < limit, err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// AddNotifications writes notifications that report no write of their own (a job's
// announcement, say), in one transaction (at most 100). An action's notifications go in
// the action's own transaction instead (notificationItems).
func (s *Store) AddNotifications(ctx context.Context, ns ...notify.Notification) error {
	items, err := s.notificationItems(ns...)
	if err != nil || len(items) == 0 {
		return err
	}
	return s.transact(ctx, items)
}

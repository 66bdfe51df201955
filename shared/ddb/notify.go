package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/shared/notify"
)

type notificationItem struct {
	notify.Notification
	TTL int64 `dynamodbav:"ttl"`
	// While its e-mail is pending or failed (and not given up), a notification carries a
	// sparse GSI1 entry the mail-retry job Queries.
	GSI1PK       string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK       string `dynamodbav:"GSI1SK,omitempty"`
	MailAttempts int    `dynamodbav:"mailAttempts,omitempty"`
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
		ni := notificationItem{Notification: n, TTL: n.CreatedAt.Add(notify.Lifetime).Unix()}
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
		func(it notificationItem) notify.Notification { return it.Notification })
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
	return it.Notification, true, nil
}

// SetNotificationMail implements notify.Store. Sent or off: the retry entry goes. Failed:
// one more attempt is counted, and after notify.MaxMailAttempts the entry goes too (the
// state stays "failed" on the notification).
func (s *Store) SetNotificationMail(ctx context.Context, memberID, id, state string) error {
	k := key(memberPK(memberID), notificationSK(id))
	exists := expression.AttributeExists(expression.Name("PK"))
	if state != notify.MailFailed {
		_, err := s.updateItem(ctx, k, expression.NewBuilder().WithCondition(exists).
			WithUpdate(expression.Set(expression.Name("mail"), expression.Value(state)).
				Remove(expression.Name("GSI1PK")).Remove(expression.Name("GSI1SK"))), nil)
		return err
	}
	var it notificationItem
	if _, err := s.updateItem(ctx, k, expression.NewBuilder().WithCondition(exists).
		WithUpdate(expression.Set(expression.Name("mail"), expression.Value(state)).
			Add(expression.Name("mailAttempts"), expression.Value(1))), &it); err != nil || it.MailAttempts < notify.MaxMailAttempts {
		return err
	}
	_, err := s.updateItem(ctx, k, expression.NewBuilder().WithCondition(exists).
		WithUpdate(expression.Remove(expression.Name("GSI1PK")).Remove(expression.Name("GSI1SK"))), nil)
	return err
}

// DueNotificationMails implements notify.Store: a Query of each retry shard on GSI1 for
// entries committed before `before` (oldest first), at most limit in all.
func (s *Store) DueNotificationMails(ctx context.Context, before time.Time, limit int) ([]notify.Notification, error) {
	var out []notify.Notification
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
			got, err := decode(page.Items, func(it notificationItem) notify.Notification { return it.Notification })
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

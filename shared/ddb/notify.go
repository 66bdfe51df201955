package ddb

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

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

// notificationItems are the writes that add notifications, and their e-mails (outbox
// items), to an action's transaction: every use case that reports an action passes its
// notify.Notification values to its store method, which appends these items to the same
// TransactWriteItems.
func (s *Store) notificationItems(ns ...notify.Notification) ([]txItem, error) {
	out := make([]txItem, 0, 2*len(ns))
	for _, n := range ns {
		it, err := item(memberPK(n.RecipientID), notificationSK(n.ID), "notification", notificationItemOf(n))
		if err != nil {
			return nil, err
		}
		out = append(out, s.putNew(it, fail(errNotificationTwice)))
		if n.Email != nil {
			mail, err := s.outboxPuts(*n.Email)
			if err != nil {
				return nil, err
			}
			out = append(out, mail...)
		}
	}
	return out, nil
}

// ListNotifications implements notify.Store: a descending Query of the member's NOTIF#
// items (consistent: a member sees at once what was just announced to them). Positions
// are notification ids; a sort key (NOTIF#<id>, what cursors issued before broadcasts
// hold) is taken as it is.
func (s *Store) ListNotifications(ctx context.Context, memberID, after string, limit int) ([]notify.Notification, string, error) {
	if after != "" && !strings.HasPrefix(after, prefixNotification) {
		after = notificationSK(after)
	}
	ns, next, err := listPartition(ctx, s, partition{PK: memberPK(memberID), Prefix: prefixNotification, Consistent: true}, after, limit,
		func(it notificationItem) notify.Notification { return it.notification() })
	return ns, strings.TrimPrefix(next, prefixNotification), err
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

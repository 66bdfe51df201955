package ddb

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/notify"
)

// Broadcasts (notify.Broadcast, keys.go): posting one writes two items in one
// transaction, the broadcast under its id (kept: posting the id again, even a year later,
// writes nothing) and its entry in the audience's list partition (removed by the TTL after
// notify.Lifetime); nothing is written per member until they mark it read.

type broadcastItem struct {
	ID        string        `dynamodbav:"id"`
	Kind      string        `dynamodbav:"notificationKind"` // "kind" is every item's type
	Subject   subjectFields `dynamodbav:"subject"`
	CreatedAt time.Time     `dynamodbav:"createdAt"`
	Audience  string        `dynamodbav:"audience"`
	TTL       int64         `dynamodbav:"ttl,omitempty"`
}

func (it broadcastItem) broadcast() notify.Broadcast {
	return notify.Broadcast{ID: it.ID, Kind: it.Kind, Subject: notify.Subject(it.Subject), CreatedAt: it.CreatedAt, Audience: it.Audience}
}

type broadcastReadItem struct {
	BroadcastID string `dynamodbav:"broadcastId"`
}

var _ notify.Broadcaster = (*Store)(nil)

// errPosted: a broadcast with this id exists.
var errPosted = errors.New("broadcast already posted")

// PostBroadcast implements notify.Broadcaster: one TransactWriteItems of the broadcast and
// its list entry, each put if absent (created at the millisecond).
func (s *Store) PostBroadcast(ctx context.Context, b notify.Broadcast) (bool, error) {
	if err := b.Validate(); err != nil {
		return false, err
	}
	b.CreatedAt = b.CreatedAt.UTC().Truncate(time.Millisecond)
	it := broadcastItem{ID: b.ID, Kind: b.Kind, Subject: subjectFields(b.Subject), CreatedAt: b.CreatedAt, Audience: b.Audience}
	kept, err := item(broadcastPK(b.ID), skBroadcast, "broadcast", it)
	if err != nil {
		return false, err
	}
	it.TTL = b.CreatedAt.Add(notify.Lifetime).Unix()
	entry, err := item(broadcastsPK(b.Audience), broadcastListSK(b.CreatedAt, b.ID), "broadcastEntry", it)
	if err != nil {
		return false, err
	}
	err = s.transact(ctx, []txItem{s.putNew(kept, fail(errPosted)), s.putNew(entry, fail(errPosted))})
	if errors.Is(err, errPosted) {
		return false, nil
	}
	return err == nil, err
}

// ListBroadcasts implements notify.Store: one descending Query of the audience's list
// partition between the two times (eventually consistent: the partition every member of
// the audience reads, at half the cost).
func (s *Store) ListBroadcasts(ctx context.Context, audience string, since, until time.Time, limit int) ([]notify.Broadcast, error) {
	lo, hi := broadcastListRange(since, until)
	e, err := expression.NewBuilder().WithKeyCondition(expression.Key("PK").Equal(expression.Value(broadcastsPK(audience))).
		And(expression.Key("SK").Between(expression.Value(lo), expression.Value(hi)))).Build()
	if err != nil {
		return nil, err
	}
	items, _, err := s.queryPage(ctx, &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ScanIndexForward: aws.Bool(false)}, limit)
	if err != nil {
		return nil, err
	}
	return decode(items, broadcastItem.broadcast)
}

// GetBroadcast implements notify.Store: one GetItem (consistent) of the broadcast.
func (s *Store) GetBroadcast(ctx context.Context, id string) (notify.Broadcast, bool, error) {
	var it broadcastItem
	found, err := s.get(ctx, key(broadcastPK(id), skBroadcast), &it)
	return it.broadcast(), found, err
}

// BroadcastsRead implements notify.Store: one Query (consistent) of the member's read
// markers between the smallest and the largest of ids.
func (s *Store) BroadcastsRead(ctx context.Context, memberID string, ids []string) (map[string]bool, error) {
	read := map[string]bool{}
	if len(ids) == 0 {
		return read, nil
	}
	e, err := expression.NewBuilder().WithKeyCondition(expression.Key("PK").Equal(expression.Value(memberPK(memberID))).
		And(expression.Key("SK").Between(expression.Value(broadcastReadSK(slices.Min(ids))), expression.Value(broadcastReadSK(slices.Max(ids)))))).
		WithProjection(expression.NamesList(expression.Name("broadcastId"))).Build()
	if err != nil {
		return nil, err
	}
	items, err := s.queryAll(ctx, &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(),
		ProjectionExpression: e.Projection(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, err
	}
	markers, err := decode(items, func(it broadcastReadItem) string { return it.BroadcastID })
	if err != nil {
		return nil, err
	}
	for _, id := range markers {
		if slices.Contains(ids, id) {
			read[id] = true
		}
	}
	return read, nil
}

// MarkBroadcastRead implements notify.Store: one UpdateItem that creates the member's
// marker (readAt kept from the first time; removed by the TTL with the broadcast's entry).
func (s *Store) MarkBroadcastRead(ctx context.Context, memberID string, b notify.Broadcast, now time.Time) error {
	_, err := s.updateItem(ctx, key(memberPK(memberID), broadcastReadSK(b.ID)), expression.NewBuilder().WithUpdate(
		expression.Set(expression.Name("kind"), expression.Value("broadcastRead")).
			Set(expression.Name("broadcastId"), expression.Value(b.ID)).
			Set(expression.Name("readAt"), expression.IfNotExists(expression.Name("readAt"), expression.Value(now.UTC()))).
			Set(expression.Name("ttl"), expression.Value(b.CreatedAt.Add(notify.Lifetime).Unix()))), nil)
	return err
}

// DeleteBroadcast withdraws a broadcast (one posted by mistake, a test's): one
// TransactWriteItems deleting it and its list entry; found is false when there was none.
// Its id may be posted again; the members' read markers go with their TTL.
func (s *Store) DeleteBroadcast(ctx context.Context, id string) (found bool, err error) {
	b, found, err := s.GetBroadcast(ctx, id)
	if err != nil || !found {
		return false, err
	}
	del := func(k map[string]types.AttributeValue) txItem {
		return txItem{write: types.TransactWriteItem{Delete: &types.Delete{TableName: s.tableName(), Key: k}}}
	}
	return true, s.transact(ctx, []txItem{del(key(broadcastPK(id), skBroadcast)), del(key(broadcastsPK(b.Audience), broadcastListSK(b.CreatedAt, id)))})
}

package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/notify"
	"etwin/shared/room"
)

// The rooms' expiry entries (keys in keys.go, "Room expiry").

// roomExpiryItem is a room's expiry entry (ROOM#<roomId> / EXPIRY), on GSI1 ROOMDUE at its
// next step.
type roomExpiryItem struct {
	RoomID string    `dynamodbav:"roomId"`
	DueAt  time.Time `dynamodbav:"dueAt"`
	GSI1PK string    `dynamodbav:"GSI1PK"`
	GSI1SK string    `dynamodbav:"GSI1SK"`
}

const kindRoomExpiry = "roomExpiry"

func roomExpiryKey(roomID string) map[string]types.AttributeValue {
	return key(roomPK(roomID), skRoomExpiry)
}

// roomExpiryPut is the put of a new room's expiry entry (at its warning).
func (s *Store) roomExpiryPut(r room.Room) (txItem, error) {
	at, _ := r.DueAt()
	it, err := item(roomPK(r.RoomID), skRoomExpiry, kindRoomExpiry,
		roomExpiryItem{RoomID: r.RoomID, DueAt: at.UTC(), GSI1PK: roomDueGSI1PK, GSI1SK: roomDueGSI1SK(at, r.RoomID)})
	if err != nil {
		return txItem{}, err
	}
	return s.put(it), nil
}

// roomExpiryMove is the update that moves r's expiry entry to its next step at (one
// UpdateItem: it writes the entry whole, so it also makes one for a room that had none).
func (s *Store) roomExpiryMove(roomID string, at time.Time) (txItem, error) {
	n := expression.Name
	return s.update(roomExpiryKey(roomID), expression.NewBuilder().WithUpdate(
		expression.Set(n("roomId"), expression.Value(roomID)).
			Set(n("dueAt"), expression.Value(at.UTC())).
			Set(n("GSI1PK"), expression.Value(roomDueGSI1PK)).
			Set(n("GSI1SK"), expression.Value(roomDueGSI1SK(at, roomID))).
			Set(n("kind"), expression.Value(kindRoomExpiry))), nil)
}

// DueRooms implements room.Store: a Query of the expiry entries due at now (GSI1 ROOMDUE,
// GSI1SK <= now, every page through the SDK's paginator, only roomId read), then the rooms
// with BatchGetItem (strongly consistent, 100 a call).
func (s *Store) DueRooms(ctx context.Context, now time.Time) ([]room.Room, error) {
	kc := expression.Key("GSI1PK").Equal(expression.Value(roomDueGSI1PK)).
		And(expression.Key("GSI1SK").LessThanEqual(expression.Value(roomsDueBy(now))))
	e, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), IndexName: aws.String("GSI1"), KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ProjectionExpression: aws.String("roomId")}
	entries, err := s.queryAll(ctx, in)
	if err != nil {
		return nil, err
	}
	keys := make([]map[string]types.AttributeValue, 0, len(entries))
	for _, raw := range entries {
		keys = append(keys, roomKey(str(raw, "roomId")))
	}
	found, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]room.Room, 0, len(entries))
	for _, raw := range entries {
		it, ok := found[keyRef(roomPK(str(raw, "roomId")), skRoom)]
		if !ok {
			continue // no room: nothing to do
		}
		var ri roomItem
		if err := attributevalue.UnmarshalMap(it, &ri); err != nil {
			return nil, err
		}
		out = append(out, ri.toRoom())
	}
	return out, nil
}

// unchanged is the condition that r is still as read: at its version, not closed.
func unchanged(r room.Room) expression.ConditionBuilder {
	return readVersion("version", r.Version).And(expression.AttributeNotExists(expression.Name("closedAt")))
}

// WarnRoom implements room.Store: the room's warnedAt (while it is as read and not
// warned), its expiry entry moved to its expiry, and the creator's notification with its
// e-mail, in one transaction.
func (s *Store) WarnRoom(ctx context.Context, r room.Room, at time.Time, n *notify.Notification) error {
	at = at.UTC()
	u, err := s.update(roomKey(r.RoomID), expression.NewBuilder().
		WithCondition(unchanged(r).And(expression.AttributeNotExists(expression.Name("warnedAt")))).
		WithUpdate(expression.Set(expression.Name("warnedAt"), expression.Value(at)).
			Set(expression.Name("version"), expression.Value(r.Version+1))), fail(room.ErrNotDue))
	if err != nil {
		return err
	}
	exp, err := s.roomExpiryMove(r.RoomID, r.ExpiresAt)
	if err != nil {
		return err
	}
	items := []txItem{u, exp}
	if n != nil {
		notes, err := s.notificationItems(*n)
		if err != nil {
			return err
		}
		items = append(items, notes...)
	}
	return s.transact(ctx, items)
}

// CloseRoom implements room.Store: the room's closedAt (while it is as read), its GSI1
// keys dropped (off the open rooms), and its expiry entry deleted, in one transaction.
func (s *Store) CloseRoom(ctx context.Context, r room.Room, at time.Time) error {
	at = at.UTC()
	u, err := s.update(roomKey(r.RoomID), expression.NewBuilder().
		WithCondition(unchanged(r)).
		WithUpdate(expression.Set(expression.Name("closedAt"), expression.Value(at)).
			Set(expression.Name("version"), expression.Value(r.Version+1)).
			Remove(expression.Name("GSI1PK")).Remove(expression.Name("GSI1SK"))), fail(room.ErrNotDue))
	if err != nil {
		return err
	}
	exp, err := s.del(roomExpiryKey(r.RoomID), nil, nil)
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{u, exp})
}

var _ room.Store = (*Store)(nil)

// BulkRooms writes rooms straight into the table with BatchWriteItem, without conditions
// or transactions (for generated data sets in a table nobody else writes to yet): each
// room's item and its expiry entry (none for a closed room), as CreateRoom and the expiry
// job's writes leave them. Participants, list entries and posts are not written.
func (s *Store) BulkRooms(ctx context.Context, rooms []room.Room) error {
	reqs := make([]types.WriteRequest, 0, 2*len(rooms))
	for _, r := range rooms {
		it, err := item(roomPK(r.RoomID), skRoom, "room", roomItemOf(r))
		if err != nil {
			return err
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		if _, ok := r.DueAt(); !ok {
			continue
		}
		exp, err := s.roomExpiryPut(r)
		if err != nil {
			return err
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: exp.write.Put.Item}})
	}
	return s.batchWrite(ctx, reqs)
}

package ddb

import (
	"context"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/action"
	"etwin/shared/moderation"
	"etwin/shared/notify"
	"etwin/shared/room"
)

// The stored shapes of teachers' rooms (keys in keys.go, "Teachers' rooms").

// roomItem is a room (ROOM#<roomId> / ROOM); an open room carries GSI1 OPENROOMS until it
// is closed.
type roomItem struct {
	RoomID       string      `dynamodbav:"roomId"`
	Title        string      `dynamodbav:"title"`
	Description  string      `dynamodbav:"description"`
	Language     string      `dynamodbav:"language"`
	Tags         []string    `dynamodbav:"tags"`
	Open         bool        `dynamodbav:"open"`
	Creator      actorFields `dynamodbav:"creator"`
	CreatedAt    time.Time   `dynamodbav:"createdAt"`
	ExpiresAt    time.Time   `dynamodbav:"expiresAt"`
	ExtendedAt   *time.Time  `dynamodbav:"extendedAt,omitempty"`
	Participants int         `dynamodbav:"participantCount"`
	WarnedAt     *time.Time  `dynamodbav:"warnedAt,omitempty"`
	ClosedAt     *time.Time  `dynamodbav:"closedAt,omitempty"`
	Version      int         `dynamodbav:"version"`
	GSI1PK       string      `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK       string      `dynamodbav:"GSI1SK,omitempty"`
}

func roomItemOf(r room.Room) roomItem {
	it := roomItem{RoomID: r.RoomID, Title: r.Title, Description: r.Description, Language: r.Language, Tags: r.Tags,
		Open: r.Open, Creator: actorFields(r.Creator), CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
		ExtendedAt: r.ExtendedAt, Participants: r.Participants, WarnedAt: r.WarnedAt, ClosedAt: r.ClosedAt, Version: r.Version}
	if r.Open && r.ClosedAt == nil {
		it.GSI1PK, it.GSI1SK = openRoomsGSI1PK, roomOrder(r.CreatedAt, r.RoomID)
	}
	return it
}

func (it *roomItem) toRoom() room.Room {
	return room.Room{RoomID: it.RoomID, Title: it.Title, Description: it.Description, Language: it.Language, Tags: it.Tags,
		Open: it.Open, Creator: room.Person(it.Creator), CreatedAt: it.CreatedAt, ExpiresAt: it.ExpiresAt,
		ExtendedAt: it.ExtendedAt, Participants: it.Participants, WarnedAt: it.WarnedAt, ClosedAt: it.ClosedAt, Version: it.Version}
}

// versionField implements versionedItem.
func (it *roomItem) versionField() (string, *int) { return "version", &it.Version }

// roomPartItem is a participant (ROOM#<roomId> / PART#<memberId>).
type roomPartItem struct {
	actorFields
	JoinedAt time.Time `dynamodbav:"joinedAt"`
}

// roomInviteItem is an invitation (ROOM#<roomId> / INVITE#<memberId>): pending, or
// declined (a new invitation replaces it); a join deletes it.
type roomInviteItem struct {
	MemberID  string     `dynamodbav:"memberId"`
	Status    string     `dynamodbav:"status"`
	By        string     `dynamodbav:"by"`
	InvitedAt time.Time  `dynamodbav:"invitedAt"`
	DecidedAt *time.Time `dynamodbav:"decidedAt,omitempty"`
}

// myRoomItem is a participant's entry of their rooms list (MEMBER#<memberId> /
// MYROOM#<roomOrder>): what the list filters on (language and tags never change).
type myRoomItem struct {
	RoomID    string    `dynamodbav:"roomId"`
	Language  string    `dynamodbav:"language"`
	Tags      []string  `dynamodbav:"tags"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
}

// roomPostItem is a post (ROOM#<roomId> / POST#<postId>).
type roomPostItem struct {
	PostID    string      `dynamodbav:"postId"`
	RoomID    string      `dynamodbav:"roomId"`
	Body      string      `dynamodbav:"body"`
	Author    actorFields `dynamodbav:"author"`
	CreatedAt time.Time   `dynamodbav:"createdAt"`
}

func (it roomPostItem) post() room.Post {
	return room.Post{PostID: it.PostID, RoomID: it.RoomID, Body: it.Body, Author: room.Person(it.Author), CreatedAt: it.CreatedAt}
}

func roomKey(roomID string) map[string]types.AttributeValue { return key(roomPK(roomID), skRoom) }

// myRoomPut is the member's list entry of a room.
func myRoomPut(r room.Room, memberID string) (map[string]types.AttributeValue, error) {
	return item(memberPK(memberID), myRoomSK(roomOrder(r.CreatedAt, r.RoomID)), "myRoom",
		myRoomItem{RoomID: r.RoomID, Language: r.Language, Tags: r.Tags, CreatedAt: r.CreatedAt})
}

func roomPartPut(roomID string, p room.Person, at time.Time) (map[string]types.AttributeValue, error) {
	return item(roomPK(roomID), roomPartSK(p.MemberID), "roomParticipant", roomPartItem{actorFields: actorFields(p), JoinedAt: at})
}

// countParticipants adds n to the room's participant count (the room must exist).
func (s *Store) countParticipants(roomID string, n int) (txItem, error) {
	return s.update(roomKey(roomID), expression.NewBuilder().
		WithUpdate(expression.Add(expression.Name("participantCount"), expression.Value(n))).
		WithCondition(expression.AttributeExists(expression.Name("PK"))), fail(room.ErrNoRoom))
}

// CreateRoom implements room.Store: the room, its expiry entry, its creator's
// participation and list entry.
func (s *Store) CreateRoom(ctx context.Context, r room.Room) error {
	it, err := item(roomPK(r.RoomID), skRoom, "room", roomItemOf(r))
	if err != nil {
		return err
	}
	part, err := roomPartPut(r.RoomID, r.Creator, r.CreatedAt)
	if err != nil {
		return err
	}
	mine, err := myRoomPut(r, r.Creator.MemberID)
	if err != nil {
		return err
	}
	items := []txItem{s.putNew(it, fail(errBusy)), s.put(part), s.put(mine)}
	exp, err := s.roomExpiryPut(r)
	if err != nil {
		return err
	}
	return s.transact(ctx, append(items, exp))
}

// GetRoom implements room.Store: the room, the member's participation and invitation in
// one BatchGetItem (strongly consistent).
func (s *Store) GetRoom(ctx context.Context, roomID, memberID string) (room.Room, room.Access, bool, error) {
	pk := roomPK(roomID)
	found, err := s.batchGet(ctx, []map[string]types.AttributeValue{roomKey(roomID), key(pk, roomPartSK(memberID)), key(pk, roomInviteSK(memberID))})
	if err != nil {
		return room.Room{}, room.Access{}, false, err
	}
	raw, ok := found[keyRef(pk, skRoom)]
	if !ok {
		return room.Room{}, room.Access{}, false, nil
	}
	var it roomItem
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		return room.Room{}, room.Access{}, false, err
	}
	_, part := found[keyRef(pk, roomPartSK(memberID))]
	a := room.Access{Participant: part}
	if inv, ok := found[keyRef(pk, roomInviteSK(memberID))]; ok {
		a.Invitation = str(inv, "status")
	}
	return it.toRoom(), a, true, nil
}

// roomFilter is the FilterExpression of a rooms list (nil: none).
func roomFilter(f room.Filter) *expression.ConditionBuilder {
	var conds []expression.ConditionBuilder
	if f.Language != "" {
		conds = append(conds, expression.Name("language").Equal(expression.Value(f.Language)))
	}
	if f.Tag != "" {
		conds = append(conds, expression.Contains(expression.Name("tags"), f.Tag))
	}
	switch len(conds) {
	case 0:
		return nil
	case 1:
		return &conds[0]
	}
	c := conds[0].And(conds[1])
	return &c
}

// queryUpTo reads in, page after page, until it holds n items (after its filter) or the
// Query ends.
func (s *Store) queryUpTo(ctx context.Context, in *dynamodb.QueryInput, n int) ([]map[string]types.AttributeValue, error) {
	in.Limit = aws.Int32(int32(n))
	var items []map[string]types.AttributeValue
	err := s.queryPages(ctx, in, func(out *dynamodb.QueryOutput) (bool, error) {
		items = append(items, out.Items...)
		return len(items) < n, nil
	})
	if len(items) > n {
		items = items[:n]
	}
	return items, err
}

// roomsQuery is a Query of the positions after after: the member's list entries (a
// consistent Query of MYROOM#) or, with index, the open rooms (GSI1 OPENROOMS).
func (s *Store) roomsQuery(memberID string, open bool, f room.Filter, after string) (*dynamodb.QueryInput, error) {
	var kc expression.KeyConditionBuilder
	switch {
	case open && after == "":
		kc = expression.Key("GSI1PK").Equal(expression.Value(openRoomsGSI1PK))
	case open:
		kc = expression.Key("GSI1PK").Equal(expression.Value(openRoomsGSI1PK)).And(expression.Key("GSI1SK").GreaterThan(expression.Value(after)))
	case after == "":
		kc = expression.Key("PK").Equal(expression.Value(memberPK(memberID))).And(expression.Key("SK").BeginsWith(prefixMyRoom))
	default:
		// Strictly after: no real position has myRoomSK(after) as a proper prefix.
		kc = expression.Key("PK").Equal(expression.Value(memberPK(memberID))).
			And(expression.Key("SK").Between(expression.Value(myRoomSK(after)+"\x01"), expression.Value(prefixMyRoom+"\x7f")))
	}
	b := expression.NewBuilder().WithKeyCondition(kc)
	if c := roomFilter(f); c != nil {
		b = b.WithFilter(*c)
	}
	e, err := b.Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(), FilterExpression: e.Filter(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ScanIndexForward: aws.Bool(true)}
	if open {
		in.IndexName = aws.String("GSI1")
	} else {
		in.ConsistentRead = aws.Bool(true)
	}
	return in, nil
}

// ListRooms implements room.Store: two Queries, each of up to limit+1 positions after
// after (the member's entries, the open rooms; both filtered), merged by position; the
// member's rooms are then read with BatchGetItem (the open ones come whole from GSI1).
func (s *Store) ListRooms(ctx context.Context, memberID string, f room.Filter, after string, limit int) ([]room.Room, string, error) {
	type hit struct {
		order string
		mine  bool
		open  map[string]types.AttributeValue
	}
	hits := map[string]*hit{}
	for _, open := range []bool{false, true} {
		in, err := s.roomsQuery(memberID, open, f, after)
		if err != nil {
			return nil, "", err
		}
		items, err := s.queryUpTo(ctx, in, limit+1)
		if err != nil {
			return nil, "", err
		}
		for _, it := range items {
			id := str(it, "roomId")
			h := hits[id]
			if h == nil {
				h = &hit{}
				hits[id] = h
			}
			if open {
				h.order, h.open = str(it, "GSI1SK"), it
			} else {
				h.order, h.mine = roomOrder(timeOf(it, "createdAt"), id), true
			}
		}
	}
	ordered := make([]*hit, 0, len(hits))
	for _, h := range hits {
		ordered = append(ordered, h)
	}
	sort.Slice(ordered, func(i, j int) bool { return ordered[i].order < ordered[j].order })
	next := ""
	if len(ordered) > limit {
		ordered = ordered[:limit]
		next = ordered[limit-1].order
	}
	var keys []map[string]types.AttributeValue
	for _, h := range ordered {
		if h.open == nil {
			keys = append(keys, roomKey(roomOfOrder(h.order)))
		}
	}
	found, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, "", err
	}
	out := make([]room.Room, 0, len(ordered))
	for _, h := range ordered {
		raw := h.open
		if raw == nil {
			if raw = found[keyRef(roomPK(roomOfOrder(h.order)), skRoom)]; raw == nil {
				continue // deleted since the entry was read
			}
		}
		var it roomItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return nil, "", err
		}
		r := it.toRoom()
		r.Membership = room.None
		if h.mine {
			r.Membership = room.Participant
		}
		out = append(out, r)
	}
	return out, next, nil
}

// timeOf reads a stored time attribute (zero when absent or malformed).
func timeOf(it map[string]types.AttributeValue, name string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, str(it, name))
	return t
}

// InviteToRoom implements room.Store: the invitation (replacing a declined one) and its
// notification, while the member is no participant and the room exists.
func (s *Store) InviteToRoom(ctx context.Context, inv room.Invitation, n notify.Notification) error {
	pk := roomPK(inv.RoomID)
	notPart, err := s.check(key(pk, roomPartSK(inv.MemberID)), expression.AttributeNotExists(expression.Name("PK")), fail(room.ErrParticipant))
	if err != nil {
		return err
	}
	it, err := item(pk, roomInviteSK(inv.MemberID), "roomInvitation",
		roomInviteItem{MemberID: inv.MemberID, Status: room.InvitePending, By: inv.By, InvitedAt: inv.InvitedAt})
	if err != nil {
		return err
	}
	e, err := expression.NewBuilder().WithCondition(expression.AttributeNotExists(expression.Name("PK")).
		Or(expression.Name("status").NotEqual(expression.Value(room.InvitePending)))).Build()
	if err != nil {
		return err
	}
	put := txItem{write: types.TransactWriteItem{Put: &types.Put{TableName: s.tableName(), Item: it,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}},
		onFail: fail(room.ErrInvited)}
	items := []txItem{notPart, put, s.exists(roomKey(inv.RoomID), fail(room.ErrNoRoom))}
	notes, err := s.notificationItems(n)
	if err != nil {
		return err
	}
	return s.transact(ctx, append(items, notes...))
}

// JoinRoom implements room.Store: the participation (new), the invitation gone (when
// through it, only while pending), the count, the member's list entry and the link's
// spend, in one transaction.
func (s *Store) JoinRoom(ctx context.Context, j room.Join) error {
	r := j.Room
	part, err := roomPartPut(r.RoomID, j.Member, j.At)
	if err != nil {
		return err
	}
	count, err := s.countParticipants(r.RoomID, 1)
	if err != nil {
		return err
	}
	mine, err := myRoomPut(r, j.Member.MemberID)
	if err != nil {
		return err
	}
	items := []txItem{s.putNew(part, fail(room.ErrParticipant)), count, s.put(mine)}
	if j.Invited {
		pending := expression.Name("status").Equal(expression.Value(room.InvitePending))
		drop, err := s.del(key(roomPK(r.RoomID), roomInviteSK(j.Member.MemberID)), &pending, fail(room.ErrNotInvited))
		if err != nil {
			return err
		}
		items = append(items, drop)
	}
	if j.Spend != nil {
		sp, err := s.actionSpend(*j.Spend)
		if err != nil {
			return err
		}
		items = append(items, sp)
	}
	return s.transact(ctx, items)
}

// DeclineRoom implements room.Store: the pending invitation marked declined (and the link
// spent) in one transaction.
func (s *Store) DeclineRoom(ctx context.Context, roomID, memberID string, at time.Time, spend *action.Spend) error {
	at = at.UTC()
	u, err := s.update(key(roomPK(roomID), roomInviteSK(memberID)), expression.NewBuilder().
		WithCondition(expression.Name("status").Equal(expression.Value(room.InvitePending))).
		WithUpdate(expression.Set(expression.Name("status"), expression.Value(room.InviteDeclined)).
			Set(expression.Name("decidedAt"), expression.Value(at))), fail(room.ErrNotInvited))
	if err != nil {
		return err
	}
	items := []txItem{u}
	if spend != nil {
		sp, err := s.actionSpend(*spend)
		if err != nil {
			return err
		}
		items = append(items, sp)
	}
	return s.transact(ctx, items)
}

// UpdateRoom implements room.Store with updateVersioned (the participant count, written
// without a version, survives: versionedUpdate sets only what decide changed); when the
// room's next expiry step moves (an extension), its expiry entry moves in the same
// transaction. Closing a room is CloseRoom's, never a decide's.
func (s *Store) UpdateRoom(ctx context.Context, roomID string, decide func(*room.Room) error) (room.Room, error) {
	it, err := updateVersioned(ctx, s, roomKey(roomID), room.ErrNoRoom, room.ErrBusy,
		func(it *roomItem) error {
			r := it.toRoom()
			if err := decide(&r); err != nil {
				return err
			}
			*it = roomItemOf(r)
			return nil
		},
		func(ctx context.Context, before, after *roomItem, cond expression.ConditionBuilder) error {
			u, err := s.versionedUpdate(roomKey(roomID), before, after, cond, nil, "participantCount")
			if err != nil {
				return err
			}
			items := []txItem{u}
			bAt, _ := before.toRoom().DueAt()
			if aAt, ok := after.toRoom().DueAt(); ok && !aAt.Equal(bAt) {
				exp, err := s.roomExpiryMove(roomID, aAt)
				if err != nil {
					return err
				}
				items = append(items, exp)
			}
			return s.transact(ctx, items)
		})
	return it.toRoom(), err
}

// RemoveParticipant implements room.Store: the participation (which must exist), the
// member's list entry and the count, in one transaction.
func (s *Store) RemoveParticipant(ctx context.Context, r room.Room, memberID string) error {
	exists := expression.AttributeExists(expression.Name("PK"))
	part, err := s.del(key(roomPK(r.RoomID), roomPartSK(memberID)), &exists, fail(room.ErrNotParticipant))
	if err != nil {
		return err
	}
	entry, err := s.del(key(memberPK(memberID), myRoomSK(roomOrder(r.CreatedAt, r.RoomID))), nil, nil)
	if err != nil {
		return err
	}
	count, err := s.countParticipants(r.RoomID, -1)
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{part, entry, count})
}

// CreateRoomPost implements room.Store: the post, while its author is a participant.
func (s *Store) CreateRoomPost(ctx context.Context, p room.Post) error {
	it, err := item(roomPK(p.RoomID), roomPostSK(p.PostID), "roomPost",
		roomPostItem{PostID: p.PostID, RoomID: p.RoomID, Body: p.Body, Author: actorFields(p.Author), CreatedAt: p.CreatedAt})
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{s.putNew(it, fail(errBusy)), s.exists(key(roomPK(p.RoomID), roomPartSK(p.Author.MemberID)), fail(room.ErrNotParticipant))})
}

// GetRoomPost implements room.Store.
func (s *Store) GetRoomPost(ctx context.Context, roomID, postID string) (room.Post, bool, error) {
	var it roomPostItem
	found, err := s.get(ctx, key(roomPK(roomID), roomPostSK(postID)), &it)
	return it.post(), found, err
}

// ListRoomPosts implements room.Store: the room's POST# items oldest first.
func (s *Store) ListRoomPosts(ctx context.Context, roomID, after string, limit int) ([]room.Post, string, error) {
	return listPartition(ctx, s, partition{PK: roomPK(roomID), Prefix: prefixRoomPost, Forward: true, Consistent: true}, after, limit, roomPostItem.post)
}

// DeleteRoomPost implements room.Store (ErrNoPost when it is gone), with a moderation
// removal's record and notification (rm, or nil) in the same transaction.
func (s *Store) DeleteRoomPost(ctx context.Context, roomID, postID string, rm *moderation.Removal) error {
	exists := expression.AttributeExists(expression.Name("PK"))
	d, err := s.del(key(roomPK(roomID), roomPostSK(postID)), &exists, fail(room.ErrNoPost))
	if err != nil {
		return err
	}
	removal, err := s.removalItems(rm)
	if err != nil {
		return err
	}
	return s.transact(ctx, append([]txItem{d}, removal...))
}

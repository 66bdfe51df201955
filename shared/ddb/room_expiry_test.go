package ddb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/testenv"
	"etwin/shared/apperr"
	"etwin/shared/cursor"
	"etwin/shared/ddb"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/principal"
	"etwin/shared/room"
)

// countItems counts the table's items of kind (a Scan: the test's own table).
func countItems(t *testing.T, table, kind string) int {
	t.Helper()
	out, err := testenv.DDB().Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table),
		FilterExpression: aws.String("kind = :k"), ExpressionAttributeValues: map[string]types.AttributeValue{":k": &types.AttributeValueMemberS{Value: kind}},
		Select: types.SelectCount})
	if err != nil {
		t.Fatal(err)
	}
	return int(out.Count)
}

// TestRoomExpiryOnce: runs of the room-expiry job at once, and again, warn each creator
// once and close each expired room once; a closed open room leaves the open list; an
// extension after the warning brings a new warning a week before the new expiry, and a
// closed room cannot be extended.
func TestRoomExpiryOnce(t *testing.T) {
	table := testenv.NewTable(t)
	st, ctx := ddb.New(testenv.DDB(), table), context.Background()
	ana := member.Member{MemberID: "m-ana", Username: "ana", FirstName: "Ana", LastName: "Pop", Email: "ana@example.org",
		Language: "en", Role: member.RoleTeacher, Country: "RO", PasswordHash: "-", CreatedAt: time.Now()}
	if err := st.BulkLoad(ctx, []member.Member{ana}, nil); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	mk := func(id string, expires time.Time, open bool) room.Room {
		r := room.Room{RoomID: id, Title: "Room " + id, Language: "en", Tags: []string{"stem"}, Open: open, Creator: room.PersonOf(ana),
			CreatedAt: expires.AddDate(0, -room.Active, 0), ExpiresAt: expires, Participants: 1}
		if err := st.CreateRoom(ctx, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	mk("rm-warn", now.Add(6*24*time.Hour), false)
	mk("rm-later", now.Add(20*24*time.Hour), false)
	mk("rm-close", now.Add(-time.Hour), false)
	mk("rm-open", now.Add(-time.Minute), true)
	if got := countItems(t, table, "roomExpiry"); got != 4 {
		t.Fatalf("%d expiry entries, want 4", got)
	}
	svc := &room.Service{Store: st, Cursors: cursor.New("0123456789abcdef0123456789abcdef"), Now: func() time.Time { return now }}
	var mu sync.Mutex
	var total room.ExpiryReport
	run := func() {
		rep, err := svc.Expire(ctx)
		if err != nil {
			t.Error(err)
		}
		mu.Lock()
		total.Due, total.Warned, total.Closed, total.Failed = total.Due+rep.Due, total.Warned+rep.Warned, total.Closed+rep.Closed, total.Failed+rep.Failed
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); run() }()
	}
	wg.Wait()
	run()
	run()
	if total.Warned != 1 || total.Closed != 2 || total.Failed != 0 {
		t.Fatalf("six runs: %+v, want 1 warned, 2 closed", total)
	}
	ns, _, err := st.ListNotifications(ctx, ana.MemberID, "", 50)
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Kind != notify.KindRoomExpiring || ns[0].Subject.ID != "rm-warn" || ns[0].Mail != notify.MailPending {
		t.Fatalf("notifications %+v", ns)
	}
	if got := countItems(t, table, "outbox"); got != 1 {
		t.Fatalf("%d e-mails queued, want 1", got)
	}
	// After the runs: the warned room waits for its expiry, the closed ones are done.
	if got := countItems(t, table, "roomExpiry"); got != 2 {
		t.Fatalf("%d expiry entries left, want 2 (rm-warn, rm-later)", got)
	}
	for id, closed := range map[string]bool{"rm-warn": false, "rm-later": false, "rm-close": true, "rm-open": true} {
		r, _, _, err := st.GetRoom(ctx, id, ana.MemberID)
		if err != nil || (r.ClosedAt != nil) != closed {
			t.Fatalf("%s: closedAt %v, want closed %v (%v)", id, r.ClosedAt, closed, err)
		}
	}
	rooms, _, err := st.ListRooms(ctx, "m-stranger", room.Filter{}, "", 10)
	if err != nil || len(rooms) != 0 {
		t.Fatalf("a stranger's list after the closing: %+v %v", rooms, err)
	}
	// A closed room cannot be extended.
	who := principal.Principal{MemberID: ana.MemberID, Role: member.RoleTeacher}
	if _, err := svc.Extend(ctx, who, "rm-close"); apperr.StatusOf(err) != 409 {
		t.Fatalf("extending a closed room: %v", err)
	}
	// Extended after its warning: warned again a week before the new expiry, once.
	r, err := svc.Extend(ctx, who, "rm-warn")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		run()
	}
	if total.Warned != 1 {
		t.Fatalf("warned again right after the extension: %+v", total)
	}
	svc.Now = func() time.Time { return r.ExpiresAt.Add(-6 * 24 * time.Hour) }
	for range 3 {
		run()
	}
	if total.Warned != 2 {
		t.Fatalf("the extended room's warnings: %+v", total)
	}
	if ns, _, _ = st.ListNotifications(ctx, ana.MemberID, "", 50); len(ns) != 2 {
		t.Fatalf("%d notifications after the extension's warning, want 2", len(ns))
	}
}

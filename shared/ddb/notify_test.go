package ddb_test

import (
	"context"
	"testing"
	"time"

	"etwin/shared/cursor"
	"etwin/shared/notify"
)

func TestNotificationsNewestFirstAndReadByOwnerOnly(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	to := notify.Recipient{MemberID: "m-owner", Email: "owner@example.org", WantsEmail: true}
	t0 := time.Now().UTC()
	var ids []string
	for i := 0; i < 5; i++ {
		n := notify.New(to, notify.KindContactRequest, notify.Subject{Type: "contact_request", ID: "r"}, nil, t0.Add(time.Duration(i)*time.Millisecond))
		if err := s.AddNotifications(ctx, n); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.ID)
	}
	svc := &notify.Service{Store: s, Cursors: cursor.New("0123456789abcdef0123456789abcdef")}
	var got []string
	cur := ""
	for pages := 0; pages < 5; pages++ {
		page, err := svc.List(ctx, "m-owner", cur, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range page.Items {
			got = append(got, n.ID)
		}
		if page.NextCursor == "" {
			break
		}
		if _, err := svc.List(ctx, "m-other", page.NextCursor, 2); err == nil {
			t.Fatal("another member's cursor was accepted")
		}
		cur = page.NextCursor
	}
	if len(got) != 5 {
		t.Fatalf("listed %v", got)
	}
	for i := range got {
		if got[i] != ids[4-i] {
			t.Fatalf("not newest first: %v (written %v)", got, ids)
		}
	}
	if _, found, err := s.MarkNotificationRead(ctx, "m-other", ids[0]); err != nil || found {
		t.Fatalf("another member marked it read: %v %v", found, err)
	}
	for i := 0; i < 2; i++ {
		n, found, err := s.MarkNotificationRead(ctx, "m-owner", ids[0])
		if err != nil || !found || !n.Read || n.ID != ids[0] || n.Mail != notify.MailPending {
			t.Fatalf("mark read #%d: %+v %v %v", i, n, found, err)
		}
	}
	page, _ := svc.List(ctx, "m-owner", "", 10)
	if last := page.Items[4]; last.ID != ids[0] || !last.Read {
		t.Fatalf("read state not kept: %+v", last)
	}
	if err := s.AddNotifications(ctx, notify.Notification{ID: ids[0], RecipientID: "m-owner", CreatedAt: t0}); err == nil {
		t.Fatal("a notification was written twice")
	}
}

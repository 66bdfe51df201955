package ddb_test

import (
	"context"
	"errors"
	"slices"
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
	"etwin/shared/token"
)

func newAccount(t *testing.T, s *ddb.Store, role string, created time.Time) member.Member {
	t.Helper()
	id := token.ID("m-")
	m := member.Member{MemberID: id, Username: "u." + id, FirstName: "Ana", LastName: "Pop", Email: id + "@example.org",
		Language: "en", Role: role, CreatedAt: created}
	if role == member.RoleNSO {
		m.Country = "RO"
	}
	if err := s.CreateAccount(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func scanKind(t *testing.T, table, kind string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := testenv.DDB().Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		FilterExpression: aws.String("kind = :k"), ExpressionAttributeValues: map[string]types.AttributeValue{
			":k": &types.AttributeValueMemberS{Value: kind}}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Items
}

// TestBroadcastPostedOnceSeenByItsAudience: posting an id again (or at once from several
// callers) writes nothing; the teachers whose accounts are older see it with read false
// until they mark it; a younger account and an NSO account do not see it (404 to mark).
func TestBroadcastPostedOnceSeenByItsAudience(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	table := testenv.NewTable(t)
	s := ddb.New(testenv.DDB(), table)
	now := time.Now().UTC()
	ana := newAccount(t, s, member.RoleTeacher, now.Add(-48*time.Hour))
	ion := newAccount(t, s, member.RoleTeacher, now.Add(-48*time.Hour))
	nso := newAccount(t, s, member.RoleNSO, now.Add(-48*time.Hour))

	posted := now.Add(-time.Hour)
	b := notify.CertificationAnnouncement(2027, posted)
	var wg sync.WaitGroup
	results := make([]bool, 4)
	errs := make([]error, 4)
	for i := range results {
		wg.Add(1)
		go func() { defer wg.Done(); results[i], errs[i] = s.PostBroadcast(ctx, b) }()
	}
	wg.Wait()
	if n := len(slices.DeleteFunc(slices.Clone(results), func(c bool) bool { return !c })); n != 1 {
		t.Fatalf("posted at once four times: created %v (errors %v)", results, errs)
	}
	for _, err := range errs {
		if err != nil && apperr.StatusOf(err) != 503 {
			t.Fatal(err)
		}
	}
	again := b
	again.CreatedAt, again.Kind = now, "something_else"
	if created, err := s.PostBroadcast(ctx, again); err != nil || created {
		t.Fatalf("posted again: %v %v", created, err)
	}
	if got, found, err := s.GetBroadcast(ctx, b.ID); err != nil || !found || got.ID != b.ID || got.Kind != b.Kind ||
		got.Subject != b.Subject || got.Audience != b.Audience || !got.CreatedAt.Equal(b.CreatedAt) {
		t.Fatalf("stored: %+v %v %v, want %+v", got, found, err, b)
	}
	if n := len(scanKind(t, table, "broadcast")) + len(scanKind(t, table, "broadcastEntry")); n != 2 {
		t.Fatalf("%d broadcast items, want 2 (nothing per teacher)", n)
	}
	if _, err := s.PostBroadcast(ctx, notify.Broadcast{ID: "n-x", Kind: "k", Subject: b.Subject, Audience: "teacher", CreatedAt: now}); !errors.Is(err, notify.ErrInvalidBroadcast) {
		t.Fatalf("an invalid broadcast: %v", err)
	}

	late := newAccount(t, s, member.RoleTeacher, now.Add(-time.Minute)) // joined after it
	older := notify.New(notify.RecipientOf(ana), notify.KindContactRequest, notify.Subject{Type: "contact_request", ID: "r-1"}, nil, posted.Add(-time.Minute))
	newer := notify.New(notify.RecipientOf(ana), notify.KindContactAccepted, notify.Subject{Type: "member", ID: ion.MemberID}, nil, posted.Add(time.Minute))
	if err := s.AddNotifications(ctx, older, newer); err != nil {
		t.Fatal(err)
	}
	svc := &notify.Service{Store: s, Cursors: cursor.New("0123456789abcdef0123456789abcdef")}
	list := func(who member.Member, limit int) []notify.Notification {
		t.Helper()
		var all []notify.Notification
		cur := ""
		for {
			page, err := svc.List(ctx, who.MemberID, cur, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) > limit {
				t.Fatalf("%d items on a page of %d", len(page.Items), limit)
			}
			all = append(all, page.Items...)
			if cur = page.NextCursor; cur == "" {
				return all
			}
		}
	}
	for _, limit := range []int{1, 2, 20} {
		got := list(ana, limit)
		if len(got) != 3 || got[0].ID != newer.ID || got[1].ID != b.ID || got[2].ID != older.ID || got[1].Read ||
			got[1].Kind != notify.KindCertificationAnnounced || got[1].Subject != (notify.Subject{Type: "certification_window", ID: "2027"}) {
			t.Fatalf("Ana's list (limit %d): %+v", limit, got)
		}
	}
	for _, who := range []member.Member{late, nso} {
		if got := list(who, 20); len(got) != 0 {
			t.Errorf("%s (%s) sees %+v", who.MemberID, who.Role, got)
		}
		if _, err := svc.MarkRead(ctx, who.MemberID, b.ID); apperr.StatusOf(err) != 404 {
			t.Errorf("%s (%s) marks it read: %v", who.MemberID, who.Role, err)
		}
	}

	for i := 0; i < 2; i++ {
		n, err := svc.MarkRead(ctx, ana.MemberID, b.ID)
		if err != nil || !n.Read || n.ID != b.ID {
			t.Fatalf("mark read #%d: %+v %v", i, n, err)
		}
	}
	if got := list(ana, 20); !got[1].Read || got[0].Read || got[2].Read {
		t.Fatalf("after marking it read: %+v", got)
	}
	if got := list(ion, 20); len(got) != 1 || got[0].ID != b.ID || got[0].Read {
		t.Fatalf("Ion's list: %+v", got)
	}
	if _, err := svc.MarkRead(ctx, ana.MemberID, "cert-announce-1999"); apperr.StatusOf(err) != 404 {
		t.Fatalf("an unknown id: %v", err)
	}
	markers := scanKind(t, table, "broadcastRead")
	if len(markers) != 1 {
		t.Fatalf("%d read markers, want 1", len(markers))
	}
	for name, want := range map[string]string{"PK": "MEMBER#" + ana.MemberID, "SK": "READ#" + b.ID, "broadcastId": b.ID} {
		if v, _ := markers[0][name].(*types.AttributeValueMemberS); v == nil || v.Value != want {
			t.Errorf("marker %s = %v, want %q", name, markers[0][name], want)
		}
	}
	if _, ok := markers[0]["ttl"].(*types.AttributeValueMemberN); !ok {
		t.Error("the marker has no ttl")
	}
	if _, ok := scanKind(t, table, "broadcastEntry")[0]["ttl"]; !ok {
		t.Error("the list entry has no ttl")
	}
	if _, ok := scanKind(t, table, "broadcast")[0]["ttl"]; ok {
		t.Error("the broadcast under its id expires (its id could then be posted again)")
	}

	// Withdrawn: gone from every list, and its id may be posted again.
	if found, err := s.DeleteBroadcast(ctx, b.ID); err != nil || !found {
		t.Fatalf("delete: %v %v", found, err)
	}
	if got := list(ion, 20); len(got) != 0 {
		t.Fatalf("a withdrawn broadcast is listed: %+v", got)
	}
	if _, err := svc.MarkRead(ctx, ion.MemberID, b.ID); apperr.StatusOf(err) != 404 {
		t.Fatalf("a withdrawn broadcast marked read: %v", err)
	}
	if found, err := s.DeleteBroadcast(ctx, b.ID); err != nil || found {
		t.Fatalf("delete again: %v %v", found, err)
	}
	if n := len(scanKind(t, table, "broadcast")) + len(scanKind(t, table, "broadcastEntry")); n != 0 {
		t.Fatalf("%d broadcast items left", n)
	}
	if created, err := s.PostBroadcast(ctx, b); err != nil || !created {
		t.Fatalf("posted after its withdrawal: %v %v", created, err)
	}
}

// TestListBroadcastsRangeAndOrder: the audience's broadcasts between two times, bounds
// included, newest first, at most limit; another audience's are not among them.
func TestListBroadcastsRangeAndOrder(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	t0 := time.Date(2027, 1, 10, 8, 0, 0, 0, time.UTC)
	post := func(id, audience string, at time.Time) {
		t.Helper()
		b, err := notify.NewBroadcast(id, "news", notify.Subject{Type: "x", ID: id}, audience, at)
		if err != nil {
			t.Fatal(err)
		}
		if created, err := s.PostBroadcast(ctx, b); err != nil || !created {
			t.Fatalf("post %s: %v %v", id, created, err)
		}
	}
	post("before", notify.AudienceTeachers, t0.Add(-time.Millisecond))
	post("at-since", notify.AudienceTeachers, t0)
	post("a~tie", notify.AudienceTeachers, t0.Add(time.Hour))
	post("z-tie", notify.AudienceTeachers, t0.Add(time.Hour))
	post("at-until", notify.AudienceTeachers, t0.Add(2*time.Hour))
	post("after", notify.AudienceTeachers, t0.Add(2*time.Hour+time.Millisecond))
	post("nso", notify.AudienceNSO, t0.Add(time.Hour))
	names := func(bs []notify.Broadcast) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.ID)
		}
		return out
	}
	got, err := s.ListBroadcasts(ctx, notify.AudienceTeachers, t0, t0.Add(2*time.Hour), 50)
	if want := []string{"at-until", "z-tie", "a~tie", "at-since"}; err != nil || !slices.Equal(names(got), want) {
		t.Fatalf("listed %v %v, want %v", names(got), err, want)
	}
	if got, _ := s.ListBroadcasts(ctx, notify.AudienceTeachers, t0, t0.Add(2*time.Hour), 2); !slices.Equal(names(got), []string{"at-until", "z-tie"}) {
		t.Fatalf("limit 2: %v", names(got))
	}
	if got, _ := s.ListBroadcasts(ctx, notify.AudienceNSO, t0, t0.Add(2*time.Hour), 50); !slices.Equal(names(got), []string{"nso"}) {
		t.Fatalf("NSO: %v", names(got))
	}
	if read, err := s.BroadcastsRead(ctx, "m-nobody", []string{"at-since", "z-tie"}); err != nil || len(read) != 0 {
		t.Fatalf("no markers: %v %v", read, err)
	}
}

// TestNotificationPositionsAreIDs: a page's next position is the last notification's id,
// and a sort key (what cursors issued before broadcasts hold) resumes at the same place.
func TestNotificationPositionsAreIDs(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	t0 := time.Now().UTC()
	var ids []string
	for i := 0; i < 3; i++ {
		n := notify.New(notify.Recipient{MemberID: "m-pos"}, notify.KindContactRequest, notify.Subject{Type: "contact_request", ID: "r"}, nil, t0.Add(time.Duration(i)*time.Millisecond))
		if err := s.AddNotifications(ctx, n); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, n.ID)
	}
	first, next, err := s.ListNotifications(ctx, "m-pos", "", 1)
	if err != nil || len(first) != 1 || first[0].ID != ids[2] || next != ids[2] {
		t.Fatalf("first page: %v %q %v", first, next, err)
	}
	for _, after := range []string{next, "NOTIF#" + next} {
		rest, more, err := s.ListNotifications(ctx, "m-pos", after, 5)
		if err != nil || more != "" || len(rest) != 2 || rest[0].ID != ids[1] || rest[1].ID != ids[0] {
			t.Fatalf("after %q: %v %q %v", after, rest, more, err)
		}
	}
}

package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/cursor"
	"etwin/shared/member"
	"etwin/shared/token"
)

// memStore is an in-memory Store with the contract's semantics (the ddb integration tests
// check the real one against DynamoDB Local).
type memStore struct {
	members    map[string]member.Member
	own        map[string][]Notification // newest first by id
	broadcasts []Broadcast
	reads      map[string]bool // memberID|broadcastID
	calls      map[string]int
	// shortPages: pages of the member's own come at most half the limit long, with a next
	// position all the same (the paging contract allows it).
	shortPages bool
}

func newMemStore() *memStore {
	return &memStore{members: map[string]member.Member{}, own: map[string][]Notification{}, reads: map[string]bool{}, calls: map[string]int{}}
}

func (m *memStore) addOwn(memberID string, at time.Time) Notification {
	n := New(Recipient{MemberID: memberID}, KindContactRequest, Subject{SubjectContactRequest, "r"}, nil, at)
	m.own[memberID] = append(m.own[memberID], n)
	sort.Slice(m.own[memberID], func(i, j int) bool { return m.own[memberID][i].ID > m.own[memberID][j].ID })
	return n
}

func (m *memStore) ListNotifications(_ context.Context, memberID, after string, limit int) ([]Notification, string, error) {
	m.calls["own"]++
	if m.shortPages {
		limit = max(1, limit/2)
	}
	var rest []Notification
	for _, n := range m.own[memberID] {
		if after == "" || n.ID < after {
			rest = append(rest, n)
		}
	}
	if len(rest) <= limit {
		return rest, "", nil
	}
	return rest[:limit], rest[limit-1].ID, nil
}

func (m *memStore) MarkNotificationRead(_ context.Context, memberID, id string) (Notification, bool, error) {
	for i, n := range m.own[memberID] {
		if n.ID == id {
			m.own[memberID][i].Read = true
			return m.own[memberID][i], true, nil
		}
	}
	return Notification{}, false, nil
}

func (m *memStore) GetMember(_ context.Context, memberID string) (member.Member, bool, error) {
	x, ok := m.members[memberID]
	return x, ok, nil
}

func (m *memStore) ListBroadcasts(_ context.Context, audience string, since, until time.Time, limit int) ([]Broadcast, error) {
	m.calls["broadcasts"]++
	var out []Broadcast
	for _, b := range m.broadcasts {
		if b.Audience == audience && b.CreatedAt.UnixMilli() >= since.UnixMilli() && b.CreatedAt.UnixMilli() <= until.UnixMilli() {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return newer(out[i].Notification(false), out[j].Notification(false)) })
	return out[:min(limit, len(out))], nil
}

func (m *memStore) GetBroadcast(_ context.Context, id string) (Broadcast, bool, error) {
	m.calls["getBroadcast"]++
	for _, b := range m.broadcasts {
		if b.ID == id {
			return b, true, nil
		}
	}
	return Broadcast{}, false, nil
}

func (m *memStore) BroadcastsRead(_ context.Context, memberID string, ids []string) (map[string]bool, error) {
	m.calls["reads"]++
	out := map[string]bool{}
	for _, id := range ids {
		out[id] = m.reads[memberID+"|"+id]
	}
	return out, nil
}

func (m *memStore) MarkBroadcastRead(_ context.Context, memberID string, b Broadcast, _ time.Time) error {
	m.reads[memberID+"|"+b.ID] = true
	return nil
}

func (m *memStore) post(t *testing.T, id, audience string, at time.Time) Broadcast {
	t.Helper()
	b, err := NewBroadcast(id, KindCertificationAnnounced, Subject{SubjectCertificationWindow, "2027"}, audience, at)
	if err != nil {
		t.Fatal(err)
	}
	m.broadcasts = append(m.broadcasts, b)
	return b
}

var signer = cursor.New("0123456789abcdef0123456789abcdef")

func service(m *memStore, now time.Time) *Service {
	return &Service{Store: m, Cursors: signer, Now: func() time.Time { return now }}
}

// listAll pages through the member's list, checking each page's size, and returns the ids.
func listAll(t *testing.T, s *Service, memberID string, limit int) []Notification {
	t.Helper()
	var all []Notification
	cur := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("the list does not end")
		}
		page, err := s.List(context.Background(), memberID, cur, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > limit {
			t.Fatalf("a page of %d items, limit %d", len(page.Items), limit)
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all
		}
		cur = page.NextCursor
	}
}

func ids(ns []Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

// TestListMergesBroadcastsInOrderOnEveryPage: whatever the page size, every own
// notification and every broadcast the member sees is served once, newest first across
// pages, no page larger than the limit.
func TestListMergesBroadcastsInOrderOnEveryPage(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	for seed := uint64(1); seed <= 30; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		m := newMemStore()
		joined := now.Add(-time.Duration(30+r.IntN(300)) * 24 * time.Hour)
		m.members["m-1"] = member.Member{MemberID: "m-1", Role: member.RoleTeacher, CreatedAt: joined}
		var want []Notification
		span := now.Sub(joined)
		for i := r.IntN(25); i > 0; i-- {
			want = append(want, m.addOwn("m-1", joined.Add(time.Duration(r.Int64N(int64(span))))))
		}
		for i := r.IntN(8); i > 0; i-- {
			at := joined.Add(time.Duration(r.Int64N(int64(span))))
			if r.IntN(3) == 0 && len(want) > 0 { // the same millisecond as an own notification
				at = want[r.IntN(len(want))].CreatedAt
			}
			want = append(want, m.post(t, fmt.Sprintf("b-%d", i), AudienceTeachers, at).Notification(false))
		}
		// Not shown: older than the account, another audience, in the future.
		m.post(t, "before-joining", AudienceTeachers, joined.Add(-time.Hour))
		m.post(t, "for-nso", AudienceNSO, joined.Add(time.Hour))
		m.post(t, "not-yet", AudienceTeachers, now.Add(time.Hour))
		sort.SliceStable(want, func(i, j int) bool { return newer(want[i], want[j]) })
		m.shortPages = seed%2 == 0
		for _, limit := range []int{1, 2, 3, 5, 20, 100} {
			got := listAll(t, service(m, now), "m-1", limit)
			if !slices.Equal(ids(got), ids(want)) {
				t.Fatalf("seed %d, limit %d:\n got %v\nwant %v", seed, limit, ids(got), ids(want))
			}
		}
	}
}

func TestBroadcastVisibility(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	m := newMemStore()
	m.members["m-old"] = member.Member{MemberID: "m-old", Role: member.RoleTeacher, CreatedAt: now.Add(-2 * Lifetime)}
	m.members["m-new"] = member.Member{MemberID: "m-new", Role: member.RoleTeacher, CreatedAt: now.Add(-time.Hour)}
	m.members["m-nso"] = member.Member{MemberID: "m-nso", Role: member.RoleNSO, Country: "RO", CreatedAt: now.Add(-2 * Lifetime)}
	m.post(t, "expired", AudienceTeachers, now.Add(-Lifetime-time.Millisecond))
	m.post(t, "last-year", AudienceTeachers, now.Add(-Lifetime+time.Minute))
	m.post(t, "at-joining", AudienceTeachers, now.Add(-time.Hour))
	m.post(t, "before-joining", AudienceTeachers, now.Add(-time.Hour-time.Millisecond))
	m.post(t, "to-nso", AudienceNSO, now.Add(-time.Minute))
	for who, want := range map[string][]string{
		"m-old": {"at-joining", "before-joining", "last-year"},
		"m-new": {"at-joining"},
		"m-nso": {"to-nso"},
	} {
		if got := ids(listAll(t, service(m, now), who, 20)); !slices.Equal(got, want) {
			t.Errorf("%s sees %v, want %v", who, got, want)
		}
	}
	if got := ids(listAll(t, service(m, now), "m-unknown", 20)); len(got) != 0 {
		t.Errorf("an unknown member sees %v", got)
	}
}

func TestMarkBroadcastRead(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	m := newMemStore()
	m.members["m-1"] = member.Member{MemberID: "m-1", Role: member.RoleTeacher, CreatedAt: now.Add(-48 * time.Hour)}
	m.members["m-2"] = member.Member{MemberID: "m-2", Role: member.RoleTeacher, CreatedAt: now.Add(-48 * time.Hour)}
	m.members["m-late"] = member.Member{MemberID: "m-late", Role: member.RoleTeacher, CreatedAt: now}
	m.members["m-nso"] = member.Member{MemberID: "m-nso", Role: member.RoleNSO, CreatedAt: now.Add(-48 * time.Hour)}
	own := m.addOwn("m-1", now.Add(-time.Minute))
	b := m.post(t, "cert-announce-2027", AudienceTeachers, now.Add(-time.Hour))
	s := service(m, now)
	for i := 0; i < 2; i++ {
		n, err := s.MarkRead(ctx, "m-1", b.ID)
		if err != nil || n.ID != b.ID || !n.Read || n.Kind != KindCertificationAnnounced || n.Subject != b.Subject || n.Mail != MailOff {
			t.Fatalf("mark read #%d: %+v %v", i, n, err)
		}
	}
	page, err := s.List(ctx, "m-1", "", 20)
	if err != nil || len(page.Items) != 2 || page.Items[0].ID != own.ID || page.Items[0].Read ||
		page.Items[1].ID != b.ID || !page.Items[1].Read {
		t.Fatalf("m-1's list: %+v %v", page.Items, err)
	}
	if page, _ := s.List(ctx, "m-2", "", 20); len(page.Items) != 1 || page.Items[0].Read {
		t.Fatalf("another teacher's mark: %+v", page.Items)
	}
	for _, c := range []struct{ who, id string }{
		{"m-late", b.ID}, {"m-nso", b.ID}, {"m-1", "no-such-broadcast"}, {"m-1", "bad id!"}, {"m-2", own.ID},
	} {
		if _, err := s.MarkRead(ctx, c.who, c.id); apperr.StatusOf(err) != 404 {
			t.Errorf("%s marks %q: %v, want 404", c.who, c.id, err)
		}
	}
	if m.reads["m-late|"+b.ID] || m.reads["m-nso|"+b.ID] {
		t.Error("a marker was written for a broadcast the member does not see")
	}
	before := m.calls["getBroadcast"]
	if _, err := s.MarkRead(ctx, "m-2", "n-0000000000000000"); apperr.StatusOf(err) != 404 || m.calls["getBroadcast"] != before {
		t.Errorf("an own-notification id looked for a broadcast: %v", err)
	}
	own2, err := s.MarkRead(ctx, "m-1", own.ID)
	if err != nil || !own2.Read || own2.ID != own.ID {
		t.Fatalf("own notification: %+v %v", own2, err)
	}
}

// TestListReadsMarkersOnlyForBroadcastPages: a page without broadcasts reads no markers;
// a cursor issued before broadcasts (the store's own position) still works.
func TestListReadsMarkersOnlyForBroadcastPages(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	m := newMemStore()
	m.members["m-1"] = member.Member{MemberID: "m-1", Role: member.RoleTeacher, CreatedAt: now.Add(-48 * time.Hour)}
	var own []Notification
	for i := 0; i < 4; i++ {
		own = append(own, m.addOwn("m-1", now.Add(-time.Duration(i+1)*time.Minute)))
	}
	m.post(t, "old-news", AudienceTeachers, now.Add(-time.Hour))
	s := service(m, now)
	page, err := s.List(ctx, "m-1", "", 2)
	if err != nil || !slices.Equal(ids(page.Items), []string{own[0].ID, own[1].ID}) || page.NextCursor == "" {
		t.Fatalf("first page: %+v %v", page, err)
	}
	if m.calls["reads"] != 0 {
		t.Fatal("markers read for a page without broadcasts")
	}
	legacy, err := cursor.NewPage(signer, "m-1", "notifications", []int{1}, own[1].ID, now)
	if err != nil {
		t.Fatal(err)
	}
	page, err = s.List(ctx, "m-1", legacy.NextCursor, 10)
	if err != nil || !slices.Equal(ids(page.Items), []string{own[2].ID, own[3].ID}) {
		t.Fatalf("a position without broadcasts: %+v %v", page, err)
	}
	first, _ := s.List(ctx, "m-1", "", 2)
	if _, err := s.List(ctx, "m-2", first.NextCursor, 10); apperr.StatusOf(err) != 400 {
		t.Fatalf("another member's cursor: %v", err)
	}
}

func TestBroadcastValidation(t *testing.T) {
	now := time.Date(2027, 3, 1, 9, 0, 0, 123456789, time.FixedZone("CET", 3600))
	b := CertificationAnnouncement(2027, now)
	if b.ID != "cert-announce-2027" || b.Kind != KindCertificationAnnounced || b.Audience != AudienceTeachers ||
		b.Subject != (Subject{Type: "certification_window", ID: "2027"}) || b.Validate() != nil ||
		!b.CreatedAt.Equal(now.Truncate(time.Millisecond)) || b.CreatedAt.Location() != time.UTC {
		t.Fatalf("announcement: %+v (%v)", b, b.Validate())
	}
	for name, change := range map[string]func(*Broadcast){
		"empty id":        func(b *Broadcast) { b.ID = "" },
		"id with #":       func(b *Broadcast) { b.ID = "a#b" },
		"own-looking id":  func(b *Broadcast) { b.ID = "n-" + token.SortableID("", now) },
		"no kind":         func(b *Broadcast) { b.Kind = "" },
		"kind with space": func(b *Broadcast) { b.Kind = "a b" },
		"no subject":      func(b *Broadcast) { b.Subject = Subject{} },
		"audience":        func(b *Broadcast) { b.Audience = "everyone" },
		"no time":         func(b *Broadcast) { b.CreatedAt = time.Time{} },
	} {
		bad := b
		change(&bad)
		if err := bad.Validate(); !errors.Is(err, ErrInvalidBroadcast) || !strings.Contains(err.Error(), "invalid broadcast") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

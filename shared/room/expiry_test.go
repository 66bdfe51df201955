package room

import (
	"context"
	"errors"
	"testing"
	"time"

	"etwin/shared/member"
	"etwin/shared/notify"
)

var day = 24 * time.Hour

func at(t time.Time) *time.Time { return &t }

// The decision of the room-expiry job: warn once in the last week, close past the expiry,
// nothing otherwise; an extension resets the warning, a closed room is done with.
func TestNextStep(t *testing.T) {
	created := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	exp := created.AddDate(0, Active, 0)
	base := Room{RoomID: "rm-1", CreatedAt: created, ExpiresAt: exp}
	warned := base
	warned.WarnedAt = at(exp.Add(-6 * day))
	closed := warned
	closed.ClosedAt = at(exp.Add(time.Hour))
	extended := warned // extended after its warning: Extend clears WarnedAt
	extended.ExtendedAt, extended.ExpiresAt, extended.WarnedAt = at(exp.Add(-5*day)), exp.AddDate(0, Active, 0), nil
	for _, c := range []struct {
		name string
		r    Room
		now  time.Time
		want Step
	}{
		{"fresh room", base, created.Add(time.Hour), Nothing},
		{"8 days before expiry", base, exp.Add(-8 * day), Nothing},
		{"just before the warning", base, exp.Add(-WarnBefore - time.Second), Nothing},
		{"warning time", base, exp.Add(-WarnBefore), Warn},
		{"6 days before expiry", base, exp.Add(-6 * day), Warn},
		{"warned already", warned, exp.Add(-time.Hour), Nothing},
		{"at expiry, warned", warned, exp, Close},
		{"past expiry, never warned", base, exp.Add(day), Close},
		{"closed", closed, exp.Add(30 * day), Nothing},
		{"extended after its warning, old expiry", extended, exp.Add(time.Hour), Nothing},
		{"extended, a week before the new expiry", extended, extended.ExpiresAt.Add(-6 * day), Warn},
		{"extended, past the new expiry", extended, extended.ExpiresAt, Close},
	} {
		if got := c.r.NextStep(c.now); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
	}
}

// DueAt is the next step's time, which the store's expiry entry is kept at.
func TestDueAt(t *testing.T) {
	exp := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	r := Room{ExpiresAt: exp}
	if d, ok := r.DueAt(); !ok || !d.Equal(exp.Add(-WarnBefore)) {
		t.Fatalf("not warned: %v %v", d, ok)
	}
	r.WarnedAt = at(exp.Add(-6 * day))
	if d, ok := r.DueAt(); !ok || !d.Equal(exp) {
		t.Fatalf("warned: %v %v", d, ok)
	}
	r.ClosedAt = at(exp)
	if _, ok := r.DueAt(); ok {
		t.Fatal("closed: still due")
	}
	// Whatever the room, the step due at DueAt is not Nothing (the entry never waits on
	// a room with nothing to do), and before it nothing is due.
	for _, r := range []Room{{ExpiresAt: exp}, {ExpiresAt: exp, WarnedAt: at(exp.Add(-3 * day))}} {
		d, _ := r.DueAt()
		if r.NextStep(d) == Nothing || r.NextStep(d.Add(-time.Second)) != Nothing {
			t.Fatalf("%+v: at %v %s, before %s", r, d, r.NextStep(d), r.NextStep(d.Add(-time.Second)))
		}
	}
}

// expiryStore is the part of Store the job uses, in memory; the rest panics.
type expiryStore struct {
	Store
	rooms   []Room
	members map[string]member.Member
	warned  map[string]*notify.Notification
	closed  []string
	fail    map[string]error // WarnRoom/CloseRoom's answer for a room
}

func (s *expiryStore) GetMembers(_ context.Context, ids []string) (map[string]member.Member, error) {
	out := map[string]member.Member{}
	for _, id := range ids {
		if m, ok := s.members[id]; ok {
			out[id] = m
		}
	}
	return out, nil
}
func (s *expiryStore) DueRooms(context.Context, time.Time) ([]Room, error) { return s.rooms, nil }
func (s *expiryStore) WarnRoom(_ context.Context, r Room, _ time.Time, n *notify.Notification) error {
	if err := s.fail[r.RoomID]; err != nil {
		return err
	}
	s.warned[r.RoomID] = n
	return nil
}
func (s *expiryStore) CloseRoom(_ context.Context, r Room, _ time.Time) error {
	if err := s.fail[r.RoomID]; err != nil {
		return err
	}
	s.closed = append(s.closed, r.RoomID)
	return nil
}

// Expire warns and closes what is due, counts a room that changed meanwhile as nothing
// to do, and a failure as failed (left for the next run).
func TestExpire(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	ana := member.Member{MemberID: "m-ana", FirstName: "Ana", Email: "ana@example.org", Language: "ro", Country: "RO", Role: member.RoleTeacher}
	creator := PersonOf(ana)
	st := &expiryStore{members: map[string]member.Member{ana.MemberID: ana}, warned: map[string]*notify.Notification{},
		fail: map[string]error{"rm-raced": ErrNotDue, "rm-broken": errors.New("boom")}}
	st.rooms = []Room{
		{RoomID: "rm-warn", Title: "Water", Creator: creator, ExpiresAt: now.Add(6 * day)},
		{RoomID: "rm-warn-ext", Title: "Air", Creator: creator, ExpiresAt: now.Add(5 * day), ExtendedAt: at(now.Add(-day))},
		{RoomID: "rm-gone", Title: "Fire", Creator: Person{MemberID: "m-gone"}, ExpiresAt: now.Add(2 * day)},
		{RoomID: "rm-close", Creator: creator, ExpiresAt: now.Add(-time.Hour), WarnedAt: at(now.Add(-7 * day))},
		{RoomID: "rm-not-yet", Creator: creator, ExpiresAt: now.Add(20 * day)},
		{RoomID: "rm-raced", Creator: creator, ExpiresAt: now.Add(-time.Minute)},
		{RoomID: "rm-broken", Creator: creator, ExpiresAt: now.Add(3 * day)},
	}
	s := &Service{Store: st, Now: func() time.Time { return now }}
	rep, err := s.Expire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if want := (ExpiryReport{Due: 7, Warned: 3, Closed: 1, Failed: 1}); rep != want {
		t.Fatalf("report %+v, want %+v", rep, want)
	}
	if len(st.closed) != 1 || st.closed[0] != "rm-close" {
		t.Fatalf("closed %v", st.closed)
	}
	n := st.warned["rm-warn"]
	if n == nil || n.Kind != notify.KindRoomExpiring || n.RecipientID != "m-ana" || n.Subject != (notify.Subject{Type: notify.SubjectRoom, ID: "rm-warn"}) || n.Email == nil {
		t.Fatalf("warning %+v", n)
	}
	e := n.Email.Envelope
	if e.To != "ana@example.org" || e.Lang != "ro" || e.Data["RoomTitle"] != "Water" || e.Data["Extendable"] != "yes" || !e.Times["RoomExpires"].Equal(now.Add(6*day)) {
		t.Fatalf("e-mail %+v", e)
	}
	if x := st.warned["rm-warn-ext"]; x == nil || x.Email.Envelope.Data["Extendable"] != "" {
		t.Fatalf("an extended room's warning offers the extension again: %+v", x)
	}
	if x, ok := st.warned["rm-gone"]; !ok || x != nil {
		t.Fatalf("a gone creator: marked %v, notification %+v", ok, x)
	}
}

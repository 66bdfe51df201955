package ddb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"etwin/shared/ddb"
	"etwin/shared/event"
)

func newEvent(id, kind, country string, start time.Time, capacity *int) event.Event {
	return event.Event{EventID: id, Kind: kind, Title: "T " + id, Description: "D", StartsAt: start, EndsAt: start.Add(time.Hour),
		Language: "en", Capacity: capacity, Country: country, CreatedBy: "css", CreatedAt: start.Add(-time.Hour)}
}

func ids(es []event.Event) []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.EventID
	}
	return out
}

// TestListEventsAcrossMonthsCountryFirst pages through a range of three months: in start
// order, the first country's events before the others, every event once, nothing outside
// the range or the filters.
func TestListEventsAcrossMonthsCountryFirst(t *testing.T) {
	st, ctx := newStore(t), context.Background()
	base := time.Date(2027, 1, 20, 10, 0, 0, 0, time.UTC)
	evs := []event.Event{
		newEvent("e1", event.KindWebinar, "", base, nil),                      // Jan
		newEvent("e2", event.KindWebinar, "RO", base.AddDate(0, 0, 15), nil),  // Feb
		newEvent("e3", event.KindMOOC, "FR", base.AddDate(0, 0, 16), nil),     // Feb
		newEvent("e4", event.KindWebinar, "", base.AddDate(0, 1, 20), nil),    // Mar
		newEvent("e5", event.KindWebinar, "RO", base.AddDate(0, 1, 21), nil),  // Mar
		newEvent("e6", event.KindWebinar, "RO", base.AddDate(0, 3, 0), nil),   // May: outside
		newEvent("e0", event.KindWebinar, "RO", base.AddDate(0, 0, -30), nil), // Dec: outside
	}
	for _, e := range evs {
		if err := st.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	f := event.Filter{From: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)}
	all := func(f event.Filter, first string, limit int) []string {
		var got []string
		after := ""
		for range 20 {
			page, next, err := st.ListEvents(ctx, f, first, after, limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > limit || (next != "" && len(page) == 0) {
				t.Fatalf("page %v next %q", ids(page), next)
			}
			got = append(got, ids(page)...)
			if next == "" {
				return got
			}
			after = next
		}
		t.Fatal("no end")
		return nil
	}
	for _, limit := range []int{1, 2, 3, 10} {
		if got := fmt.Sprint(all(f, "", limit)); got != "[e1 e2 e3 e4 e5]" {
			t.Errorf("all, limit %d: %s", limit, got)
		}
		if got := fmt.Sprint(all(f, "RO", limit)); got != "[e2 e5 e1 e3 e4]" {
			t.Errorf("RO first, limit %d: %s", limit, got)
		}
	}
	f.Kind = event.KindMOOC
	if got := fmt.Sprint(all(f, "RO", 2)); got != "[e3]" {
		t.Errorf("mooc: %s", got)
	}
}

// TestAttendLastPlace: of two registrations at once for the last place exactly one wins;
// again → ErrAttending; cancelling frees the place; the school's summary holds the
// activity; a later activity there is kept and the registration still succeeds.
func TestAttendLastPlace(t *testing.T) {
	st, ctx := newStore(t), context.Background()
	start := time.Now().Add(48 * time.Hour).UTC()
	one := 1
	if err := st.CreateEvent(ctx, newEvent("last", event.KindWebinar, "", start, &one)); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.Attend(ctx, event.Attendance{EventID: "last", MemberID: fmt.Sprintf("m%d", i), RegisteredAt: now}, []string{"RO~1"})
		}()
	}
	wg.Wait()
	wins, full := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			wins++
		case errors.Is(err, event.ErrFull):
			full++
		default:
			t.Errorf("attend: %v", err)
		}
	}
	if wins != 1 || full != 1 {
		t.Fatalf("wins %d, full %d: %v", wins, full, errs)
	}
	winner := "m0"
	if errs[0] != nil {
		winner = "m1"
	}
	if e, _, _ := st.GetEvent(ctx, "last"); e.Attending != 1 {
		t.Fatalf("attending %d", e.Attending)
	}
	sum, _, err := st.SchoolSummary(ctx, "RO~1")
	if err != nil || !sum.LastActive[winner].Equal(now) || len(sum.LastActive) != 1 {
		t.Fatalf("summary %+v %v", sum.LastActive, err)
	}
	acts, err := st.MemberActivities(ctx, winner)
	if err != nil || len(acts) != 1 || acts[0].Kind != "professional_development" {
		t.Fatalf("activities %+v %v", acts, err)
	}
	if err := st.Attend(ctx, event.Attendance{EventID: "last", MemberID: winner, RegisteredAt: now}, nil); !errors.Is(err, event.ErrAttending) {
		t.Fatalf("again: %v", err)
	}
	if err := st.Unattend(ctx, "last", winner); err != nil {
		t.Fatal(err)
	}
	if err := st.Unattend(ctx, "last", winner); !errors.Is(err, event.ErrNotAttending) {
		t.Fatalf("unattend again: %v", err)
	}
	// a later activity of the loser in RO~2 is kept; RO~3 gets the registration's time
	later := now.Add(time.Hour)
	loser := map[string]string{"m0": "m1", "m1": "m0"}[winner]
	if _, err := st.ImportActivity(ctx, ddb.Activity{MemberID: loser, Kind: "other", At: later, SchoolID: "RO~2"}, []string{"RO~2"}); err != nil {
		t.Fatal(err)
	}
	if err := st.Attend(ctx, event.Attendance{EventID: "last", MemberID: loser, RegisteredAt: now}, []string{"RO~2", "RO~3"}); err != nil {
		t.Fatalf("freed place: %v", err)
	}
	s2, _, _ := st.SchoolSummary(ctx, "RO~2")
	s3, _, _ := st.SchoolSummary(ctx, "RO~3")
	if !s2.LastActive[loser].Equal(later) || !s3.LastActive[loser].Equal(now) {
		t.Fatalf("RO~2 %v RO~3 %v", s2.LastActive, s3.LastActive)
	}
	if err := st.Attend(ctx, event.Attendance{EventID: "gone", MemberID: "m9", RegisteredAt: now}, nil); !errors.Is(err, event.ErrNoEvent) {
		t.Fatalf("unknown event: %v", err)
	}
}

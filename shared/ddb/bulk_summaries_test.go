package ddb_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"etwin/shared/certification"
)

// Summaries written in bulk read back as they were written, one by one and in the sweep's
// pages, and are judged as the import's own writes would have had them judged.
func TestBulkSummariesReadBackAsWritten(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	st := newStore(t)
	w := sweepRound(t, 2083)
	c := w.Cutoffs
	in := c.ActiveSince.Add(24 * time.Hour)
	closed := c.ActiveSince.Add(-time.Hour)
	eligible := certification.Summary{SchoolID: "bulk.ok", Country: "RO", RegisteredAt: c.RegisteredBefore,
		Members:    []string{"t-a", "t-b", "t-c", "t-d"},
		LastActive: map[string]time.Time{"t-a": in, "t-b": in, "t-c": c.ActiveSince, "t-d": c.ActiveSince.Add(-time.Second)},
		Projects: map[string]certification.ProjectFacts{
			"p.1": {Members: []string{"t-a"}, ApprovedAt: closed.AddDate(-1, 0, 0), ClosedAt: &closed, European: true},
			"p.2": {Members: []string{"t-b", "t-d"}}},
		Labels: []certification.LabelFacts{{ProjectID: "p.1", Kind: "european", AwardedAt: in, European: true},
			{ProjectID: "p.1", Kind: certification.LabelKindNational, AwardedAt: in, European: true}}}
	bare := certification.Summary{SchoolID: "bulk~bare", Country: "FR", RegisteredAt: c.RegisteredBefore,
		LastActive: map[string]time.Time{}, Projects: map[string]certification.ProjectFacts{}}
	n, err := st.BulkSummaries(ctx, []certification.Summary{eligible, bare})
	if err != nil || n < 200 {
		t.Fatalf("BulkSummaries: %d bytes, %v", n, err)
	}
	for _, want := range []certification.Summary{eligible, bare} {
		got, found, err := st.SchoolSummary(ctx, want.SchoolID)
		if err != nil || !found {
			t.Fatalf("%s: found %v, %v", want.SchoolID, found, err)
		}
		for id, p := range got.Projects { // the closing time comes back as a new pointer
			if w := want.Projects[id]; p.ClosedAt != nil && w.ClosedAt != nil && p.ClosedAt.Equal(*w.ClosedAt) {
				p.ClosedAt = w.ClosedAt
				got.Projects[id] = p
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s read back as\n%+v\nwant\n%+v", want.SchoolID, got, want)
		}
	}
	if v := certification.Judge(eligible, w, time.Now()); !v.Eligible || v.Criteria.ActiveTeachers != 3 {
		t.Errorf("verdict %+v", v)
	}
	// the sweep's segments hold both, once each
	seen := map[string]int{}
	for shard := range st.Shards() {
		after := ""
		for {
			page, next, err := st.SummaryPage(ctx, shard, after, 1)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range page {
				seen[s.SchoolID]++
			}
			if next == "" {
				break
			}
			after = next
		}
	}
	if !reflect.DeepEqual(seen, map[string]int{"bulk.ok": 1, "bulk~bare": 1}) {
		t.Errorf("segments hold %v", seen)
	}
}

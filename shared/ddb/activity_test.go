package ddb_test

import (
	"context"
	"testing"
	"time"

	"etwin/shared/ddb"
)

// Imported activities are stored under their natural key (a re-import creates nothing);
// each school's summary holds every teacher's latest activity time, moved forward only;
// an activity without a school counts for every school the loader names; ids with '.'
// and '~' are kept as they are.
func TestImportActivity(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	st := newStore(t)
	t1 := time.Date(2025, 5, 20, 0, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour + time.Nanosecond)
	a := ddb.Activity{MemberID: "m-ana.pop", Kind: "professional_development", At: t1, SchoolID: "RO~1"}
	for i, want := range []bool{true, false} {
		created, err := st.ImportActivity(ctx, a, []string{"RO~1"})
		if err != nil || created != want {
			t.Fatalf("import %d: created %v (want %v), %v", i, created, want, err)
		}
	}
	later := ddb.Activity{MemberID: "m-ana.pop", Kind: "project", At: t2}
	if created, err := st.ImportActivity(ctx, later, []string{"RO~1", "RO~2"}); err != nil || !created {
		t.Fatalf("later: %v %v", created, err)
	}
	// an older activity does not move the summary back
	older := ddb.Activity{MemberID: "m-ana.pop", Kind: "other", At: t1.Add(-time.Hour), SchoolID: "RO~1"}
	if _, err := st.ImportActivity(ctx, older, []string{"RO~1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ImportActivity(ctx, ddb.Activity{MemberID: "m2", Kind: "other", At: t1, SchoolID: "RO~1"}, []string{"RO~1"}); err != nil {
		t.Fatal(err)
	}
	got, err := st.MemberActivities(ctx, "m-ana.pop")
	if err != nil || len(got) != 3 {
		t.Fatalf("activities: %+v %v", got, err)
	}
	if got[0].Kind != "other" || got[1] != a || !got[2].At.Equal(t2) || got[2].SchoolID != "" {
		t.Fatalf("activities (oldest first, kept exactly): %+v", got)
	}
	for sid, want := range map[string]map[string]time.Time{
		"RO~1": {"m-ana.pop": t2, "m2": t1},
		"RO~2": {"m-ana.pop": t2},
		"RO~3": {},
	} {
		summary, _, err := st.SchoolSummary(ctx, sid)
		sum := summary.LastActive
		if err != nil || len(sum) != len(want) {
			t.Fatalf("summary of %s: %v %v, want %v", sid, sum, err, want)
		}
		for m, at := range want {
			if !sum[m].Equal(at) {
				t.Fatalf("summary of %s: %s at %v, want %v", sid, m, sum[m], at)
			}
		}
	}
}

package ddb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"etwin/shared/certification"
	"etwin/shared/ddb"
	"etwin/shared/member"
	"etwin/shared/project"
	"etwin/shared/school"
)

// sweepRound is a round open now whose cut-offs are fixed dates.
func sweepRound(t *testing.T, year int) certification.Window {
	t.Helper()
	now := time.Now().UTC()
	in := certification.Input{AnnounceAt: now.Add(-48 * time.Hour).Format(time.RFC3339), OpensAt: now.Add(-24 * time.Hour).Format(time.RFC3339),
		ClosesAt: now.Add(30 * 24 * time.Hour).Format(time.RFC3339), Cutoffs: &certification.CutoffsInput{
			RegisteredBefore: "2024-03-01T00:00:00Z", ActiveSince: "2024-03-01T00:00:00Z",
			LabelledFrom: "2024-03-01T00:00:00Z", LabelledTo: "2026-03-01T00:00:00Z"}}
	w, err := in.Window(year)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// importSchool stores a school with n teachers (t-<school>-<i>), each active at active[i]
// (zero: never), through the import's own writes.
func importSchool(t *testing.T, st *ddb.Store, id string, registered time.Time, active ...time.Time) []string {
	t.Helper()
	ctx := context.Background()
	sc := school.School{SchoolID: id, Name: "School " + id, Country: "RO", City: "Iași", Address: "a", PostalCode: "700",
		SchoolType: "primary", Phone: "0232000000", Email: "s@example.ro", HeadTeacher: "H", Pupils: 10, RegisteredAt: registered}
	if _, err := st.ImportSchool(ctx, sc); err != nil {
		t.Fatal(err)
	}
	var ms []member.Member
	var ids []string
	for i := range active {
		mid := fmt.Sprintf("t-%s-%d", id, i)
		ids = append(ids, mid)
		ms = append(ms, member.Member{MemberID: mid, Username: mid, FirstName: "Ana", LastName: "Pop", Email: mid + "@example.org",
			Language: "ro", Role: member.RoleTeacher, Country: "RO", CreatedAt: registered,
			Schools: []member.SchoolRef{{SchoolID: id, Name: sc.Name, Country: "RO", SchoolType: "primary"}}})
	}
	errs, err := st.ImportNewMembers(ctx, ms)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range errs {
		if e != nil {
			t.Fatalf("member %d: %v", i, e)
		}
	}
	for i, at := range active {
		if at.IsZero() {
			continue
		}
		if _, err := st.ImportActivity(ctx, ddb.Activity{MemberID: ids[i], Kind: "other", At: at, SchoolID: id}, []string{id}); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// labelSchool gives the school a project (European or national), closed before the
// round's activeSince (so that it makes nobody active), with a National Quality Label at at.
func labelSchool(t *testing.T, st *ddb.Store, schoolID, teacher string, european bool, at, closed time.Time) {
	t.Helper()
	ctx := context.Background()
	pid := "p-" + schoolID
	countries := []string{"RO"}
	if european {
		countries = []string{"FR", "RO"}
	}
	approved := closed.AddDate(-1, 0, 0)
	p := project.Project{ProjectID: pid, Status: project.Closed, ClosedAt: &closed, Title: "Water", Language: "ro", AgeRange: project.AgeRange{Min: 10, Max: 12},
		Founders: []project.Founder{{MemberID: teacher, SchoolID: schoolID, Country: "RO"}}, FounderID: teacher, NSOCountries: countries,
		CreatedAt: approved, UpdatedAt: approved, ApprovedAt: &approved}
	partners := []project.Partner{{ProjectID: pid, MemberID: teacher, Role: project.RoleAdmin, Founder: true, SchoolID: schoolID, Country: "RO", AddedAt: approved}}
	if _, err := st.ImportProject(ctx, p, partners, countries, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := st.ImportLabels(ctx, []project.Label{{ProjectID: pid, Kind: project.LabelNational, SchoolID: schoolID, Country: "RO", AwardedAt: at}}); err != nil {
		t.Fatal(err)
	}
}

// The summaries that the import's writes keep, judged by the sweep: verdicts for every
// school, one invitation (with its notification and e-mail) per teacher of each eligible
// school, and nothing more however often, and however concurrently, the sweep runs.
func TestSweepJudgesSummariesAndInvitesOnce(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	st := newStore(t)
	w := sweepRound(t, 2081)
	c := w.Cutoffs
	in := c.ActiveSince.Add(24 * time.Hour)
	label := c.LabelledFrom.AddDate(0, 6, 0)
	type fixture struct {
		id       string
		eligible bool
		teachers []string
	}
	var fx []fixture
	add := func(id string, eligible bool, registered time.Time, european bool, labelAt time.Time, active ...time.Time) {
		ids := importSchool(t, st, id, registered, active...)
		if !labelAt.IsZero() {
			labelSchool(t, st, id, ids[0], european, labelAt, c.ActiveSince.Add(-time.Hour))
		}
		fx = append(fx, fixture{id, eligible, ids})
	}
	add("ok.exact", true, c.RegisteredBefore, true, label, c.ActiveSince, in, in)
	add("late~reg", false, c.RegisteredBefore.AddDate(0, 0, 1), true, label, in, in, in)
	add("two.active", false, c.RegisteredBefore, true, label, in, in, time.Time{})
	add("second.early", false, c.RegisteredBefore, true, label, c.ActiveSince.Add(-time.Second), in, in)
	add("label.out", false, c.RegisteredBefore, true, c.LabelledTo.Add(time.Second), in, in, in)
	add("national", false, c.RegisteredBefore, false, label, in, in, in)
	add("no.label", false, c.RegisteredBefore, true, time.Time{}, in, in, in)
	for i := range 7 { // a few more eligible ones, spread over the segments
		add(fmt.Sprintf("ok-%d", i), true, c.RegisteredBefore.AddDate(-1, 0, 0), true, label, in, in, in, in)
	}
	// the summary as the import left it
	sum, found, err := st.SchoolSummary(ctx, "ok.exact")
	if err != nil || !found || len(sum.Members) != 3 || len(sum.Labels) != 1 || len(sum.Projects) != 1 || !sum.RegisteredAt.Equal(c.RegisteredBefore) {
		t.Fatalf("summary: %+v %v %v", sum, found, err)
	}

	sw := &certification.Sweeper{Store: st, PageSize: 2}
	// a run without time left stops before its first page: nothing judged
	rep, err := sw.Sweep(ctx, w, time.Now())
	if err != nil || rep.Schools != 0 || rep.Complete {
		t.Fatalf("no time: %+v %v", rep, err)
	}
	// two runs at once share the work
	var wg sync.WaitGroup
	reps := make([]certification.SweepReport, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { reps[i], errs[i] = sw.Sweep(ctx, w, time.Now().Add(time.Hour)) })
	}
	wg.Wait()
	wantInvites := 0
	for _, f := range fx {
		if f.eligible {
			wantInvites += len(f.teachers)
		}
	}
	if errs[0] != nil || errs[1] != nil || !reps[0].Complete || !reps[1].Complete || reps[0].Invited+reps[1].Invited != wantInvites {
		t.Fatalf("concurrent runs: %+v %+v %v %v (want %d invitations)", reps[0], reps[1], errs[0], errs[1], wantInvites)
	}
	for _, f := range fx {
		v, found, err := st.Verdict(ctx, w.Year, f.id)
		if err != nil || !found || v.Eligible != f.eligible {
			t.Errorf("%s: verdict %+v %v %v, want eligible %v", f.id, v, found, err, f.eligible)
		}
		invited, err := st.Invited(ctx, w.Year, f.id)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		if f.eligible {
			want = len(f.teachers)
		}
		if len(invited) != want {
			t.Errorf("%s: %d invited, want %d", f.id, len(invited), want)
		}
		for _, m := range f.teachers {
			ns, _, err := st.ListNotifications(ctx, m, "", 10)
			if err != nil {
				t.Fatal(err)
			}
			if (len(ns) == 1) != f.eligible || (f.eligible && ns[0].Kind != "certification_invitation") {
				t.Errorf("%s: notifications %+v", m, ns)
			}
		}
	}
	// again: complete, nothing more
	rep, err = sw.Sweep(ctx, w, time.Now().Add(time.Hour))
	if err != nil || !rep.Complete || rep.Invited != 0 || rep.Schools != 0 {
		t.Fatalf("again: %+v %v", rep, err)
	}
	// a new round sweeps afresh and may invite the same teachers again, once
	w2 := sweepRound(t, 2082)
	rep, err = sw.Sweep(ctx, w2, time.Now().Add(time.Hour))
	if err != nil || rep.Invited != wantInvites || rep.Schools != len(fx) {
		t.Fatalf("next round: %+v %v", rep, err)
	}
}

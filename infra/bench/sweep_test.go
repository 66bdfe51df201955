package bench

import (
	"bytes"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"etwin/shared/certification"
	"etwin/shared/notify"
)

// The generated schools are judged as the generator meant them: 3% eligible, each of the
// others failing exactly the one rule its outcome names.
func TestSweepSchoolsFailOneRuleEach(t *testing.T) {
	now := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	w, err := sweepWindow(now)
	if err != nil {
		t.Fatal(err)
	}
	const n = 3000
	counts := map[int]int{}
	teachers := 0
	for k := range n {
		s := sweepSchool(k, w.Cutoffs)
		v := certification.Judge(s, w, now)
		outcome := sweepOutcome(k)
		counts[outcome]++
		teachers += len(s.Members)
		if v.Eligible != (outcome == sweepEligible) {
			t.Fatalf("school %d (outcome %d): verdict %+v", k, outcome, v)
		}
		registered := !s.RegisteredAt.After(w.Cutoffs.RegisteredBefore)
		active := v.Criteria.ActiveTeachers >= w.Cutoffs.MinActiveTeachers
		labelled := v.Criteria.QualityLabelledProjects > 0
		want := map[int][3]bool{sweepEligible: {true, true, true}, sweepLateRegistration: {false, true, true}, sweepTooFewActive: {true, false, true},
			sweepLabelOutOfRange: {true, true, false}, sweepNationalProject: {true, true, false}, sweepNoLabel: {true, true, false}}[outcome]
		if [3]bool{registered, active, labelled} != want {
			t.Errorf("school %d (outcome %d): registered %v, active %v, labelled %v", k, outcome, registered, active, labelled)
		}
		if outcome == sweepNationalProject && (len(s.Labels) != 1 || s.Labels[0].European) {
			t.Errorf("school %d: labels %+v", k, s.Labels)
		}
		if !slices.IsSorted(s.Members) || len(s.LastActive) != len(s.Members) {
			t.Errorf("school %d: members %v, activities %v", k, s.Members, s.LastActive)
		}
	}
	if counts[sweepEligible] != n*sweepEligiblePerCent/100 || len(counts) != sweepOutcomes {
		t.Errorf("outcomes %v", counts)
	}
	if teachers != 5*n {
		t.Errorf("%d teachers for %d schools", teachers, n)
	}
	// the same k, the same school
	a, b := sweepSchool(42, w.Cutoffs), sweepSchool(42, w.Cutoffs)
	if a.SchoolID != b.SchoolID || !slices.Equal(a.Members, b.Members) || !a.RegisteredAt.Equal(b.RegisteredAt) {
		t.Errorf("school 42 differs: %+v %+v", a, b)
	}
}

func TestSweepTeachersAreTheSummarysMembers(t *testing.T) {
	w, err := sweepWindow(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	s := sweepSchool(1, w.Cutoffs) // FR
	ms := sweepTeachers(s)
	if len(ms) != len(s.Members) {
		t.Fatalf("%d teachers for %v", len(ms), s.Members)
	}
	for i, m := range ms {
		r := notify.RecipientOf(m)
		if m.MemberID != s.Members[i] || r.Language != "fr" || r.Email != m.MemberID+"@example.org" || !m.HasSchool(s.SchoolID) {
			t.Errorf("teacher %d: %+v, recipient %+v", i, m, r)
		}
	}
}

func TestOutboxPutsCountsTheOutboxItems(t *testing.T) {
	body := []byte(`{"TransactItems":[
		{"Put":{"TableName":"t","Item":{"PK":{"S":"SCHOOL#a"},"SK":{"S":"CERTINVITE#2026#m"}}}},
		{"Put":{"TableName":"t","Item":{"PK":{"S":"MEMBER#m"},"SK":{"S":"NOTIF#1"},"read":{"BOOL":false}}}},
		{"Put":{"TableName":"t","Item":{"PK":{"S":"OUTBOX#1"},"SK":{"S":"OUTBOX"},"to":{"SS":["x"]}}}},
		{"Update":{"TableName":"t","Key":{"PK":{"S":"OUTBOX#2"},"SK":{"S":"OUTBOX"}}}},
		{"Put":{"TableName":"t","Item":{"PK":{"S":"OUTBOX#3"},"SK":{"S":"OUTBOX"}}}}]}`)
	n, err := outboxPuts([][]byte{body, body})
	if err != nil || n != 4 {
		t.Errorf("outboxPuts = %d, %v; want 4", n, err)
	}
	if _, err := outboxPuts([][]byte{[]byte("{")}); err == nil {
		t.Error("a broken body was counted")
	}
}

func TestSweepSizesAreSortedAndDistinct(t *testing.T) {
	if got := sweepSizes([]int{100000, 10000, 0, 10000, -3}); !slices.Equal(got, []int{10000, 100000}) {
		t.Errorf("sweepSizes = %v", got)
	}
}

// sweepFixture is a measured size: n schools, n/100 eligible with 5 teachers each; the
// pages cost 0.1 read and 1 write unit per school, each invitation 1 read and 6 writes,
// the round's invitations so far an empty Query per eligible school.
func sweepFixture(n int) SweepScale {
	eligible := n / 100
	inv := 5 * eligible
	return SweepScale{Schools: n, Teachers: 5 * n, Members: inv, SummaryBytes: 600 * n, LoadTime: time.Duration(n) * time.Millisecond,
		WantEligible: eligible, WantInvitations: inv,
		First: SweepRun{Wall: time.Duration(n) * time.Millisecond, Emails: inv,
			Report: certification.SweepReport{Schools: n, Eligible: eligible, Invited: inv, Complete: true},
			Judging: SweepPart{Calls: map[string]int{"Query": n / 100, "BatchWriteItem": n / 25, "GetItem": 32},
				Units: map[string]float64{"Query": 0.1 * float64(n), "BatchWriteItem": float64(n), "GetItem": 32}, WriteAWS: float64(n)},
			Inviting: SweepPart{Calls: map[string]int{"Query": eligible, "BatchGetItem": eligible, "TransactWriteItems": eligible},
				Units: map[string]float64{"BatchGetItem": float64(inv), "TransactWriteItems": 4 * float64(eligible)}, WriteAWS: 6 * float64(inv), ZeroReads: eligible}},
		Resume: SweepRun{Wall: time.Millisecond, Report: certification.SweepReport{Complete: true},
			Judging: SweepPart{Calls: map[string]int{"GetItem": 32}, Units: map[string]float64{"GetItem": 32}}}}
}

func TestSweepCostFromTheMeasuredUnits(t *testing.T) {
	sc := sweepFixture(100000)
	c := sweepCost(sc)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(c.PerSchool.Read, (0.1*100000+32)/100000) || !near(c.PerSchool.Write, 1) {
		t.Errorf("per school %+v", c.PerSchool)
	}
	if !near(c.PerEligible.Read, 1) || c.PerEligible.Write != 0 || !near(c.PerInvitation.Read, 1) || !near(c.PerInvitation.Write, 6) {
		t.Errorf("per eligible %+v, per invitation %+v", c.PerEligible, c.PerInvitation)
	}
	wantRead := c.PerSchool.Read*etwinningSchools + etwinningEligible + sweepInvitations
	wantWrite := 1.0*etwinningSchools + 6*sweepInvitations
	if !near(c.Total.Read, wantRead) || !near(c.Total.Write, wantWrite) {
		t.Errorf("total %+v, want %v read, %v write", c.Total, wantRead, wantWrite)
	}
	if !near(c.DDB, wantRead/1e6*0.125+wantWrite/1e6*0.625) || !near(c.SES, 3) {
		t.Errorf("USD: DynamoDB %v, SES %v", c.DDB, c.SES)
	}
	if z := sweepCost(SweepScale{}); z.Total != (SweepCounts{}) || z.DDB != 0 {
		t.Errorf("nothing judged: %+v", z)
	}
}

func TestSweepSectionShowsGrowthCostAndDisagreements(t *testing.T) {
	r := &Report{Sweep: []SweepScale{sweepFixture(10000), sweepFixture(100000)}}
	var md bytes.Buffer
	r.Markdown(&md)
	out := md.String()
	for _, want := range []string{
		"## 8. Eligibility sweep at scale",
		"| 10,000 | 50,000 | 600 B | 10.00 s | 10.00 s | 832 | 1,532 | 1,632 | 163.2 | 10,400 | 13,000 | 10,000 | 100 | 500 | 500 |",
		"| **growth, 10,000 → 100,000** | 10.00× | 1.00× | 10.00× | 10.00× | 9.65× | 9.81× | 9.82× | 0.98× | 10.00× | 10.00× | 10.00× | 10.00× | 10.00× | 10.00× |",
		"| 100,000 | inviting | BatchGetItem×1000, Query×1000, TransactWriteItems×1000 | 5,000 | 6,000 | 4,000 | 30,000 |",
		"| 10,000 | 1.00 ms | GetItem×32 | 32.0 | 0.0 | 0 | 0 |",
		"| invitations (recipient; marker, notification, outbox e-mail) | 30,000 | 1 | 6 | 30,000 | 180,000 |",
		"SES: $3.00 for the 30,000 e-mails",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "⚠") {
		t.Errorf("warnings for runs that agree with the generator:\n%s", out)
	}
	bad := sweepFixture(10000)
	bad.First.Emails--
	bad.Resume.Report.Invited = 1
	if ws := sweepWarnings(bad); len(ws) != 2 || !strings.Contains(ws[0], "499 e-mails queued for 500 invitations") {
		t.Errorf("warnings %q", ws)
	}
	r.Sweep = nil
	md.Reset()
	r.Markdown(&md)
	if !strings.Contains(md.String(), "## 8. Eligibility sweep at scale\n\n_Skipped (`-sweep \"\"`)._") {
		t.Errorf("no skipped section:\n%s", md.String())
	}
}

package gen

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"etwin/infra/loader"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/fold"
	"etwin/shared/importer"
	"etwin/shared/project"
	"etwin/shared/stats"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// parseAll parses every line of a generated file with the importer's line parser and
// fails on any error; it returns the records in file order.
func parseAll(t *testing.T, file []byte) []importer.Record {
	t.Helper()
	var recs []importer.Record
	sc := bufio.NewScanner(bytes.NewReader(file))
	sc.Buffer(make([]byte, importer.MaxLine+1), importer.MaxLine+1)
	n := 0
	for sc.Scan() {
		n++
		r, err := importer.Parse(sc.Bytes())
		if err != nil {
			t.Fatalf("line %d: %v\n%s", n, err, sc.Text())
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

func between(t *testing.T, what string, got, lo, hi float64) {
	t.Helper()
	if got < lo || got > hi {
		t.Errorf("%s = %.3f, want %.3f-%.3f", what, got, lo, hi)
	}
}

// Every line of a 2,000-member full file passes the importer's line parser; the types come
// in the file's order and proportions, and the references and times between lines hold:
// members in schools of the file, founders of two countries (but for the few national
// projects), createdAt ≤ approvedAt ≤ closedAt < now after the founders registered, labels
// on approved or closed projects for a founder's school (European only on a project
// spanning 2+ countries), activities of members of the file within the last 3 years.
func TestWriteFileLinesParse(t *testing.T) {
	const n = 2000
	var buf bytes.Buffer
	if err := WriteFile(&buf, 3, n, FullFile); err != nil {
		t.Fatal(err)
	}
	recs := parseAll(t, buf.Bytes())
	now := DefaultNow

	count := map[string]int{}
	order := map[string]int{}
	for i, typ := range importer.Types {
		order[typ] = i
	}
	last := -1
	keys := map[string]bool{}
	for i, r := range recs {
		count[r.Type]++
		if order[r.Type] < last {
			t.Fatalf("record %d: a %s after a %s", i, r.Type, importer.Types[last])
		}
		last = order[r.Type]
		if keys[r.Key()] {
			t.Fatalf("record %d: duplicate key %s", i, r.Key())
		}
		keys[r.Key()] = true
	}
	want := map[string]int{"school": n / 10, "member": n, "project": n / 10, "activity": n / 2}
	for typ, w := range want {
		if count[typ] != w {
			t.Errorf("%d %s lines, want %d", count[typ], typ, w)
		}
	}
	if count["staff"] != 0 {
		t.Errorf("%d staff lines", count["staff"])
	}

	schoolCountry := map[string]string{}
	schoolReg := map[string]time.Time{}
	dupKeys := map[string]string{}
	perCountry := map[string]int{}
	members := map[string]*importer.Member{}
	usernames, emails := map[string]bool{}, map[string]bool{}
	projects := map[string]*importer.Project{}
	projectCountries := map[string]map[string]bool{}
	var twoSchools, otherCountry int
	statuses := map[string]int{}
	var partners, national, labelled, european, lateActivities, withSchool int
	labelledProjects, europeanProjects := map[string]bool{}, map[string]bool{}
	kinds := map[string]int{}
	for _, r := range recs {
		switch r.Type {
		case "school":
			s := r.School
			k := s.Country + "|" + fold.Text(s.City) + "|" + fold.Text(s.Name)
			if other, ok := dupKeys[k]; ok {
				t.Fatalf("schools %s and %s share (country, city, name)", other, s.ID)
			}
			dupKeys[k] = s.ID
			schoolCountry[s.ID] = s.Country
			schoolReg[s.ID] = s.School().RegisteredAt
			perCountry[s.Country]++
		case "member":
			m := r.Member
			if usernames[m.Username] || emails[m.Email] {
				t.Fatalf("member %s: username or e-mail repeated", m.ID)
			}
			usernames[m.Username], emails[m.Email] = true, true
			for _, id := range m.SchoolIDs {
				if _, ok := schoolCountry[id]; !ok {
					t.Fatalf("member %s: school %s not in the file", m.ID, id)
				}
				if m.RegisteredAtTime().Before(schoolReg[id]) {
					t.Errorf("member %s registered before their school %s", m.ID, id)
				}
			}
			if !m.RegisteredAtTime().Before(now.AddDate(-1, 0, 0).Add(time.Second)) {
				t.Errorf("member %s registered %s, less than a year before now", m.ID, m.RegisteredAt)
			}
			if len(m.SchoolIDs) == 2 {
				twoSchools++
				if schoolCountry[m.SchoolIDs[0]] != schoolCountry[m.SchoolIDs[1]] {
					otherCountry++
				}
			}
			members[m.ID] = m
		case "project":
			p := r.Project
			projects[p.ID] = p
			statuses[p.Status]++
			partners += len(p.Partners)
			if len(p.Partners) > 6 {
				t.Errorf("project %s: %d partners", p.ID, len(p.Partners))
			}
			cs := map[string]bool{}
			for _, id := range append(append([]string{}, p.Founders...), p.Partners...) {
				m, ok := members[id]
				if !ok {
					t.Fatalf("project %s: %s is not a member of the file", p.ID, id)
				}
				cs[schoolCountry[m.SchoolIDs[0]]] = true
			}
			projectCountries[p.ID] = cs
			f0, f1 := members[p.Founders[0]], members[p.Founders[1]]
			c0, c1 := schoolCountry[f0.SchoolIDs[0]], schoolCountry[f1.SchoolIDs[0]]
			if len(cs) == 1 {
				national++
			} else if c0 == c1 {
				t.Errorf("project %s: founders of one country %s but partners of others", p.ID, c0)
			}
			created, approved, closed := p.Times()
			if created.Before(f0.RegisteredAtTime()) || created.Before(f1.RegisteredAtTime()) {
				t.Errorf("project %s created %s before a founder registered", p.ID, created)
			}
			switch p.Status {
			case project.Closed:
				if p.CreatedAt == "" || approved.Before(created) || closed.Before(approved) || !closed.Before(now) {
					t.Errorf("closed project %s: created %s approved %s closed %s", p.ID, p.CreatedAt, p.ApprovedAt, p.ClosedAt)
				}
			case project.Approved:
				if p.CreatedAt == "" || approved.Before(created) || !approved.Before(now) || p.ClosedAt != "" {
					t.Errorf("approved project %s: created %s approved %s closed %s", p.ID, p.CreatedAt, p.ApprovedAt, p.ClosedAt)
				}
			case project.AwaitingNSO, project.Rejected:
				if p.ApprovedAt != "" || p.ClosedAt != "" || !created.Before(now) {
					t.Errorf("%s project %s: created %s approved %s closed %s", p.Status, p.ID, p.CreatedAt, p.ApprovedAt, p.ClosedAt)
				}
			default:
				t.Errorf("project %s: status %s", p.ID, p.Status)
			}
		case "label":
			l := r.Label
			p, ok := projects[l.ProjectID]
			if !ok {
				t.Fatalf("label of %s: no such project line", l.ProjectID)
			}
			if p.Status != project.Approved && p.Status != project.Closed {
				t.Errorf("label on %s project %s", p.Status, p.ID)
			}
			founderSchool := false
			for _, f := range p.Founders {
				founderSchool = founderSchool || members[f].SchoolIDs[0] == l.SchoolID
			}
			if !founderSchool {
				t.Errorf("label of %s for %s, not a founder's school", p.ID, l.SchoolID)
			}
			_, approved, closed := p.Times()
			if at := l.AwardedAtTime(); at.Before(approved) || at.Before(closed) || !at.Before(now) {
				t.Errorf("label of %s awarded %s (approved %s, closed %s)", p.ID, l.AwardedAt, p.ApprovedAt, p.ClosedAt)
			}
			labelledProjects[p.ID] = true
			labelled++
			if l.Kind == project.LabelEuropean {
				european++
				europeanProjects[p.ID] = true
				if len(projectCountries[p.ID]) < 2 {
					t.Errorf("European label on national project %s", p.ID)
				}
			}
		case "activity":
			a := r.Activity
			m, ok := members[a.MemberID]
			if !ok {
				t.Fatalf("activity of %s: not a member of the file", a.MemberID)
			}
			if a.SchoolID != "" {
				withSchool++
				if a.SchoolID != m.SchoolIDs[0] && (len(m.SchoolIDs) < 2 || a.SchoolID != m.SchoolIDs[1]) {
					t.Errorf("activity of %s at %s, not one of their schools", a.MemberID, a.SchoolID)
				}
			}
			if at := a.AtTime(); at.Before(now.AddDate(-3, 0, 0)) || !at.Before(now) {
				t.Errorf("activity at %s, not within the 3 years before %s", a.At, now)
			}
			if a.AtTime().Before(m.RegisteredAtTime()) {
				lateActivities++
			}
			kinds[a.Kind]++
		}
	}
	for _, c := range []string{"RO", "FR", "DE", "PL", "ES", "IT"} {
		if perCountry[c] < n/10/6 {
			t.Errorf("%d schools in %s", perCountry[c], c)
		}
	}
	f := func(a, b int) float64 { return float64(a) / float64(b) }
	np := count["project"]
	between(t, "members in two schools", f(twoSchools, n), 0.07, 0.13)
	between(t, "of those, in two countries", f(otherCountry, twoSchools), 0.35, 0.65)
	between(t, "closed projects", f(statuses[project.Closed], np), 0.60, 0.80)
	between(t, "approved projects", f(statuses[project.Approved], np), 0.12, 0.28)
	between(t, "awaiting_nso projects", f(statuses[project.AwaitingNSO], np), 0.01, 0.10)
	between(t, "rejected projects", f(statuses[project.Rejected], np), 0.01, 0.10)
	between(t, "partners per project", f(partners, np), 1.6, 2.5)
	between(t, "national projects", f(national, np), 0.04, 0.18)
	done := statuses[project.Closed] + statuses[project.Approved]
	between(t, "labelled projects of the approved and closed", f(len(labelledProjects), done), 0.20, 0.40)
	between(t, "projects with a European label, of the approved and closed", f(len(europeanProjects), done), 0.04, 0.16)
	between(t, "activities naming a school", f(withSchool, count["activity"]), 0.4, 0.6)
	between(t, "activities before their member registered", f(lateActivities, count["activity"]), 0, 0.01)
	for _, k := range []string{"professional_development", "project", "other"} {
		between(t, "activities of kind "+k, f(kinds[k], count["activity"]), 0.1, 0.5)
	}
	t.Logf("lines %v; statuses %v; %d labels (%d European); %d partners; %d national projects; %d activities before registration",
		count, statuses, labelled, european, partners, national, lateActivities)
}

// The same arguments give the same bytes; another seed another file; Now moves every time;
// labels without projects are refused.
func TestWriteFileDeterministic(t *testing.T) {
	write := func(seed uint64, opt FileOptions) string {
		var b strings.Builder
		if err := WriteFile(&b, seed, 300, opt); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	a := write(5, FullFile)
	if b := write(5, FullFile); a != b {
		t.Fatal("two runs with the same seed differ")
	}
	if b := write(6, FullFile); a == b {
		t.Fatal("seeds 5 and 6 give the same file")
	}
	moved := FullFile
	moved.Now = DefaultNow.AddDate(1, 0, 0)
	b := write(5, moved)
	if a == b || strings.Count(a, "\n") != strings.Count(b, "\n") {
		t.Fatalf("another now: same file or other line count")
	}
	recs := parseAll(t, []byte(b))
	for _, r := range recs {
		if r.Type == "activity" && r.Activity.AtTime().Before(DefaultNow.AddDate(-2, 0, 0)) {
			t.Fatalf("activity at %s with now %s", r.Activity.At, moved.Now)
		}
	}
	plain := write(5, FileOptions{})
	if got := strings.Count(plain, "\n"); got != 300+30 {
		t.Fatalf("schools and members only: %d lines", got)
	}
	if !strings.HasPrefix(a, plain) {
		t.Fatal("the full file does not start with the same schools and members")
	}
	if err := WriteFile(&strings.Builder{}, 5, 300, FileOptions{Labels: true}); err == nil {
		t.Fatal("labels without projects accepted")
	}
}

// The members of WriteFile are Batch's (same ids, names, languages, profiles), each first
// in a school of their own country; memberCountry is Batch's draw.
func TestWriteFileMembersAreBatch(t *testing.T) {
	const n = 1000
	ms, _ := Batch(4, 0, n)
	ds := newDataset(4, n, time.Time{})
	for i, m := range ms {
		c := &countries[memberCountry(4, i)]
		if c.lang != m.Language {
			t.Fatalf("member %d: memberCountry %s, Batch's language %s", i, c.code, m.Language)
		}
		l := ds.member(i)
		if l.ID != m.MemberID || l.Username != m.Username || l.Email != m.Email || l.FirstName != m.FirstName ||
			l.LastName != m.LastName || l.Language != m.Language || fmt.Sprint(l.Profile) != fmt.Sprint(m.Profile) {
			t.Fatalf("member %d: file %+v, Batch %+v", i, l, m)
		}
		if !strings.Contains(l.SchoolIDs[0], "-"+c.code+"-") {
			t.Fatalf("member %d of %s: first school %s", i, c.code, l.SchoolIDs[0])
		}
	}
}

// WriteJSONL (no set of the schools seen) writes each school once, before the members of
// its batch, and every line parses.
func TestWriteJSONLSchoolsOnce(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteJSONL(&buf, 2, 2500); err != nil {
		t.Fatal(err)
	}
	schools := map[string]bool{}
	members := 0
	for _, r := range parseAll(t, buf.Bytes()) {
		switch r.Type {
		case "school":
			if schools[r.School.ID] {
				t.Fatalf("school %s twice", r.School.ID)
			}
			schools[r.School.ID] = true
		case "member":
			members++
			for _, id := range r.Member.SchoolIDs {
				if !schools[id] {
					t.Fatalf("member %s: school %s not written before", r.Member.ID, id)
				}
			}
		}
	}
	if members != 2500 || len(schools) < 500 {
		t.Fatalf("%d members, %d schools", members, len(schools))
	}
}

// A generated 1,000-member full file imports into DynamoDB Local with no rejected line:
// every line stored, the statistics count its teachers, schools and approved projects, and
// importing it again changes nothing.
func TestGeneratedFileImports(t *testing.T) {
	const n = 1000
	var buf bytes.Buffer
	if err := WriteFile(&buf, 11, n, FullFile); err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(buf.String(), "\n")
	labels := strings.Count(buf.String(), `"type":"label"`)
	approved := strings.Count(buf.String(), `"status":"approved"`)
	schools := strings.Count(buf.String(), `"type":"school"`)
	store := ddb.New(testenv.DDB(), testenv.NewTable(t))
	opt := loader.Options{Workers: 4, Now: time.Now().UTC()}
	rep, err := loader.Load(context.Background(), store, bytes.NewReader(buf.Bytes()), opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rep.Rejected {
		if i < 10 {
			t.Error(r)
		}
	}
	// (labels are reported as stored, not created: they are written as batches)
	if len(rep.Rejected) != 0 || rep.Imported != lines || rep.Created != lines-labels {
		t.Fatalf("%d lines (%d labels): imported %d, created %d, %d rejected", lines, labels, rep.Imported, rep.Created, len(rep.Rejected))
	}
	c, err := store.GetStats(context.Background(), stats.All)
	if err != nil {
		t.Fatal(err)
	}
	if c.Teachers != n || c.Schools != int64(schools) || c.ActiveProjects != int64(approved) {
		t.Fatalf("statistics %+v, want %d teachers, %d schools, %d active projects", c, n, schools, approved)
	}
	again, err := loader.Load(context.Background(), store, bytes.NewReader(buf.Bytes()), opt)
	if err != nil || len(again.Rejected) != 0 || again.Imported != lines || again.Created != 0 || again.Updated != 0 {
		t.Fatalf("second import %+v %v", again, err)
	}
	t.Logf("%d lines (%d labels, %d approved projects) imported", lines, labels, approved)
}

package e2e

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// counts reads GET /v1/stats (country "" for Europe-wide).
func counts(t *testing.T, country string) [3]int {
	t.Helper()
	path := "/v1/stats"
	if country != "" {
		path += "?country=" + country
	}
	r := expect(t, call(t, "GET", path, "", nil), 200)
	return [3]int{int(r.JSON["teachers"].(float64)), int(r.JSON["schools"].(float64)), int(r.JSON["activeProjects"].(float64))}
}

func moved(before, after [3]int) [3]int {
	return [3]int{after[0] - before[0], after[1] - before[1], after[2] - before[2]}
}

// Registrations move the numbers: a new school counts a teacher and a school in its
// country and Europe-wide; a teacher joining it counts a teacher only; a second school
// added from /me counts a school in its own country, not a teacher.
func TestStatsFollowRegistrations(t *testing.T) {
	all, lu, be := counts(t, ""), counts(t, "LU"), counts(t, "BE")
	session, _, schoolID := teacherAccount(t, "Stat", "LU")
	if got := moved(all, counts(t, "")); got != [3]int{1, 1, 0} {
		t.Fatalf("Europe-wide moved by %v after a registration with a new school", got)
	}
	if got := moved(lu, counts(t, "LU")); got != [3]int{1, 1, 0} {
		t.Fatalf("LU moved by %v", got)
	}

	// A second teacher joins the same school: one more teacher, no new school.
	since := time.Now()
	u, mail := unique("join."), unique("join")+"@example.org"
	preRegister(t, "Join", u, mail, "en")
	_, tok := linkToken(t, mail, since)
	expect(t, call(t, "POST", "/v1/registrations/"+tok+"/complete", "", map[string]any{
		"profile": profile(), "school": map[string]any{"existingSchoolId": schoolID}}), 201)
	if got := moved(lu, counts(t, "LU")); got != [3]int{2, 1, 0} {
		t.Fatalf("LU moved by %v after a teacher joined", got)
	}

	// A new school in Belgium added from /me: a school there, no teacher.
	sc := newSchoolBody("Athénée "+unique(""), "Liège "+unique(""))
	sc["country"] = "BE"
	expect(t, call(t, "POST", "/v1/me/schools", session, sc), 201)
	if got := moved(be, counts(t, "BE")); got != [3]int{0, 1, 0} {
		t.Fatalf("BE moved by %v after a school was added", got)
	}
	if got := moved(all, counts(t, "")); got != [3]int{2, 2, 0} {
		t.Fatalf("Europe-wide moved by %v", got)
	}
}

// TestStatsConcurrentRegistrations: 50 registrations completed at once, each with its own
// new school → the counters move by exactly 50 teachers and 50 schools.
func TestStatsConcurrentRegistrations(t *testing.T) {
	const n = 50
	since := time.Now()
	base := unique("crowd")
	toks := make([]string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			mail := fmt.Sprintf("%s-%d@example.org", base, i)
			preRegister(t, "Crowd", fmt.Sprintf("%s.%d", base, i), mail, "en")
			_, toks[i] = linkToken(t, mail, since)
		}(i)
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	all, mt := counts(t, ""), counts(t, "MT")
	codes := make([]int, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sc := newSchoolBody(fmt.Sprintf("Skola %s %d", base, i), "Valletta")
			sc["country"] = "MT"
			codes[i] = call(t, "POST", "/v1/registrations/"+toks[i]+"/complete", "", map[string]any{"profile": profile(), "school": sc}).Status
		}(i)
	}
	wg.Wait()
	for i, c := range codes {
		if c != 201 {
			t.Fatalf("completion %d answered %d", i, c)
		}
	}
	if got := moved(mt, counts(t, "MT")); got != [3]int{n, n, 0} {
		t.Fatalf("MT moved by %v, want %d teachers and %d schools", got, n, n)
	}
	if got := moved(all, counts(t, "")); got != [3]int{n, n, 0} {
		t.Fatalf("Europe-wide moved by %v", got)
	}
}

package e2e

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"etwin/infra/apicontract"
	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/certification"
	"etwin/shared/ddb"
)

// eventBody is a valid POST /v1/events body starting at start (an hour long).
func eventBody(kind, title string, start time.Time, extra map[string]any) map[string]any {
	b := map[string]any{"kind": kind, "title": title, "description": "Învăţare; inovare, şcoli\nA second line.",
		"startsAt": start.UTC().Format(time.RFC3339), "endsAt": start.Add(time.Hour).UTC().Format(time.RFC3339), "language": "en"}
	for k, v := range extra {
		b[k] = v
	}
	return b
}

func createEvent(t *testing.T, tok string, body map[string]any) string {
	t.Helper()
	return expect(t, call(t, "POST", "/v1/events", tok, body), 201).JSON["eventId"].(string)
}

// eventsPages reads every page of a list of events.
func eventsPages(t *testing.T, tok, query string) []string {
	t.Helper()
	var ids []string
	cur := ""
	for range 50 {
		q := query + "&limit=2"
		if cur != "" {
			q += "&cursor=" + cur
		}
		r := expect(t, call(t, "GET", "/v1/events?"+q, tok, nil), 200)
		ids = append(ids, itemIDs(r, "eventId")...)
		next, _ := r.JSON["nextCursor"].(string)
		if next == "" {
			return ids
		}
		cur = next
	}
	t.Fatal("the list does not end")
	return nil
}

// only keeps the ids of want, in their order in got.
func only(got, want []string) []string {
	var out []string
	for _, id := range got {
		if slices.Contains(want, id) {
			out = append(out, id)
		}
	}
	return out
}

// TestEventsCreateAndList: the CSS and an NSO publish (the NSO's event records its
// country), a teacher cannot; the list of a range is in start order, paged, filtered by
// kind and language, the caller's country's events first and everyone else's visible.
func TestEventsCreateAndList(t *testing.T) {
	css, _ := staffAccount(t, "css", "")
	nsoMT, _ := staffAccount(t, "nso", "MT")
	teacherMT, _, _ := teacherAccount(t, "Eve", "MT")
	teacherRO, _, _ := teacherAccount(t, "Eva", "RO")
	// a month of its own far ahead, so that other runs' events stay out of the range
	month := time.Date(2080+rand.IntN(19), time.Month(1+rand.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
	at := func(days int) time.Time { return month.AddDate(0, 0, days).Add(9 * time.Hour) }
	a := createEvent(t, css, eventBody("webinar", "Collaboration in Practice", at(2), map[string]any{"capacity": 10, "url": "https://example.org/a"}))
	b := createEvent(t, nsoMT, eventBody("mooc", "Students as Agents of Change", at(5), map[string]any{"language": "mt"}))
	c := createEvent(t, css, eventBody("f2f_workshop", "Inclusive and Innovative Learning Organisations", at(40), map[string]any{"place": "Valletta, Hall 2"}))
	d := createEvent(t, nsoMT, eventBody("webinar", "Podcast day", at(41), nil))
	mine := []string{a, b, c, d}

	r := expect(t, call(t, "POST", "/v1/events", nsoMT, eventBody("podcast", "P", at(3), nil)), 201)
	if r.JSON["country"] != "MT" || r.JSON["attending"].(float64) != 0 || r.JSON["kind"] != "podcast" {
		t.Fatalf("NSO event: %s", r.Raw)
	}
	mine = append(mine, r.JSON["eventId"].(string))
	p := mine[4]
	r = expect(t, call(t, "POST", "/v1/events", css, eventBody("short_course", "S", at(4), nil)), 201)
	if _, ok := r.JSON["country"]; ok {
		t.Fatalf("a CSS event has no country: %s", r.Raw)
	}
	s := r.JSON["eventId"].(string)
	mine = append(mine, s)
	expect(t, call(t, "POST", "/v1/events", teacherMT, eventBody("webinar", "Mine", at(2), nil)), 403)

	rng := "from=" + month.Format(time.RFC3339) + "&to=" + month.AddDate(0, 2, 0).Format(time.RFC3339)
	// start order for the CSS: a (2) p (3) s (4) b (5) c (40) d (41)
	if got := only(eventsPages(t, css, rng), mine); !slices.Equal(got, []string{a, p, s, b, c, d}) {
		t.Errorf("css: %v, want %v", got, []string{a, p, s, b, c, d})
	}
	// MT's events first for MT's teachers and NSO, then the others, each in start order
	wantMT := []string{p, b, d, a, s, c}
	for _, tok := range []string{teacherMT, nsoMT} {
		if got := only(eventsPages(t, tok, rng), mine); !slices.Equal(got, wantMT) {
			t.Errorf("MT: %v, want %v", got, wantMT)
		}
	}
	if got := only(eventsPages(t, teacherRO, rng), mine); !slices.Equal(got, []string{a, p, s, b, c, d}) {
		t.Errorf("RO teacher: %v", got)
	}
	if got := only(eventsPages(t, teacherRO, rng+"&kind=webinar"), mine); !slices.Equal(got, []string{a, d}) {
		t.Errorf("webinars: %v", got)
	}
	if got := only(eventsPages(t, teacherRO, rng+"&language=mt"), mine); !slices.Equal(got, []string{b}) {
		t.Errorf("language mt: %v", got)
	}
	// a range of the first month only
	first := "from=" + month.Format(time.RFC3339) + "&to=" + month.AddDate(0, 0, 4).Add(9*time.Hour).Format(time.RFC3339)
	if got := only(eventsPages(t, css, first), mine); !slices.Equal(got, []string{a, p}) {
		t.Errorf("[day 0, day 4 09:00): %v", got)
	}
	r = expect(t, call(t, "GET", "/v1/events?"+rng+"&kind=f2f_workshop", teacherRO, nil), 200)
	items := r.JSON["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["place"] != "Valletta, Hall 2" {
		t.Fatalf("f2f: %s", r.Raw)
	}
	// a cursor is bound to its list
	r = expect(t, call(t, "GET", "/v1/events?"+rng+"&limit=1", css, nil), 200)
	cur := r.JSON["nextCursor"].(string)
	expect(t, call(t, "GET", "/v1/events?"+rng+"&kind=mooc&cursor="+cur, css, nil), 400)
	expect(t, call(t, "GET", "/v1/events?"+rng+"&cursor="+cur, teacherRO, nil), 400)
}

// TestEventsBadInput: every bad field of POST /v1/events is named, and every bad
// parameter of the lists.
func TestEventsBadInput(t *testing.T) {
	css, _ := staffAccount(t, "css", "")
	start := time.Now().Add(24 * time.Hour)
	for _, c := range []struct {
		body  any
		field []string
	}{
		{map[string]any{}, []string{"description", "endsAt", "kind", "language", "startsAt", "title"}},
		{eventBody("party", "T", start, nil), []string{"kind"}},
		{eventBody("webinar", "T", start, map[string]any{"startsAt": "2027-03-04 15:00"}), []string{"startsAt"}},
		{eventBody("webinar", "T", start, map[string]any{"endsAt": start.Add(-time.Hour).Format(time.RFC3339)}), []string{"endsAt"}},
		{eventBody("webinar", "T", start, map[string]any{"language": "xx"}), []string{"language"}},
		{eventBody("webinar", "T", start, map[string]any{"capacity": 0}), []string{"capacity"}},
		{eventBody("webinar", "T", start, map[string]any{"url": "javascript:alert(1)"}), []string{"url"}},
		{eventBody("webinar", "T", start, map[string]any{"place": "Hall"}), []string{"place"}},
		{eventBody("f2f_workshop", "T", start, nil), []string{"place"}},
		{eventBody("webinar", "", start, map[string]any{"description": ""}), []string{"description", "title"}},
	} {
		r := expect(t, call(t, "POST", "/v1/events", css, c.body), 422)
		got := fieldsOf(r)
		slices.Sort(got)
		if !slices.Equal(got, c.field) {
			t.Errorf("%v: names %v, want %v", c.body, got, c.field)
		}
	}
	for _, c := range []struct{ body, field string }{
		{`{"kind":"webinar","capacity":"ten"}`, "capacity"},
		{`{"kind":"webinar","colour":"red"}`, "colour"},
	} {
		r := expect(t, call(t, "POST", "/v1/events", css, c.body), 400)
		if !slices.Contains(fieldsOf(r), c.field) {
			t.Errorf("%s: names %v", c.body, fieldsOf(r))
		}
	}
	expect(t, call(t, "POST", "/v1/events", css, `{"kind":`), 400)
	for _, q := range []struct{ path, field string }{
		{"/v1/events?kind=party", "kind"}, {"/v1/events?language=xx", "language"}, {"/v1/events?from=yesterday", "from"},
		{"/v1/events?from=2027-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to"},
		{"/v1/events?from=2027-01-01T00:00:00Z&to=2030-01-01T00:00:00Z", "to"},
		{"/v1/events?limit=0", "limit"}, {"/v1/events?cursor=forged.cursor", "cursor"}, {"/v1/events?colour=red", "colour"},
		{"/v1/events.ics?kind=party", "kind"}, {"/v1/events.ics?language=xx", "language"}, {"/v1/events.ics?from=x", "from"},
	} {
		tok := css
		if strings.HasPrefix(q.path, "/v1/events.ics") {
			tok = ""
		}
		r := expect(t, call(t, "GET", q.path, tok, nil), 400)
		if !slices.Contains(fieldsOf(r), q.field) {
			t.Errorf("%s names %v, want %s", q.path, fieldsOf(r), q.field)
		}
	}
	expect(t, call(t, "POST", "/v1/events/evt-nope/attendance", css, nil), 404)
	expect(t, call(t, "DELETE", "/v1/events/evt-nope/attendance", css, nil), 404)
}

// TestEventsAttendance: attend (201), again → 409, full → 409, cancel frees the place,
// cancel again → 404; two teachers at once for the last place: exactly one wins; the
// registration is activity in the school's summary that the eligibility sweep judges.
func TestEventsAttendance(t *testing.T) {
	css, _ := staffAccount(t, "css", "")
	ana, anaID, anaSchool := teacherAccount(t, "Ana", "RO")
	ion, _, _ := teacherAccount(t, "Ion", "RO")
	start := time.Now().Add(10 * 24 * time.Hour).Truncate(time.Second)
	ev := createEvent(t, css, eventBody("webinar", "One place", start, map[string]any{"capacity": 1}))
	path := "/v1/events/" + ev + "/attendance"

	before := time.Now()
	r := expect(t, call(t, "POST", path, ana, nil), 201)
	if r.JSON["eventId"] != ev || r.JSON["memberId"] != anaID {
		t.Fatalf("attendance: %s", r.Raw)
	}
	expect(t, call(t, "POST", path, ana, nil), 409)
	expect(t, call(t, "POST", path, ion, nil), 409) // full
	expect(t, call(t, "DELETE", path, ana, nil), 204)
	expect(t, call(t, "DELETE", path, ana, nil), 404)
	expect(t, call(t, "POST", path, ion, nil), 201) // the freed place
	expect(t, call(t, "DELETE", path, ion, nil), 204)

	// the activity: in Ana's school's summary, and what the sweep's rule counts
	store := ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())
	sum, found, err := store.SchoolSummary(context.Background(), anaSchool)
	if err != nil || !found {
		t.Fatalf("summary: %v %v", found, err)
	}
	got := sum.LastActive[anaID]
	if got.Before(before.Add(-time.Second)) || got.After(time.Now()) {
		t.Fatalf("Ana's latest activity %v (registered at about %v): %+v", got, before, sum.LastActive)
	}
	w := certification.Window{Cutoffs: certification.Cutoffs{RegisteredBefore: time.Now().Add(time.Hour), ActiveSince: before.Add(-time.Minute),
		LabelledFrom: before.AddDate(-2, 0, 0), LabelledTo: time.Now(), MinActiveTeachers: 1}}
	if v := certification.Judge(sum, w, time.Now()); v.Criteria.ActiveTeachers != 1 {
		t.Fatalf("active teachers %d, want 1 (Ana by attending): %+v", v.Criteria.ActiveTeachers, v.Criteria)
	}
	w.Cutoffs.ActiveSince = time.Now().Add(time.Minute)
	if v := certification.Judge(sum, w, time.Now()); v.Criteria.ActiveTeachers != 0 {
		t.Fatalf("active teachers after the activity: %d", v.Criteria.ActiveTeachers)
	}

	// two at once for the last place
	last := createEvent(t, css, eventBody("online_workshop", "Last place", start, map[string]any{"capacity": 1}))
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i, tok := range []string{ana, ion} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = call(t, "POST", "/v1/events/"+last+"/attendance", tok, nil).Status
		}()
	}
	wg.Wait()
	slices.Sort(statuses)
	if !slices.Equal(statuses, []int{201, 409}) {
		t.Fatalf("two at once for the last place: %v, want one 201 and one 409", statuses)
	}
	r = expect(t, call(t, "GET", "/v1/events?kind=online_workshop&from="+start.Add(-time.Minute).UTC().Format(time.RFC3339)+"&to="+start.Add(time.Minute).UTC().Format(time.RFC3339)+"&limit=100", css, nil), 200)
	for _, it := range r.JSON["items"].([]any) {
		if e := it.(map[string]any); e["eventId"] == last && e["attending"].(float64) != 1 {
			t.Fatalf("attending %v", e["attending"])
		}
	}

	// an ended event is closed
	past := createEvent(t, css, eventBody("podcast", "Past", time.Now().Add(-2*time.Hour), nil))
	expect(t, call(t, "POST", "/v1/events/"+past+"/attendance", ana, nil), 409)
}

// TestEventsCalendarFeed: GET /v1/events.ics is public text/calendar that golang-ical
// parses, with one VEVENT per created event (UID <eventId>@etwinning) and its fields.
func TestEventsCalendarFeed(t *testing.T) {
	css, _ := staffAccount(t, "css", "")
	nso, _ := staffAccount(t, "nso", "RO")
	tag := unique("ics")
	start := time.Now().Add(20 * 24 * time.Hour).Truncate(time.Second).UTC()
	long := strings.Repeat("Învăţare inovatoare; şcoli, elevi. ", 6)
	want := map[string]map[string]any{}
	for i, b := range []map[string]any{
		eventBody("webinar", "Webinar "+tag, start, map[string]any{"url": "https://example.org/w?a=1,2"}),
		eventBody("f2f_workshop", "Workshop "+tag+" "+strings.Repeat("Învăţare inovatoare; şcoli, elevi. ", 4), start.Add(time.Hour), map[string]any{"place": "Iaşi; Sala 2, etaj 1"}),
		eventBody("mooc", "MOOC "+tag, start.Add(2*time.Hour), map[string]any{"description": long + "\r\nend"}),
	} {
		tok := css
		if i == 1 {
			tok = nso
		}
		want[createEvent(t, tok, b)] = b
	}
	resp, err := http.Get(testenv.APIURL() + "/v1/events.ics")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	checkContract(t, "GET", "/v1/events.ics", resp, raw)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\r\n"), "\r\n") {
		if len(line) > 75 || strings.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d is not folded (%d octets): %q", i, len(line), line)
		}
	}
	cal, err := ics.ParseCalendar(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("parsing the feed: %v", err)
	}
	if v := cal.CalendarProperties; len(v) == 0 || !strings.Contains(string(raw), "VERSION:2.0\r\n") || !strings.Contains(string(raw), "PRODID:") {
		t.Fatal("no VERSION or PRODID")
	}
	seen := map[string]int{}
	for _, v := range cal.Events() {
		id, ok := strings.CutSuffix(v.Id(), "@etwinning")
		if !ok {
			t.Fatalf("UID %q", v.Id())
		}
		b, mine := want[id]
		if !mine {
			continue
		}
		seen[id]++
		prop := func(p ics.ComponentProperty) string {
			if x := v.GetProperty(p); x != nil {
				return x.Value
			}
			return ""
		}
		s, err1 := v.GetStartAt()
		e, err2 := v.GetEndAt()
		if err1 != nil || err2 != nil || s.Format(time.RFC3339) != b["startsAt"] || e.Format(time.RFC3339) != b["endsAt"] ||
			!strings.HasSuffix(prop(ics.ComponentPropertyDtStart), "Z") || !strings.HasSuffix(prop(ics.ComponentPropertyDtEnd), "Z") {
			t.Errorf("%s: times %q %q", id, prop(ics.ComponentPropertyDtStart), prop(ics.ComponentPropertyDtEnd))
		}
		desc := strings.ReplaceAll(b["description"].(string), "\r\n", "\n")
		if prop(ics.ComponentPropertySummary) != strings.TrimSpace(b["title"].(string)) || prop(ics.ComponentPropertyDescription) != desc ||
			prop(ics.ComponentPropertyDtstamp) == "" {
			t.Errorf("%s: summary %q description %q", id, prop(ics.ComponentPropertySummary), prop(ics.ComponentPropertyDescription))
		}
		if u, _ := b["url"].(string); prop(ics.ComponentPropertyUrl) != u {
			t.Errorf("%s: url %q", id, prop(ics.ComponentPropertyUrl))
		}
		if pl, _ := b["place"].(string); prop(ics.ComponentPropertyLocation) != pl {
			t.Errorf("%s: location %q", id, prop(ics.ComponentPropertyLocation))
		}
	}
	for id := range want {
		if seen[id] != 1 {
			t.Errorf("event %s: %d VEVENTs, want 1", id, seen[id])
		}
	}
	// filters
	resp, err = http.Get(testenv.APIURL() + "/v1/events.ics?kind=mooc")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	cal, err = ics.ParseCalendar(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, v := range cal.Events() {
		id, _ := strings.CutSuffix(v.Id(), "@etwinning")
		if _, mine := want[id]; mine {
			n++
			if want[id]["kind"] != "mooc" {
				t.Errorf("kind=mooc has %s", id)
			}
		}
	}
	if n != 1 {
		t.Errorf("kind=mooc: %d of ours, want 1", n)
	}
}

// TestEventsAuthzMatrix: every route under /v1/events for anonymous, a teacher, an NSO
// and the CSS; it fails when a route of the contract under /v1/events has no row.
func TestEventsAuthzMatrix(t *testing.T) {
	type role string
	roles := []role{"anonymous", "teacher", "nso", "css"}
	tok := map[role]string{}
	tok["teacher"], _, _ = teacherAccount(t, "Matrix", "RO")
	tok["nso"], _ = staffAccount(t, "nso", "RO")
	tok["css"], _ = staffAccount(t, "css", "")
	start := time.Now().Add(30 * 24 * time.Hour)
	fresh := func() string { return createEvent(t, tok["css"], eventBody("webinar", "Matrix", start, nil)) }
	type row struct {
		path   func(role) string
		body   any
		expect map[role]int
	}
	rows := map[string]row{
		"POST /v1/events": {path: func(role) string { return "/v1/events" }, body: eventBody("webinar", "M", start, nil),
			expect: map[role]int{"anonymous": 401, "teacher": 403, "nso": 201, "css": 201}},
		"GET /v1/events": {path: func(role) string { return "/v1/events" },
			expect: map[role]int{"anonymous": 401, "teacher": 200, "nso": 200, "css": 200}},
		"POST /v1/events/{eventId}/attendance": {path: func(role) string { return "/v1/events/" + fresh() + "/attendance" },
			expect: map[role]int{"anonymous": 401, "teacher": 201, "nso": 201, "css": 201}},
		"DELETE /v1/events/{eventId}/attendance": {path: func(r role) string {
			id := fresh()
			if r != "anonymous" {
				expect(t, call(t, "POST", "/v1/events/"+id+"/attendance", tok[r], nil), 201)
			}
			return "/v1/events/" + id + "/attendance"
		}, expect: map[role]int{"anonymous": 401, "teacher": 204, "nso": 204, "css": 204}},
		"GET /v1/events.ics": {path: func(role) string { return "/v1/events.ics" },
			expect: map[role]int{"anonymous": 200, "teacher": 200, "nso": 200, "css": 200}},
	}
	contract, err := apicontract.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range contract.Routes() {
		if _, p, _ := strings.Cut(r, " "); strings.HasPrefix(p, "/v1/events") {
			if _, ok := rows[r]; !ok {
				t.Errorf("no authorization row for %s", r)
			}
		}
	}
	for name, rw := range rows {
		method, _, _ := strings.Cut(name, " ")
		for _, ro := range roles {
			// call checks every answer against the contract, the text/calendar one too
			if got := call(t, method, rw.path(ro), tok[ro], rw.body).Status; got != rw.expect[ro] {
				t.Errorf("%s as %s: %d, want %d", name, ro, got, rw.expect[ro])
			}
		}
	}
}

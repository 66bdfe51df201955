package event

import (
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
)

func ptr[T any](v T) *T { return &v }

func valid() New {
	return New{Kind: KindWebinar, Title: "Collaboration in Practice", Description: "Working with partners.",
		StartsAt: "2027-03-04T15:00:00Z", EndsAt: "2027-03-04T16:00:00+00:00", Language: "en"}
}

func TestValidateNamesEveryBadField(t *testing.T) {
	v := valid()
	if _, _, err := v.Validate(); err != nil {
		t.Fatalf("valid: %v", err)
	}
	cases := []struct {
		name string
		edit func(*New)
		want []string
	}{
		{"empty", func(n *New) { *n = New{} }, []string{"description", "endsAt", "kind", "language", "startsAt", "title"}},
		{"unknown kind", func(n *New) { n.Kind = "party" }, []string{"kind"}},
		{"times not RFC 3339", func(n *New) { n.StartsAt, n.EndsAt = "2027-03-04", "tomorrow" }, []string{"endsAt", "startsAt"}},
		{"end before start", func(n *New) { n.EndsAt = "2027-03-04T14:00:00Z" }, []string{"endsAt"}},
		{"end equals start", func(n *New) { n.EndsAt = n.StartsAt }, []string{"endsAt"}},
		{"too long", func(n *New) { n.EndsAt = "2028-03-05T16:00:00Z" }, []string{"endsAt"}},
		{"year out of range", func(n *New) { n.StartsAt = "1999-03-04T15:00:00Z" }, []string{"startsAt"}},
		{"language", func(n *New) { n.Language = "xx" }, []string{"language"}},
		{"capacity 0", func(n *New) { n.Capacity = ptr(0) }, []string{"capacity"}},
		{"url scheme", func(n *New) { n.URL = ptr("javascript:alert(1)") }, []string{"url"}},
		{"url empty", func(n *New) { n.URL = ptr("") }, []string{"url"}},
		{"place on a webinar", func(n *New) { n.Place = ptr("Bucharest") }, []string{"place"}},
		{"f2f without place", func(n *New) { n.Kind = KindF2FWorkshop }, []string{"place"}},
		{"f2f empty place", func(n *New) { n.Kind, n.Place = KindF2FWorkshop, ptr(" ") }, []string{"place"}},
	}
	for _, c := range cases {
		n := valid()
		c.edit(&n)
		_, _, err := n.Validate()
		if apperr.StatusOf(err) != 422 {
			t.Errorf("%s: %v, want 422", c.name, err)
			continue
		}
		got := apperr.FieldNames(err)
		slices.Sort(got)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: fields %v, want %v", c.name, got, c.want)
		}
	}
	n := valid()
	n.Kind, n.Place, n.Capacity, n.URL = KindF2FWorkshop, ptr(" Iaşi "), ptr(1), ptr("https://example.org/w")
	start, end, err := n.Validate()
	if err != nil {
		t.Fatal(err)
	}
	e := n.Make("evt-1", start, end, "RO", "m1", time.Now())
	if e.Place != "Iaşi" || *e.Capacity != 1 || e.URL != "https://example.org/w" || e.Country != "RO" || !e.EndsAt.Equal(start.Add(time.Hour)) {
		t.Fatalf("made %+v", e)
	}
}

func TestParseFilter(t *testing.T) {
	now := time.Date(2027, 3, 4, 15, 30, 0, 0, time.UTC)
	f, err := ParseFilter("", "", "", "", now)
	if err != nil || !f.From.Equal(time.Date(2027, 3, 4, 0, 0, 0, 0, time.UTC)) || !f.To.Equal(time.Date(2028, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("defaults: %+v %v", f, err)
	}
	f, err = ParseFilter("mooc", "fr", "2027-01-01T00:00:00Z", "2027-02-01T00:00:00+01:00", now)
	if err != nil || f.Kind != "mooc" || f.Language != "fr" || !f.To.Equal(time.Date(2027, 1, 31, 23, 0, 0, 0, time.UTC)) {
		t.Fatalf("given: %+v %v", f, err)
	}
	for _, c := range []struct {
		kind, lang, from, to string
		want                 []string
	}{
		{"x", "xx", "", "", []string{"kind", "language"}},
		{"", "", "yesterday", "", []string{"from"}},
		{"", "", "2027-01-01T00:00:00Z", "2026-01-01T00:00:00Z", []string{"to"}},
		{"", "", "2027-01-01T00:00:00Z", "2029-01-02T00:00:00Z", []string{"to"}},
	} {
		_, err := ParseFilter(c.kind, c.lang, c.from, c.to, now)
		if got := apperr.FieldNames(err); apperr.StatusOf(err) != 400 || !slices.Equal(got, c.want) {
			t.Errorf("%+v: %v %v", c, err, got)
		}
	}
	f, err = FeedFilter("", "", now)
	if err != nil || !f.From.Equal(time.Date(2027, 2, 4, 0, 0, 0, 0, time.UTC)) || !f.To.Equal(time.Date(2028, 3, 4, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("feed: %+v %v", f, err)
	}
}

// TestCalendar writes a feed and reads it back with golang-ical's parser: one VEVENT per
// event with its fields, lines of at most 75 octets ending in CR LF, text escaped.
func TestCalendar(t *testing.T) {
	start := time.Date(2027, 3, 4, 15, 0, 0, 0, time.FixedZone("EET", 2*3600))
	long := strings.Repeat("Învăţare inovatoare; şcoli, elevi\\profesori. ", 8)
	events := []Event{
		{EventID: "evt-1", Kind: KindWebinar, Title: "Students as Agents of Change", Description: "Line one\r\nline two, with; marks",
			StartsAt: start, EndsAt: start.Add(time.Hour), Language: "en", URL: "https://example.org/a?b=c,d", CreatedAt: start},
		{EventID: "evt-2", Kind: KindF2FWorkshop, Title: long, Description: long, StartsAt: start.Add(48 * time.Hour),
			EndsAt: start.Add(50 * time.Hour), Language: "ro", Place: "Sala 2, Iaşi", CreatedAt: start},
	}
	stamp := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	out := Calendar(events, stamp)
	for i, line := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(line) > 75 || strings.ContainsAny(line, "\r\n") {
			t.Fatalf("line %d (%d octets): %q", i, len(line), line)
		}
	}
	if !strings.HasPrefix(out, "BEGIN:VCALENDAR\r\n") || !strings.Contains(out, "PRODID:"+ProductID+"\r\n") || !strings.Contains(out, "VERSION:2.0\r\n") {
		t.Fatalf("header: %q", out[:200])
	}
	if !strings.Contains(out, "DTSTART:20270304T130000Z\r\n") || !strings.Contains(out, `with\; marks`) {
		t.Fatalf("not UTC or not escaped: %s", out)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	got := cal.Events()
	if len(got) != len(events) {
		t.Fatalf("%d events, want %d", len(got), len(events))
	}
	for i, v := range got {
		e := events[i]
		prop := func(p ics.ComponentProperty) string {
			if x := v.GetProperty(p); x != nil {
				return x.Value
			}
			return ""
		}
		s, err1 := v.GetStartAt()
		en, err2 := v.GetEndAt()
		if err1 != nil || err2 != nil || !s.Equal(e.StartsAt) || !en.Equal(e.EndsAt) {
			t.Errorf("%d: times %v %v %v %v", i, s, en, err1, err2)
		}
		if v.Id() != UID(e.EventID) || prop(ics.ComponentPropertySummary) != e.Title ||
			prop(ics.ComponentPropertyDescription) != lineBreaks.Replace(e.Description) ||
			prop(ics.ComponentPropertyUrl) != e.URL || prop(ics.ComponentPropertyLocation) != e.Place ||
			prop(ics.ComponentPropertyDtstamp) != "20270301T000000Z" {
			t.Errorf("%d: %q %q %q %q %q", i, v.Id(), prop(ics.ComponentPropertySummary), prop(ics.ComponentPropertyDescription),
				prop(ics.ComponentPropertyUrl), prop(ics.ComponentPropertyLocation))
		}
	}
}

// FuzzDecodeEvent: the event request decoder with validation never panics and refuses with
// a 4xx; the list filters likewise.
func FuzzDecodeEvent(f *testing.F) {
	f.Add(`{"kind":"webinar","title":"T","description":"D","startsAt":"2027-03-04T15:00:00Z","endsAt":"2027-03-04T16:00:00Z","language":"en"}`)
	f.Add(`{"kind":"f2f_workshop","place":null,"capacity":-1,"url":"ftp://x"}`)
	f.Add(`{"startsAt":"2027-13-40T99:00:00Z","capacity":1e99}`)
	f.Fuzz(func(t *testing.T, body string) {
		var n New
		err := httpapi.DecodeBytes([]byte(body), &n)
		if err == nil {
			_, _, err = n.Validate()
		}
		if err != nil {
			if st := apperr.StatusOf(err); st < 400 || st > 499 {
				t.Fatalf("%q: %v", body, err)
			}
		}
		if _, err := ParseFilter(body, body, body, body, time.Now()); err != nil && apperr.StatusOf(err) != 400 {
			t.Fatalf("filter %q: %v", body, err)
		}
	})
}

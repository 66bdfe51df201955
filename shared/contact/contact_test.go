package contact

import (
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
	"etwin/shared/member"
)

func TestCreateInputValidate(t *testing.T) {
	for _, c := range []struct {
		id string
		ok bool
	}{{"m-abc", true}, {"", false}, {"m abc", false}, {"x/../y", false}, {string(make([]byte, 65)), false}} {
		err := (&CreateInput{MemberID: c.id}).Validate()
		if (err == nil) != c.ok {
			t.Errorf("%q: %v", c.id, err)
		}
		if err != nil {
			e, _ := apperr.As(err)
			if e.Status != 422 || e.Fields[0].Field != "memberId" {
				t.Errorf("%q: %+v", c.id, e)
			}
		}
	}
}

func TestParseDirection(t *testing.T) {
	for in, want := range map[string]string{"": Incoming, "incoming": Incoming, "outgoing": Outgoing} {
		if got, err := ParseDirection(in); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	for _, bad := range []string{"Incoming", "both", "in"} {
		_, err := ParseDirection(bad)
		if e, ok := apperr.As(err); !ok || e.Status != 400 || e.Fields[0].Field != "direction" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func TestDayAndRetryAfter(t *testing.T) {
	late := time.Date(2026, 11, 22, 23, 59, 30, 0, time.FixedZone("EET", 2*3600))
	if Day(late) != "2026-11-22" {
		t.Fatalf("Day uses UTC: %s", Day(late))
	}
	if s := UntilTomorrow(time.Date(2026, 11, 22, 23, 59, 30, 0, time.UTC)); s != 31 {
		t.Fatalf("UntilTomorrow: %d", s)
	}
}

func TestPersonOfCountry(t *testing.T) {
	m := member.Member{MemberID: "m-1", FirstName: "Ana", LastName: "Pop", Schools: []member.SchoolRef{{SchoolID: "s", Country: "FR"}}}
	if p := PersonOf(m); p.Country != "FR" || p.FirstName != "Ana" {
		t.Fatalf("%+v", p)
	}
	m.Country = "RO"
	if p := PersonOf(m); p.Country != "RO" {
		t.Fatalf("%+v", p)
	}
}

// FuzzDecodeContact: the contact request decoder with validation never panics and
// refuses with a 4xx naming a field.
func FuzzDecodeContact(f *testing.F) {
	f.Add(`{"memberId":"m-abc"}`)
	f.Add(`{"memberId":5}`)
	f.Add(`{"memberId":"","memberId":"x"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in CreateInput
		err := httpapi.DecodeBytes([]byte(body), &in)
		if err == nil {
			err = in.Validate()
		}
		if err == nil {
			return
		}
		e, ok := apperr.As(err)
		if !ok || e.Status < 400 || e.Status > 499 || (e.Status != 413 && len(e.Fields) == 0) {
			t.Fatalf("%q: %v", body, err)
		}
	})
}

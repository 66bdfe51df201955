package room

import (
	"slices"
	"strings"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
)

// FuzzDecodeRoom: the room request decoders with validation (and the list filter) never
// panic and refuse with a 4xx.
func FuzzDecodeRoom(f *testing.F) {
	f.Add(`{"title":"Apa în școli","description":"","language":"ro","tags":["apă","stem"],"open":true}`)
	f.Add(`{"title":null,"tags":[]}`)
	f.Add(`{"memberId":"m-1"}`)
	f.Add(`{"body":"Salut"}`)
	f.Fuzz(func(t *testing.T, body string) {
		check := func(err error) {
			if err != nil {
				if st := apperr.StatusOf(err); st < 400 || st > 499 {
					t.Fatalf("%q: %v", body, err)
				}
			}
		}
		var n NewRoom
		err := httpapi.DecodeBytes([]byte(body), &n)
		if err == nil {
			err = n.Validate()
		}
		check(err)
		var i InvitationInput
		err = httpapi.DecodeBytes([]byte(body), &i)
		if err == nil {
			err = i.Validate()
		}
		check(err)
		var p PostInput
		err = httpapi.DecodeBytes([]byte(body), &p)
		if err == nil {
			err = p.Validate()
		}
		check(err)
		_, err = ParseFilter(body, body)
		check(err)
	})
}

func TestNewRoomNamesEveryBadField(t *testing.T) {
	n := NewRoom{Title: " ab ", Description: strings.Repeat("d", MaxDescription+1), Language: "xx",
		Tags: []string{"Apă", "ok", "ok", "two words", strings.Repeat("a", MaxTag+1)}}
	got := apperr.FieldNames(n.Validate())
	want := []string{"title", "description", "language", "tags.0", "tags.2", "tags.3", "tags.4"}
	if !slices.Equal(got, want) {
		t.Fatalf("fields %v, want %v", got, want)
	}
	ok := NewRoom{Title: "Apă în școli", Language: "ro", Tags: []string{"apă", "stem-2"}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := apperr.FieldNames((&NewRoom{Title: "Room", Language: "en", Tags: make([]string, MaxTags+1)}).Validate()); !slices.Equal(got, []string{"tags"}) {
		t.Fatalf("too many tags: %v", got)
	}
}

func TestRoomAs(t *testing.T) {
	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	r := Room{Creator: Person{MemberID: "c"}, ExpiresAt: now}
	cases := []struct {
		a    Access
		who  string
		want string
	}{
		{Access{Participant: true}, "c", Creator},
		{Access{Participant: true}, "p", Participant},
		{Access{Invitation: InvitePending}, "i", Invited},
		{Access{Invitation: InviteDeclined}, "d", None},
		{Access{}, "c", None}, // a creator who is no participant (never happens) is no creator
	}
	for _, c := range cases {
		if got := r.As(c.a, c.who, now); got.Membership != c.want || !got.Expired {
			t.Errorf("%+v as %s: %s expired=%v", c.a, c.who, got.Membership, got.Expired)
		}
	}
	if r.As(Access{}, "x", now.Add(-time.Nanosecond)).Expired {
		t.Error("expired before ExpiresAt")
	}
}

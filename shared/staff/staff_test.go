package staff

import (
	"encoding/json"
	"fmt"
	"testing"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
	"etwin/shared/principal"
)

func TestValidate(t *testing.T) {
	good := Input{Username: "nso-ro", Email: "nso@example.ro", FirstName: "Ioana", LastName: "Marin", Role: "nso", Country: "RO", Language: "ro"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		edit func(*Input)
		want string
	}{
		{func(in *Input) { in.Role = "admin" }, "[role]"},
		{func(in *Input) { in.Role = "" }, "[role]"},
		{func(in *Input) { in.Country = "" }, "[country]"},
		{func(in *Input) { in.Country = "XX" }, "[country]"},
		{func(in *Input) { in.Role = "css" }, "[country]"},
		{func(in *Input) { in.Username = "a b" }, "[username]"},
		{func(in *Input) { in.Email = "nope" }, "[email]"},
		{func(in *Input) { in.Language = "klingon" }, "[language]"},
	} {
		in := good
		c.edit(&in)
		if got := fmt.Sprint(apperr.FieldNames(in.Validate())); got != c.want {
			t.Errorf("%+v: %s, want %s", in, got, c.want)
		}
	}
}

func TestOnlyCSSCreates(t *testing.T) {
	s := &Service{}
	for _, role := range []string{"teacher", "nso"} {
		_, err := s.Create(t.Context(), principal.Principal{MemberID: "m-1", Role: role}, Input{})
		if apperr.StatusOf(err) != 403 {
			t.Errorf("%s: %v", role, err)
		}
	}
}

// FuzzDecodeStaff: the decoder never panics and accepts only what validates or names a field.
func FuzzDecodeStaff(f *testing.F) {
	f.Add(`{"username":"nso-ro","email":"a@b.ro","firstName":"A","lastName":"B","role":"nso","country":"RO","language":"ro"}`)
	f.Add(`{"role":7}`)
	f.Add(`{"username":"a","username":"b"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in Input
		err := httpapi.DecodeBytes([]byte(body), &in)
		if err != nil {
			if s := apperr.StatusOf(err); s < 400 || s >= 500 {
				t.Fatalf("decode error with status %d", s)
			}
			return
		}
		if !json.Valid([]byte(body)) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		if err := in.Validate(); err != nil {
			if e, ok := apperr.As(err); !ok || len(e.Fields) == 0 {
				t.Fatalf("validation error without fields: %v", err)
			}
		}
	})
}

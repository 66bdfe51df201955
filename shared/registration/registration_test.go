package registration

import (
	"strings"
	"testing"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
)

func fields(err error) map[string]bool {
	out := map[string]bool{}
	if e, ok := apperr.As(err); ok {
		for _, f := range e.Fields {
			out[f.Field] = true
		}
	}
	return out
}

func TestStartValidate(t *testing.T) {
	ok := StartInput{FirstName: "Ana", LastName: "Pop", Email: "ana@example.org", Username: "ana.pop", Password: "a long enough secret", Language: "ro"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid form refused: %v", err)
	}
	cases := []struct {
		mutate func(*StartInput)
		field  string
	}{
		{func(s *StartInput) { s.FirstName = "" }, "firstName"},
		{func(s *StartInput) { s.LastName = strings.Repeat("x", 101) }, "lastName"},
		{func(s *StartInput) { s.Email = "not-an-address" }, "email"},
		{func(s *StartInput) { s.Email = "Ana <ana@example.org>" }, "email"},
		{func(s *StartInput) { s.Username = "ab" }, "username"},
		{func(s *StartInput) { s.Username = "ana pop" }, "username"},
		{func(s *StartInput) { s.Password = "short" }, "password"},
		{func(s *StartInput) { s.Password = "password1234" }, "password"},
		{func(s *StartInput) { s.Password = "ana.pop" + "ana.pop" }, ""},
		{func(s *StartInput) { s.Language = "xx" }, "language"},
		{func(s *StartInput) { s.FirstName = "A\x00na" }, "firstName"},
	}
	for i, c := range cases {
		in := ok
		c.mutate(&in)
		err := in.Validate()
		if c.field == "" {
			if err != nil {
				t.Errorf("case %d: refused %v", i, err)
			}
			continue
		}
		if apperr.StatusOf(err) != 422 || !fields(err)[c.field] {
			t.Errorf("case %d: want 422 naming %s, got %v", i, c.field, err)
		}
	}
}

func TestCompleteValidate(t *testing.T) {
	body := `{"profile":{"role":"teacher","subjects":["mathematics"],"ageGroups":["12-15"],"projectExperience":"none","interests":["stem"],"languages":["ro","en"]},
	"school":{"name":"Liceul Teoretic Ion Creangă","country":"RO","city":"Iași","address":"Str. Arcu 4","postalCode":"700125","schoolType":"upper_secondary","phone":"+40 232 000000","email":"office@example.ro","headTeacher":"Maria Ionescu","pupils":800}}`
	var in CompleteInput
	if err := httpapi.DecodeBytes([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	if err := in.Validate(); err != nil {
		t.Fatalf("valid form refused: %v", err)
	}
	in.Profile.AgeGroups = []string{"adults"}
	in.School.Country = "XX"
	zero := 0
	in.School.Pupils = &zero
	in.School.Website = "ftp://x"
	got := fields(in.Validate())
	for _, f := range []string{"profile.ageGroups.0", "school.country", "school.pupils", "school.website"} {
		if !got[f] {
			t.Errorf("expected %s among %v", f, got)
		}
	}
	var empty CompleteInput
	got = fields(empty.Validate())
	if !got["profile"] || !got["school"] {
		t.Errorf("missing sections not named: %v", got)
	}
}

// FuzzDecodeStart and FuzzDecodeComplete: the request decoders with validation never
// panic, and refuse with a 4xx naming a field.
func FuzzDecodeStart(f *testing.F) {
	f.Add(`{"firstName":"Ana","lastName":"Pop","email":"a@b.ro","username":"ana","password":"0123456789abc","language":"ro"}`)
	f.Add(`{"firstName":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in StartInput
		err := httpapi.DecodeBytes([]byte(body), &in)
		if err == nil {
			err = in.Validate()
		}
		checkRefusal(t, body, err)
	})
}

func FuzzDecodeComplete(f *testing.F) {
	f.Add(`{"profile":{"role":"teacher","subjects":["mathematics"]},"school":{"existingSchoolId":"s-1"}}`)
	f.Add(`{"school":{"pupils":-1,"name":"x"}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in CompleteInput
		err := httpapi.DecodeBytes([]byte(body), &in)
		if err == nil {
			err = in.Validate()
		}
		checkRefusal(t, body, err)
	})
}

func checkRefusal(t *testing.T, body string, err error) {
	if err == nil {
		return
	}
	e, ok := apperr.As(err)
	if !ok || e.Status < 400 || e.Status > 499 {
		t.Fatalf("%q: %v", body, err)
	}
	if e.Status != 413 && len(e.Fields) == 0 {
		t.Fatalf("%q: refusal names no field: %v", body, err)
	}
}

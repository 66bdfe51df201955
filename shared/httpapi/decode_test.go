package httpapi

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"etwin/shared/apperr"
)

type inner struct {
	Country string `json:"country"`
	Pupils  *int   `json:"pupils"`
}

type sample struct {
	Name   string   `json:"name"`
	Tags   []string `json:"tags"`
	School *inner   `json:"school"`
	Items  []inner  `json:"items"`
}

func decodeErr(t *testing.T, body string) *apperr.Error {
	t.Helper()
	var s sample
	err := Decode(&Request{Body: body}, &s)
	if err == nil {
		t.Fatalf("Decode(%q) accepted", body)
	}
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("Decode(%q) returned a non-API error %v", body, err)
	}
	return e
}

func TestDecodeAcceptsValid(t *testing.T) {
	var s sample
	err := Decode(&Request{Body: `{"name":"Ana","tags":["a"],"school":{"country":"RO","pupils":3},"items":[{"country":"FR"}]}`}, &s)
	if err != nil || s.Name != "Ana" || *s.School.Pupils != 3 || s.Items[0].Country != "FR" {
		t.Fatalf("valid body refused or misread: %v %+v", err, s)
	}
	raw := base64.StdEncoding.EncodeToString([]byte(`{"name":"B"}`))
	if err := Decode(&Request{Body: raw, IsBase64Encoded: true}, &s); err != nil || s.Name != "B" {
		t.Fatalf("base64 body: %v", err)
	}
}

func TestDecodeRejections(t *testing.T) {
	cases := []struct {
		body   string
		status int
		field  string
	}{
		{``, 400, "body"},
		{`{"name":`, 400, "body"},
		{`[1,2]`, 400, "body"},
		{`"text"`, 400, "body"},
		{`{"name":"a"} {"name":"b"}`, 400, "body"},
		{`{"name":"a","name":"b"}`, 400, "name"},
		{`{"school":{"country":"RO","country":"FR"}}`, 400, "school.country"},
		{`{"nam":"a"}`, 400, "nam"},
		{`{"Name":"a"}`, 400, "Name"},
		{`{"school":{"city":"x"}}`, 400, "school.city"},
		{`{"items":[{"country":"RO"},{"bogus":1}]}`, 400, "items.1.bogus"},
		{`{"name":5}`, 400, "name"},
		{`{"tags":"a"}`, 400, "tags"},
		{`{"school":{"pupils":"many"}}`, 400, "school.pupils"},
		{`{"school":{"pupils":1.5}}`, 400, "school.pupils"},
		{`{"name":"` + strings.Repeat("x", MaxBody) + `"}`, 413, ""},
	}
	for _, c := range cases {
		e := decodeErr(t, c.body)
		if e.Status != c.status {
			t.Errorf("%.60q: status %d, want %d", c.body, e.Status, c.status)
		}
		if c.field != "" && (len(e.Fields) == 0 || e.Fields[0].Field != c.field) {
			t.Errorf("%.60q: fields %+v, want %q", c.body, e.Fields, c.field)
		}
	}
}

func TestDecodeContentType(t *testing.T) {
	var s sample
	err := Decode(&Request{Body: `{}`, Headers: map[string]string{"content-type": "text/plain"}}, &s)
	if apperr.StatusOf(err) != http.StatusUnsupportedMediaType {
		t.Fatalf("text/plain: %v", err)
	}
	err = Decode(&Request{Body: `{}`, Headers: map[string]string{"content-type": "application/json; charset=utf-8"}}, &s)
	if err != nil {
		t.Fatalf("application/json with charset refused: %v", err)
	}
}

func TestProblemResponse(t *testing.T) {
	r := ProblemResponse(apperr.Invalid(apperr.FieldError{Field: "email", Message: "required"}))
	if r.StatusCode != 422 || r.Headers["Content-Type"] != "application/problem+json" ||
		!strings.Contains(r.Body, `"field":"email"`) || !strings.Contains(r.Body, `"status":422`) {
		t.Fatalf("problem: %+v", r)
	}
	r = ProblemResponse(errSecret{})
	if r.StatusCode != 500 || strings.Contains(r.Body, "secret") {
		t.Fatalf("an internal error leaked: %+v", r)
	}
}

type errSecret struct{}

func (errSecret) Error() string { return "secret table name" }

// FuzzDecode: no input makes the decoder panic, and every refusal is a 4xx API error.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"a"}`, `{"school":{"pupils":1}}`, `{"a":1,"a":2}`, `[`, `{"items":[{}]}`, "\x00", `{"name":"\u00e9"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var s sample
		err := Decode(&Request{Body: body}, &s)
		if err == nil {
			return
		}
		if st := apperr.StatusOf(err); st < 400 || st > 499 {
			t.Fatalf("Decode(%q) = status %d", body, st)
		}
	})
}

package httpapi

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"etwin/shared/apperr"
)

type named struct {
	Name string `json:"name"`
}

func TestDecodeBase64Body(t *testing.T) {
	var s named
	raw := base64.StdEncoding.EncodeToString([]byte(`{"name":"B"}`))
	if err := Decode(&Request{Body: raw, IsBase64Encoded: true}, &s); err != nil || s.Name != "B" {
		t.Fatalf("base64 body: %v", err)
	}
	if err := Decode(&Request{Body: "%%%", IsBase64Encoded: true}, &s); apperr.StatusOf(err) != 400 {
		t.Fatalf("bad base64: %v", err)
	}
}

func TestDecodeContentType(t *testing.T) {
	var s named
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

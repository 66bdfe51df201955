package resource

import (
	"strings"
	"testing"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
)

func TestURLProblem(t *testing.T) {
	good := []string{"https://example.org", "http://example.org/a?b=c#d", "https://xn--e1afmkfd.xn--p1ai/ș"}
	for _, u := range good {
		if p := URLProblem(u); p != "" {
			t.Errorf("%q refused: %s", u, p)
		}
	}
	bad := []string{"", "javascript:alert(1)", "ftp://example.org/file", "https://", "http:///path", "example.org",
		"https://exa mple.org", "https://user:pw@example.org", "data:text/html,hi", "https://example.org/" + strings.Repeat("a", MaxURL),
		"//example.org", "https://example.org/\n"}
	for _, u := range bad {
		if URLProblem(u) == "" {
			t.Errorf("%q accepted", u)
		}
	}
}

func TestValidateAndFilter(t *testing.T) {
	n := New{Title: "Ciclul apei", Description: "Fişe", Theme: "environment", Language: "ro", URL: "https://example.org"}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	bad := n
	bad.Theme, bad.Language, bad.URL, bad.Title = "nope", "xx", "ftp://example.org", ""
	e, ok := apperr.As(bad.Validate())
	if !ok || e.Status != 422 || len(e.Fields) != 4 {
		t.Fatalf("invalid resource: %+v", e)
	}
	if _, err := ParseFilter("nope", ""); apperr.StatusOf(err) != 400 {
		t.Fatalf("unknown theme: %v", err)
	}
	if e, _ := apperr.As(func() error { _, err := ParseFilter("", "xx"); return err }()); e == nil || e.Fields[0].Field != "language" {
		t.Fatalf("unknown language: %v", e)
	}
	f, err := ParseFilter("environment", "")
	if err != nil || !f.Matches(&Resource{Theme: "environment", Language: "en"}) || f.Matches(&Resource{Theme: "art"}) {
		t.Fatalf("filter: %+v %v", f, err)
	}
}

// FuzzDecodeResource: the resource decoder with validation never panics and refuses with
// a 4xx.
func FuzzDecodeResource(f *testing.F) {
	f.Add(`{"title":"T","description":"D","theme":"art","language":"ro","url":"https://example.org"}`)
	f.Add(`{"url":"javascript:alert(1)"}`)
	f.Fuzz(func(t *testing.T, body string) {
		var n New
		err := httpapi.DecodeBytes([]byte(body), &n)
		if err == nil {
			err = n.Validate()
		}
		if err != nil {
			if st := apperr.StatusOf(err); st < 400 || st > 499 {
				t.Fatalf("%q: %v", body, err)
			}
		}
	})
}

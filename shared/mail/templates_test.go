package mail

import (
	"strings"
	"testing"
)

// TestEveryTemplateParsesAndHasASubject: templates are parsed on first use, so a broken
// one no longer stops every function at init; this test is what catches it. Every
// language has every kind, each as a text and an HTML part.
func TestEveryTemplateParsesAndHasASubject(t *testing.T) {
	all, err := templates()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for key := range all {
		lang, kind, _ := strings.Cut(key, "/")
		kinds[kind]++
		if _, err := all[key](); err != nil {
			t.Errorf("%s: %v", key, err)
			continue
		}
		m, err := Render(Envelope{Kind: kind, Lang: lang, To: "ana@example.org", Data: map[string]string{"FirstName": "Ana"}, Link: "/x"}, "https://p")
		if err != nil || m.Subject == "" || m.HTML == "" {
			t.Errorf("%s: %v, subject %q", key, err, m.Subject)
		}
	}
	if len(kinds) < 15 {
		t.Errorf("only %d kinds of mail: %v", len(kinds), kinds)
	}
	for kind, n := range kinds {
		if n != len(Languages(RegistrationLink)) {
			t.Errorf("%s in %d languages", kind, n)
		}
	}
}

package mail

import (
	"sort"
	"strings"
	"testing"
	"time"
)

func TestEveryKindInEveryLanguage(t *testing.T) {
	for _, kind := range []string{RegistrationLink, AccountExists, PasswordReset} {
		langs := Languages(kind)
		sort.Strings(langs)
		if strings.Join(langs, ",") != "en,ro" {
			t.Errorf("%s: languages %v, want en and ro", kind, langs)
		}
		for _, lang := range langs {
			m, err := Render(Envelope{Kind: kind, Lang: lang, To: "ana@example.org",
				Data: map[string]string{"FirstName": "Ana <b>", "Username": "ana"}, Link: "/x?token=abc&y=1",
				Times: map[string]time.Time{"Expires": time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}}, "https://portal.example/")
			if err != nil {
				t.Fatalf("%s/%s: %v", lang, kind, err)
			}
			if m.Subject == "" || !strings.Contains(m.Text, "https://portal.example/x?token=abc&y=1") {
				t.Errorf("%s/%s: subject %q, text lacks the link", lang, kind, m.Subject)
			}
			if !strings.Contains(m.HTML, "token=abc&amp;y=1") || strings.Contains(m.HTML, "<b>") {
				t.Errorf("%s/%s: HTML part not escaped properly: %s", lang, kind, m.HTML)
			}
		}
	}
}

func TestFallbackAndBadAddress(t *testing.T) {
	m, err := Render(Envelope{Kind: PasswordReset, Lang: "xx", To: "a@example.org", Link: "/x"}, "https://p")
	if err != nil || !strings.Contains(m.Subject, "password") {
		t.Fatalf("fallback to English failed: %v %q", err, m.Subject)
	}
	if _, err := Render(Envelope{Kind: PasswordReset, Lang: "en", To: "not an address"}, "https://p"); err == nil {
		t.Fatal("a bad address was accepted")
	}
}

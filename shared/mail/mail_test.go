package mail

import (
	"sort"
	"strings"
	"testing"
)

func TestEveryKindInEveryLanguage(t *testing.T) {
	for _, kind := range []string{RegistrationLink, AccountExists, PasswordReset} {
		langs := Languages(kind)
		sort.Strings(langs)
		if strings.Join(langs, ",") != "en,ro" {
			t.Errorf("%s: languages %v, want en and ro", kind, langs)
		}
		for _, lang := range langs {
			m, err := Render(kind, lang, "ana@example.org", map[string]string{
				"FirstName": "Ana <b>", "Link": "https://portal.example/x?token=abc&y=1", "Expires": "1 Jan", "Username": "ana"})
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
	m, err := Render(PasswordReset, "fr", "a@example.org", map[string]string{"Link": "https://x"})
	if err != nil || !strings.Contains(m.Subject, "password") {
		t.Fatalf("fallback to English failed: %v %q", err, m.Subject)
	}
	if _, err := Render(PasswordReset, "en", "not an address", nil); err == nil {
		t.Fatal("a bad address was accepted")
	}
}

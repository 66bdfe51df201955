package mail

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"
)

// The languages of the countries that the demo data and the NSOs cover.
var wantLanguages = []string{"de", "en", "es", "fr", "it", "pl", "ro"}

// kinds are the kinds of e-mail that exist (templates/en), sorted.
func kinds(t *testing.T) []string {
	t.Helper()
	all, err := templates()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for key := range all {
		if lang, kind, _ := strings.Cut(key, "/"); lang == DefaultLanguage {
			out = append(out, kind)
		}
	}
	if len(out) < 15 {
		t.Fatalf("only %d kinds of mail: %v", len(out), out)
	}
	return out
}

// phrase is a language's words of the layout (common.tmpl's define name), as text.
func phrase(t *testing.T, lang, name string) string {
	t.Helper()
	return phraseOf(t, lang, name, nil)
}

func phraseOf(t *testing.T, lang, name string, data any) string {
	t.Helper()
	all, _ := templates()
	s, err := all[lang+"/"+PasswordReset]()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := s.text.ExecuteTemplate(&b, name, data); err != nil || b.Len() == 0 {
		t.Fatalf("%s/%s: %v %q", lang, name, err, b.String())
	}
	return b.String()
}

func isStranger(kind string) bool {
	return kind == RegistrationLink || kind == AccountExists || kind == PasswordReset || kind == ResetNoAccount
}

// TestEveryKindInEveryLanguage: templates are parsed on first use, so a broken one does
// not stop every function at init; this test is what catches it. Every kind renders in
// every language, in that language, in the layout, with the link and the right footer.
func TestEveryKindInEveryLanguage(t *testing.T) {
	for _, kind := range kinds(t) {
		langs := Languages(kind)
		if strings.Join(langs, ",") != strings.Join(wantLanguages, ",") {
			t.Errorf("%s: languages %v, want %v", kind, langs, wantLanguages)
		}
		for _, lang := range langs {
			e := Envelope{Kind: kind, Lang: lang, To: "ana@example.org", Country: "RO",
				Data:     map[string]string{"FirstName": "Ana <b>", "Username": "ana", "Role": "NSO", "ActorName": "Ion & <i>Pop</i>"},
				Link:     "/x?token=abc&y=1",
				Times:    map[string]time.Time{"Expires": time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)},
				Stranger: isStranger(kind), Notification: strings.HasPrefix(kind, "notify_")}
			m, err := Render(e, Links{Portal: "https://portal.example/"})
			if err != nil {
				t.Fatalf("%s/%s: %v", lang, kind, err)
			}
			why := "why_account"
			switch {
			case e.Notification:
				why = "why_notification"
			case e.Stranger:
				why = "why_stranger"
			}
			footer := phrase(t, lang, why)
			if m.To != "ana@example.org" || m.Subject == "" || strings.ContainsAny(m.Subject, "\r\n") || utf8.RuneCountInString(m.Subject) > MaxSubject {
				t.Errorf("%s/%s: to %q, subject %q", lang, kind, m.To, m.Subject)
			}
			if !strings.Contains(m.Text, "\nhttps://portal.example/x?token=abc&y=1\n") || !strings.Contains(m.Text, footer) ||
				!strings.HasPrefix(m.Text, phraseOf(t, lang, "greeting", e.Data)+"\n\n") {
				t.Errorf("%s/%s: the text part lacks the link, the greeting or the footer %q:\n%s", lang, kind, footer, m.Text)
			}
			if !strings.Contains(m.HTML, `href="https://portal.example/x?token=abc&amp;y=1"`) || !strings.Contains(m.HTML, `<html lang="`+lang+`">`) ||
				!strings.Contains(m.HTML, escapeHTML(footer)) || !strings.Contains(m.HTML, "Ana &lt;b&gt;") ||
				strings.Contains(m.HTML, "<b>") || strings.Contains(m.HTML, "<i>") {
				t.Errorf("%s/%s: the HTML part lacks the escaped link, the language or the footer, or does not escape:\n%s", lang, kind, m.HTML)
			}
			for _, part := range []string{m.Subject, m.Text, m.HTML} {
				if strings.Contains(part, "<no value>") || strings.Contains(part, "{{") || strings.Contains(part, "ZgotmplZ") {
					t.Errorf("%s/%s: a field is missing: %s", lang, kind, part)
				}
			}
			if e.Notification != (m.Headers != nil) {
				t.Errorf("%s/%s: headers %v", lang, kind, m.Headers)
			}
		}
	}
}

// escapeHTML escapes s as html/template does in text.
func escapeHTML(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;", "+", "&#43;").Replace(s)
}

func TestLayout(t *testing.T) {
	m, err := Render(Envelope{Kind: PasswordReset, Lang: "en", To: "ana@example.org", Data: map[string]string{"FirstName": "Ana", "Username": "ana"},
		Link: "/password-reset?token=t", Times: map[string]time.Time{"Expires": time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)}, Stranger: true}, Links{Portal: "https://p.example"})
	if err != nil {
		t.Fatal(err)
	}
	want := `Hello Ana,

A new password was requested for your eTwinning account (ana). Choose it with the button below.

Choose a new password:
https://p.example/password-reset?token=t

The link works once and expires on 15 January 2027, 10:00 (UTC). Choosing a new password signs you out everywhere.

If you did not ask for this, ignore this e-mail: your password is unchanged.

The eTwinning team

---
You get this e-mail because someone entered this address on eTwinning.
`
	if m.Text != want {
		t.Errorf("text part:\n%s\nwant:\n%s", m.Text, want)
	}
	// One button, the header, the paragraphs in order, inline styles only.
	for _, s := range []string{">eTwinning</td>", "<title>Choose a new eTwinning password</title>", `<p style="margin:0 0 16px;">Hello Ana,</p>`,
		`<a href="https://p.example/password-reset?token=t" target="_blank" rel="noopener noreferrer" style="display:inline-block;`, ">Choose a new password</a>"} {
		if !strings.Contains(m.HTML, s) {
			t.Errorf("the HTML part lacks %q:\n%s", s, m.HTML)
		}
	}
	if strings.Count(m.HTML, `href="https://p.example/password-reset?token=t"`) != 2 || strings.Contains(m.HTML, "<style") || strings.Contains(m.HTML, "class=") {
		t.Errorf("want the button and the fallback link, inline styles only:\n%s", m.HTML)
	}
	if i, j := strings.Index(m.HTML, "requested"), strings.Index(m.HTML, "expires on"); i < 0 || j < i || strings.Index(m.HTML, "Choose a new password</a>") > j {
		t.Errorf("paragraphs out of order:\n%s", m.HTML)
	}
	// Without a first name the greeting has none; an account's e-mail says so.
	m, err = Render(Envelope{Kind: StaffWelcome, Lang: "fr", To: "ana@example.org", Data: map[string]string{"Role": "NSO", "Username": "ana"}, Link: "/x"}, Links{Portal: "https://p"})
	if err != nil || !strings.HasPrefix(m.Text, "Bonjour,\n") || !strings.Contains(m.Text, phrase(t, "fr", "why_account")) || m.Headers != nil {
		t.Errorf("staff welcome: %v\n%s", err, m.Text)
	}
}

func TestNotificationHeaders(t *testing.T) {
	e := Envelope{Kind: "notify_contact_request", Lang: "ro", To: "ion@example.org", Data: map[string]string{"FirstName": "Ion", "ActorName": "Ana Pop"},
		Link: "/notifications?id=n-1", Notification: true}
	// Without a signed token (no key): the footer and List-Unsubscribe point at the
	// preferences page, and no one-click header claims a POST would work there.
	m, err := Render(e, Links{Portal: "https://portal.example/"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Headers["List-Unsubscribe"] != "<https://portal.example/preferences/notifications>" || len(m.Headers) != 1 {
		t.Errorf("headers: %v", m.Headers)
	}
	if !strings.Contains(m.Subject, "Ana Pop vă invită") || !strings.Contains(m.Text, "\nhttps://portal.example"+PreferencesPath+"\n") ||
		!strings.Contains(m.HTML, `<a href="https://portal.example/preferences/notifications"`) || !strings.Contains(m.HTML, "Preferințe pentru notificări</a>") {
		t.Errorf("the notification's subject or footer:\n%s\n%s\n%s", m.Subject, m.Text, m.HTML)
	}
	// With one: RFC 8058's two headers, and the footer's link is the same one-click URL.
	e.Unsubscribe = "tok.sig"
	m, err = Render(e, Links{Portal: "https://portal.example/", Confirm: "https://api.example/"})
	if err != nil {
		t.Fatal(err)
	}
	want := "https://api.example/unsubscribe/tok.sig"
	if m.Headers["List-Unsubscribe"] != "<"+want+">" || m.Headers["List-Unsubscribe-Post"] != "List-Unsubscribe=One-Click" || len(m.Headers) != 2 {
		t.Errorf("one-click headers: %v", m.Headers)
	}
	if !strings.Contains(m.Text, "\n"+want) || !strings.Contains(m.HTML, `href="`+want+`"`) || !strings.Contains(m.HTML, "Dezabonare</a>") {
		t.Errorf("the one-click footer:\n%s\n%s", m.Text, m.HTML)
	}
	// A mail that is not a notification carries neither header, token or not.
	e.Notification = false
	if m, err = Render(e, Links{Portal: "https://p", Confirm: "https://a"}); err != nil || len(m.Headers) != 0 {
		t.Errorf("not a notification: %v %v", err, m.Headers)
	}
	// An actor's name is optional: the templates say who did it without one.
	m, err = Render(Envelope{Kind: "notify_contact_request", Lang: "en", To: "ion@example.org", Link: "/n", Notification: true}, Links{Portal: "https://p"})
	if err != nil || m.Subject != "A teacher wants to add you to their eTwinning contacts" || !strings.HasPrefix(m.Text, "Hello,\n\nA teacher invites you") {
		t.Errorf("without an actor: %v %q\n%s", err, m.Subject, m.Text)
	}
}

func TestConfirmLinks(t *testing.T) {
	e := Envelope{Kind: "notify_contact_request", Lang: "en", To: "ion@example.org", Link: "/confirm/abc", LinkBase: LinkConfirm}
	m, err := Render(e, Links{Portal: "https://portal.example", Confirm: "http://127.0.0.1:3000/"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "\nhttp://127.0.0.1:3000/confirm/abc\n") || !strings.Contains(m.HTML, `href="http://127.0.0.1:3000/confirm/abc" target="_blank"`) {
		t.Errorf("the confirmation link:\n%s\n%s", m.Text, m.HTML)
	}
	if _, err := Render(e, Links{Portal: "https://portal.example"}); err == nil {
		t.Error("a confirmation link without its base URL rendered")
	}
	e.LinkBase = "elsewhere"
	if _, err := Render(e, Links{Portal: "https://p", Confirm: "https://a"}); err == nil {
		t.Error("an unknown link base rendered")
	}
}

func TestFallbackAndBadInput(t *testing.T) {
	for _, lang := range []string{"xx", "", "../en", "tr"} {
		m, err := Render(Envelope{Kind: PasswordReset, Lang: lang, To: "a@example.org", Link: "/x"}, Links{Portal: "https://p"})
		if err != nil || m.Subject != "Choose a new eTwinning password" || !strings.Contains(m.HTML, `<html lang="en">`) {
			t.Errorf("%q: fallback to English failed: %v %q", lang, err, m.Subject)
		}
	}
	for _, lang := range []string{"RO", "ro-RO", " ro "} {
		if m, err := Render(Envelope{Kind: PasswordReset, Lang: lang, To: "a@example.org", Link: "/x"}, Links{Portal: "https://p"}); err != nil || !strings.Contains(m.Subject, "parolă") {
			t.Errorf("%q is Romanian: %v %q", lang, err, m.Subject)
		}
	}
	for _, to := range []string{"not an address", "", "a@example.org\r\nBcc: x@y.org", "Ana <a@example.org>", "a@example.org, b@example.org", "<a@example.org>"} {
		if _, err := Render(Envelope{Kind: PasswordReset, Lang: "en", To: to, Link: "/x"}, Links{Portal: "https://p"}); err == nil {
			t.Errorf("the address %q was accepted", to)
		}
	}
	for _, link := range []string{"", "https://evil.example/", "//evil.example/", "x", "/x\r\nBcc: y"} {
		if _, err := Render(Envelope{Kind: PasswordReset, Lang: "en", To: "a@example.org", Link: link}, Links{Portal: "https://p"}); err == nil {
			t.Errorf("the link %q was accepted", link)
		}
	}
	if _, err := Render(Envelope{Kind: "no_such_kind", To: "a@example.org", Link: "/x"}, Links{Portal: "https://p"}); err == nil {
		t.Error("an unknown kind was rendered")
	}
}

// attacker is what a stranger puts in a name: a header injection, a right-to-left
// override, isolates, a line separator, NUL, tab, DEL and a C1 control.
const attacker = "Eve\r\nBcc: x@y.org\n\nSubject: hi \u202Egnp.exe\u2066\u2069\u200F\u2028\x00\t\x7f\u0085!"

func TestSubjectCannotBeBroken(t *testing.T) {
	for _, lang := range wantLanguages {
		m, err := Render(Envelope{Kind: "notify_contact_request", Lang: lang, To: "ion@example.org", Data: map[string]string{"FirstName": attacker, "ActorName": attacker},
			Link: "/n", Notification: true}, Links{Portal: "https://p"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Subject, "Eve Bcc: x@y.org Subject: hi gnp.exe !") {
			t.Errorf("%s: subject %q", lang, m.Subject)
		}
		checkLine(t, lang+" subject", m.Subject)
		for _, line := range strings.Split(m.Text, "\n") {
			if strings.HasPrefix(line, "Bcc:") || strings.HasPrefix(line, "Subject:") {
				t.Errorf("%s: a field started a line of the text part: %q", lang, line)
			}
		}
		for _, part := range []string{m.Text, m.HTML} {
			if strings.ContainsAny(part, "\r\u202E\u2066\u2069\u200F\u2028\x00\x7f\u0085") {
				t.Errorf("%s: a control character reached the body: %q", lang, part)
			}
		}
	}
	// A long field cannot push the subject's own words out, nor the subject past its bound.
	long := strings.Repeat("Ä", 1000)
	m, err := Render(Envelope{Kind: "notify_contact_request", Lang: "en", To: "ion@example.org", Data: map[string]string{"ActorName": long}, Link: "/n"}, Links{Portal: "https://p"})
	if err != nil || !strings.HasSuffix(m.Subject, "… wants to add you to their eTwinning contacts") || utf8.RuneCountInString(m.Subject) > MaxSubject {
		t.Errorf("long field: %v %q", err, m.Subject)
	}
	if n := strings.Count(m.Text, "Ä"); n >= 1000 || n == 0 {
		t.Errorf("the body shows %d runes of a 1000-rune name", n)
	}
}

// checkLine fails unless s is one bounded line of visible text.
func checkLine(t *testing.T, what, s string) {
	t.Helper()
	if utf8.RuneCountInString(s) > MaxSubject || !utf8.ValidString(s) || strings.TrimSpace(s) != s {
		t.Errorf("%s: %q is not a bounded, trimmed line", what, s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) || (unicode.Is(unicode.Cf, r) && r != '\u200c' && r != '\u200d') {
			t.Errorf("%s: %q holds %U", what, s, r)
		}
	}
}

// FuzzSubject: whatever a name holds, the subject stays one bounded line and the e-mail renders.
func FuzzSubject(f *testing.F) {
	for _, s := range []string{attacker, "", "Ana Pop", "\xff\xfe", strings.Repeat("\u202E", 300), "a\u0301\u200d\U0001F469"} {
		f.Add(s, "notify_contact_request")
		f.Add(s, "notify_partner_added")
	}
	f.Fuzz(func(t *testing.T, name, kind string) {
		if kind != "notify_contact_request" && kind != "notify_partner_added" && kind != "notify_contact_accepted" {
			kind = "notify_contact_request"
		}
		m, err := Render(Envelope{Kind: kind, Lang: "fr", To: "ion@example.org", Data: map[string]string{"FirstName": name, "ActorName": name}, Link: "/n"}, Links{Portal: "https://p"})
		if err != nil {
			t.Fatal(err)
		}
		checkLine(t, "subject", m.Subject)
		if m.Subject == "" || !strings.Contains(m.Text, "\nhttps://p/n\n") {
			t.Fatalf("%q: subject %q\n%s", name, m.Subject, m.Text)
		}
	})
}

func TestOneLineAndBound(t *testing.T) {
	for in, want := range map[string]string{
		"  a\r\nb\tc  ":          "a b c",
		"x\u202Ey\u2066z\u2069":  "xyz",
		"a\u2028b\u2029c\u0085d": "a b c d",
		"mot\u00a0:":             "mot\u00a0:",
		"\xffa":                  "\ufffda",
		"e\u0301 👩\u200d💻":       "e\u0301 👩\u200d💻",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
	if got := bound("abcdef", 4); got != "abc…" {
		t.Errorf("bound: %q", got)
	}
	if got := bound("ăîșțâ", 5); got != "ăîșțâ" {
		t.Errorf("bound within the limit: %q", got)
	}
	if got := bound("ab cdef", 4); got != "ab…" {
		t.Errorf("bound at a space: %q", got)
	}
}

func TestDate(t *testing.T) {
	at := time.Date(2027, 3, 5, 10, 30, 0, 0, time.UTC)
	if got := Date(at, "ro", "RO"); !strings.Contains(got, "martie 2027") || !strings.Contains(got, "12:30") {
		t.Errorf("Romanian date in Romania's zone: %q", got)
	}
	if got, want := Date(at, "xx", ""), Date(at, "en", ""); got != want || !strings.Contains(got, "March 2027, 10:30") {
		t.Errorf("a language without templates: %q, English: %q", got, want)
	}
}

package page

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"testing"
	texttemplate "text/template"

	"etwin/shared/notify"
)

var field = regexp.MustCompile(`\{\{\s*\.(\w+)\s*\}\}`)

// Every language has exactly English's words, with the same values in each.
func TestEveryLanguageHasEveryWord(t *testing.T) {
	langs := Languages()
	for _, want := range []string{"de", "en", "es", "fr", "it", "pl", "ro"} {
		if !slices.Contains(langs, want) {
			t.Errorf("no words for %s", want)
		}
	}
	defines := func(lang string) map[string][]string {
		b, err := files.ReadFile("text/" + lang + ".tmpl")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := texttemplate.New("").Parse(string(b)); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		out := map[string][]string{}
		for _, m := range regexp.MustCompile(`\{\{define "(\w+)"\}\}(.*?)\{\{end\}\}`).FindAllStringSubmatch(string(b), -1) {
			var fs []string
			for _, f := range field.FindAllStringSubmatch(m[2], -1) {
				fs = append(fs, f[1])
			}
			slices.Sort(fs)
			out[m[1]] = slices.Compact(fs)
		}
		return out
	}
	en := defines("en")
	if len(en) < 40 {
		t.Fatalf("English has %d words", len(en))
	}
	for _, lang := range langs {
		got := defines(lang)
		for k, fs := range en {
			if g, ok := got[k]; !ok {
				t.Errorf("%s lacks %q", lang, k)
			} else if !slices.Equal(g, fs) {
				t.Errorf("%s %q uses %v, English %v", lang, k, g, fs)
			}
		}
		for k := range got {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has %q, which English has not", lang, k)
			}
		}
	}
}

func TestRender(t *testing.T) {
	p := Page{Lang: "ro-RO", Status: 200, Title: T("title_project_cofounder"),
		Paras:   []Text{T("ask_project_cofounder", "From", `Ana <b>Pop</b>`)},
		Quote:   &Quote{Title: "Rivers & <seas>", Summary: "Pupils' \"atlas\""},
		Buttons: []Button{{Name: "choice", Value: "approve", Label: T("choice_approve")}, {Name: "choice", Value: "reject", Label: T("choice_reject"), Secondary: true}},
		Notes:   []Text{T("for", "For", "Jean Dupont")}, Portal: "https://portal.example"}
	html, err := Render(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<html lang="ro">`, "Ana &lt;b&gt;Pop&lt;/b&gt;", "Rivers &amp; &lt;seas&gt;", `<form method="post">`,
		`name="choice" value="approve"`, `class="secondary"`, "Jean Dupont", `href="https://portal.example"`, `content="noindex`} {
		if !strings.Contains(html, want) {
			t.Errorf("the page lacks %q:\n%s", want, html)
		}
	}
	if strings.Contains(html, "<script") || strings.Contains(html, "<b>Pop") {
		t.Errorf("unescaped or scripted:\n%s", html)
	}
	// The style block is exactly what the Content-Security-Policy allows by hash.
	style := regexp.MustCompile(`(?s)<style>(.*?)</style>`).FindStringSubmatch(html)
	sum := sha256.Sum256([]byte(style[1]))
	if csp := Headers()["Content-Security-Policy"]; !strings.Contains(csp, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'") {
		t.Errorf("the CSP %q does not allow the page's style", csp)
	}
	// A language without words falls back to English; an unknown key is an error.
	if html, err := Render(Page{Lang: "xx", Title: T("title_done")}); err != nil || !strings.Contains(html, "<h1>Done</h1>") {
		t.Errorf("fallback: %v", err)
	}
	if _, err := Render(Page{Title: T("no_such_words")}); err == nil {
		t.Error("an unknown key rendered")
	}
	// Refs say words inside words, in the page's language.
	html, err = Render(Page{Lang: "fr", Title: T("title_unsubscribe"), Paras: []Text{{Key: "unsubscribe_ask", Refs: map[string]string{"Kind": "kind_label_awarded"}}}})
	if err != nil || !strings.Contains(html, "«\u00a0Labels de qualité\u00a0»") {
		t.Errorf("refs: %v\n%s", err, html)
	}
}

// Every kind one may unsubscribe from has a name on the unsubscribe pages.
func TestEveryEmailKindHasAName(t *testing.T) {
	for _, lang := range Languages() {
		for _, k := range notify.EmailKinds {
			if _, err := Render(Page{Lang: lang, Title: T("title_unsubscribe"), Paras: []Text{{Key: "unsubscribed", Refs: map[string]string{"Kind": "kind_" + k}}}}); err != nil {
				t.Errorf("%s: %v", lang, err)
			}
		}
	}
}

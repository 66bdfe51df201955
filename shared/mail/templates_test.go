package mail

import (
	"io/fs"
	"maps"
	"slices"
	"strings"
	"testing"
	texttemplate "text/template"
	"text/template/parse"
	"time"

	"etwin/shared/vocab"
)

// TestEveryLanguageHasTheSameFiles: a template or a data file that exists in one language
// exists in all, and a language has every kind (the files of templates/en).
func TestEveryLanguageHasTheSameFiles(t *testing.T) {
	langs := map[string][]string{}
	dirs, err := fs.ReadDir(files, "templates")
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			if n := d.Name(); n != "layout.html" && n != "layout.txt" {
				t.Errorf("templates/%s: only the layout lives outside the language folders", n)
			}
			continue
		}
		entries, err := fs.ReadDir(files, "templates/"+d.Name())
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			langs[d.Name()] = append(langs[d.Name()], e.Name())
		}
	}
	if got := slices.Sorted(maps.Keys(langs)); !slices.Equal(got, wantLanguages) {
		t.Errorf("languages %v, want %v", got, wantLanguages)
	}
	en := langs[DefaultLanguage]
	if !slices.Contains(en, commonFile) || !slices.Contains(en, monthsFile) {
		t.Fatalf("en lacks %s or %s: %v", commonFile, monthsFile, en)
	}
	for _, kind := range []string{RegistrationLink, AccountExists, PasswordReset, StaffWelcome, ResetNoAccount, "notify_generic", "notify_contact_request"} {
		if !slices.Contains(en, kind+".tmpl") {
			t.Errorf("en lacks the kind %s", kind)
		}
	}
	for lang, names := range langs {
		for _, n := range names {
			if !slices.Contains(en, n) {
				t.Errorf("%s/%s exists, en/%s does not", lang, n, n)
			}
		}
		for _, n := range en {
			if !slices.Contains(names, n) {
				t.Errorf("%s lacks %s", lang, n)
			}
		}
	}
}

// shape is what a template file defines and which fields it reads.
type shape struct {
	defines []string
	fields  []string
}

func shapeOf(t *testing.T, path string) shape {
	t.Helper()
	tpl, err := texttemplate.New("").ParseFS(files, path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defs, fields := map[string]bool{}, map[string]bool{}
	base := path[strings.LastIndex(path, "/")+1:]
	for _, d := range tpl.Templates() {
		if d.Name() != base && d.Name() != "" {
			defs[d.Name()] = true
		}
		if d.Tree != nil {
			collect(d.Tree.Root, fields)
		}
	}
	return shape{slices.Sorted(maps.Keys(defs)), slices.Sorted(maps.Keys(fields))}
}

// collect adds the fields (".Expires") and the templates ("template greeting") that n uses.
func collect(n parse.Node, out map[string]bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				collect(c, out)
			}
		}
	case *parse.ActionNode:
		collect(n.Pipe, out)
	case *parse.PipeNode:
		if n != nil {
			for _, c := range n.Cmds {
				collect(c, out)
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			collect(a, out)
		}
	case *parse.FieldNode:
		out["."+strings.Join(n.Ident, ".")] = true
	case *parse.IfNode:
		collect(n.Pipe, out)
		collect(n.List, out)
		collect(n.ElseList, out)
	case *parse.RangeNode:
		collect(n.Pipe, out)
		collect(n.List, out)
		collect(n.ElseList, out)
	case *parse.WithNode:
		collect(n.Pipe, out)
		collect(n.List, out)
		collect(n.ElseList, out)
	case *parse.TemplateNode:
		out["template "+n.Name] = true
		collect(n.Pipe, out)
	}
}

// TestTranslationsHaveTheSameShape: each language's file defines the same parts as the
// English one and reads the same fields (a translation that forgets the expiry date, or
// misspells a field, fails); a kind defines a subject, an intro and a button, in plain
// text (the layout owns the markup); the month names are twelve.
func TestTranslationsHaveTheSameShape(t *testing.T) {
	entries, err := fs.ReadDir(files, "templates/en")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		name := e.Name()
		if name == monthsFile {
			continue
		}
		en := shapeOf(t, "templates/en/"+name)
		if name != commonFile {
			for _, d := range []string{"subject", "intro", "button"} {
				if !slices.Contains(en.defines, d) {
					t.Errorf("en/%s does not define %q", name, d)
				}
			}
			for _, d := range en.defines {
				if d != "subject" && d != "intro" && d != "button" && d != "outro" {
					t.Errorf("en/%s defines %q, which the layout does not show", name, d)
				}
			}
		}
		for _, lang := range wantLanguages {
			path := "templates/" + lang + "/" + name
			got := shapeOf(t, path)
			if !slices.Equal(got.defines, en.defines) || !slices.Equal(got.fields, en.fields) {
				t.Errorf("%s: defines %v and uses %v; en: %v and %v", path, got.defines, got.fields, en.defines, en.fields)
			}
			src, _ := files.ReadFile(path)
			if strings.ContainsAny(string(src), "<>") {
				t.Errorf("%s holds markup: the files hold plain text", path)
			}
			if i := strings.Index(string(src), `{{define "subject"}}`); i >= 0 && strings.Contains(string(src[i:i+strings.Index(string(src[i:]), "{{end}}")]), "\n") {
				t.Errorf("%s: the subject spans lines", path)
			}
		}
	}
	for _, lang := range wantLanguages {
		m, err := months(lang)
		if err != nil {
			t.Error(err)
		}
		for i, name := range m {
			if name == "" || strings.ContainsAny(name, " \t{}") {
				t.Errorf("%s: month %d is %q", lang, i+1, name)
			}
		}
	}
}

func TestDatesInTheRecipientsLanguageAndZone(t *testing.T) {
	winter := time.Date(2027, 1, 15, 10, 0, 0, 0, time.UTC)
	summer := time.Date(2027, 7, 1, 10, 30, 0, 0, time.UTC)
	for _, c := range []struct {
		lang, country string
		at            time.Time
		want          string
	}{
		{"ro", "RO", winter, "15 ianuarie 2027, ora 12:00 (EET)"},
		{"ro", "RO", summer, "1 iulie 2027, ora 13:30 (EEST)"},
		{"en", "", winter, "15 January 2027, 10:00 (UTC)"}, // staff without a country
		{"en", "ZZ", winter, "15 January 2027, 10:00 (UTC)"},
		{"en", "PT", summer, "1 July 2027, 11:30 (WEST)"},
		{"fr", "FR", summer, "1er juillet 2027 à 12:30 (CEST)"},
		{"fr", "FR", winter, "15 janvier 2027 à 11:00 (CET)"},
		{"de", "DE", winter, "15. Januar 2027, 11:00 Uhr (CET)"},
		{"it", "IT", summer, "1º luglio 2027, ore 12:30 (CEST)"},
		{"es", "ES", winter, "15 de enero de 2027, 11:00 (CET)"},
		{"pl", "PL", winter, "15 stycznia 2027 r., godz. 11:00 (CET)"},
		{"en", "TR", winter, "15 January 2027, 13:00 (UTC+3)"}, // a zone without an abbreviation
		{"ro", "md", winter, "15 ianuarie 2027, ora 12:00 (EET)"},
	} {
		m, err := Render(Envelope{Kind: StaffWelcome, Lang: c.lang, Country: c.country, To: "a@example.org", Data: map[string]string{"FirstName": "Ana", "Username": "ana", "Role": "NSO"},
			Link: "/x", Times: map[string]time.Time{"Expires": c.at}}, Links{Portal: "https://p"})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(m.Text, c.want) || !strings.Contains(m.HTML, escapeHTML(c.want)) {
			t.Errorf("%s/%s: want %q in\n%s", c.lang, c.country, c.want, m.Text)
		}
	}
	if got := zoneLabel(time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("", 5*3600+1800))); got != "UTC+5:30" {
		t.Errorf("zoneLabel: %q", got)
	}
	if got := zoneLabel(time.Date(2027, 1, 1, 0, 0, 0, 0, time.FixedZone("-01", -3600))); got != "UTC-1" {
		t.Errorf("zoneLabel: %q", got)
	}
}

// TestEveryCountryHasItsZone: each eTwinning country's schools get their own time, never
// UTC by omission, and the table names no other country.
func TestEveryCountryHasItsZone(t *testing.T) {
	countries := map[string]bool{}
	for _, c := range vocab.All().Countries {
		countries[c.Code] = true
		name, ok := zones()[c.Code]
		if !ok {
			t.Errorf("%s has no time zone", c.Code)
			continue
		}
		if _, err := time.LoadLocation(name); err != nil {
			t.Errorf("%s: %v", c.Code, err)
		}
		if location(c.Code) == time.UTC {
			t.Errorf("%s: UTC", c.Code)
		}
	}
	for code := range zones() {
		if !countries[code] {
			t.Errorf("%s is not an eTwinning country", code)
		}
	}
	if location("") != time.UTC || location("XX") != time.UTC || location("ro").String() != "Europe/Bucharest" {
		t.Error("location")
	}
}

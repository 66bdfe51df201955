// Package page renders the pages the backend serves to people, not to the portal: the
// confirmation pages of e-mailed links and the unsubscribe pages. They work without
// JavaScript, look like the e-mails (layout.html) and speak the recipient's language
// (text/<lang>.tmpl, English when a language has none). A page is described by the keys
// of its words (Text); every value is escaped by html/template.
//
// Headers gives what every such page is served with: no caching, no referrer, a strict
// Content-Security-Policy (no script, no frame, no other origin; the one style block is
// allowed by its hash), X-Frame-Options: DENY and noindex.
package page

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"sync"
	texttemplate "text/template"

	"etwin/shared/mail"
)

//go:embed layout.html text
var files embed.FS

// DefaultLanguage is used for a language without its words.
const DefaultLanguage = "en"

// Text is one line of a page: the key of its words and their values.
type Text struct {
	Key  string
	Data map[string]string
	// Refs are values that are words themselves: name → the key of its words (a kind of
	// notification's name, say), said in the page's language first.
	Refs map[string]string
}

// T is a Text with values given as name, value pairs.
func T(key string, pairs ...string) Text {
	t := Text{Key: key, Data: map[string]string{}}
	for i := 0; i+1 < len(pairs); i += 2 {
		t.Data[pairs[i]] = pairs[i+1]
	}
	return t
}

// Button is a submit button of the page's one form (Name=Value is what it posts).
type Button struct {
	Name, Value string
	Label       Text
	Secondary   bool
}

// Field is a hidden field of the form.
type Field struct{ Name, Value string }

// Quote is what is decided on, shown as given (a project's title and summary).
type Quote struct{ Title, Summary string }

// Page is one page.
type Page struct {
	Lang    string
	Status  int
	Title   Text
	Paras   []Text
	Quote   *Quote
	Hidden  []Field
	Buttons []Button
	Notes   []Text
	// Portal is a link to the portal, shown with the words "portal" ("": none).
	Portal string
}

// style is the pages' one style block (the e-mails' colours).
const style = `body{margin:0;background:#eef1f5;font-family:Arial,Helvetica,sans-serif;color:#1f2933;font-size:16px;line-height:24px}` +
	`main{max-width:600px;margin:24px auto;background:#fff;border:1px solid #dde3ea}` +
	`header{background:#004494;color:#fff;font-size:24px;line-height:30px;font-weight:bold;padding:18px 32px}` +
	`section{padding:24px 32px 8px}h1{font-size:22px;line-height:28px;margin:0 0 16px}p{margin:0 0 16px}` +
	`blockquote{margin:0 0 16px;padding:12px 16px;border-left:4px solid #004494;background:#f5f7fa}` +
	`form{margin:24px 0}button{font:inherit;font-weight:bold;color:#fff;background:#004494;border:0;border-radius:4px;padding:12px 28px;margin:0 12px 12px 0;cursor:pointer}` +
	`button.secondary{color:#004494;background:#fff;border:2px solid #004494;padding:10px 26px}` +
	`.note{font-size:13px;line-height:19px;color:#52606d}a{color:#004494}` +
	`footer{padding:16px 32px 24px;border-top:1px solid #dde3ea;font-size:12px;line-height:18px;color:#52606d}`

// Headers are the headers every page is served with.
func Headers() map[string]string {
	sum := sha256.Sum256([]byte(style))
	return map[string]string{
		"Content-Type":  "text/html; charset=utf-8",
		"Cache-Control": "no-store",
		"Content-Security-Policy": "default-src 'none'; style-src 'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) +
			"'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
		"Referrer-Policy":        "no-referrer",
		"X-Frame-Options":        "DENY",
		"X-Robots-Tag":           "noindex, nofollow",
		"X-Content-Type-Options": "nosniff",
	}
}

// words is one language's text templates, parsed on first use.
var words sync.Map // lang → func() (*texttemplate.Template, error)

func wordsOf(lang string) (*texttemplate.Template, string, error) {
	lang = mail.LanguageOf(lang)
	if _, err := files.ReadFile("text/" + lang + ".tmpl"); err != nil {
		lang = DefaultLanguage
	}
	load, _ := words.LoadOrStore(lang, sync.OnceValues(func() (*texttemplate.Template, error) {
		return texttemplate.New("").Option("missingkey=zero").ParseFS(files, "text/"+lang+".tmpl")
	}))
	t, err := load.(func() (*texttemplate.Template, error))()
	return t, lang, err
}

var layout = sync.OnceValues(func() (*htmltemplate.Template, error) {
	return htmltemplate.ParseFS(files, "layout.html")
})

// view is what the layout shows: every word already in the page's language.
type view struct {
	Lang, Title, Footer, Portal, PortalLabel string
	Style                                    htmltemplate.CSS
	Paras, Notes                             []string
	Quote                                    *Quote
	Hidden                                   []Field
	Buttons                                  []struct {
		Name, Value, Label string
		Secondary          bool
	}
}

// Render is the page's HTML.
func Render(p Page) (string, error) {
	w, lang, err := wordsOf(p.Lang)
	if err != nil {
		return "", err
	}
	say := func(t Text) (string, error) {
		if w.Lookup(t.Key) == nil {
			return "", fmt.Errorf("page: %s has no words %q", lang, t.Key)
		}
		data := t.Data
		if len(t.Refs) > 0 {
			data = make(map[string]string, len(t.Data)+len(t.Refs))
			for k, v := range t.Data {
				data[k] = v
			}
			for k, key := range t.Refs {
				if w.Lookup(key) == nil {
					return "", fmt.Errorf("page: %s has no words %q", lang, key)
				}
				var b strings.Builder
				if err := w.ExecuteTemplate(&b, key, nil); err != nil {
					return "", err
				}
				data[k] = strings.TrimSpace(b.String())
			}
		}
		var b strings.Builder
		if err := w.ExecuteTemplate(&b, t.Key, data); err != nil {
			return "", err
		}
		return strings.TrimSpace(b.String()), nil
	}
	v := view{Lang: lang, Style: htmltemplate.CSS(style), Portal: p.Portal, Quote: p.Quote, Hidden: p.Hidden}
	if v.Title, err = say(p.Title); err != nil {
		return "", err
	}
	if v.Footer, err = say(Text{Key: "footer"}); err != nil {
		return "", err
	}
	if p.Portal != "" {
		if v.PortalLabel, err = say(Text{Key: "portal"}); err != nil {
			return "", err
		}
	}
	for _, t := range p.Paras {
		s, err := say(t)
		if err != nil {
			return "", err
		}
		v.Paras = append(v.Paras, s)
	}
	for _, t := range p.Notes {
		s, err := say(t)
		if err != nil {
			return "", err
		}
		v.Notes = append(v.Notes, s)
	}
	for _, b := range p.Buttons {
		label, err := say(b.Label)
		if err != nil {
			return "", err
		}
		v.Buttons = append(v.Buttons, struct {
			Name, Value, Label string
			Secondary          bool
		}{b.Name, b.Value, label, b.Secondary})
	}
	l, err := layout()
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	if err := l.Execute(&out, v); err != nil {
		return "", err
	}
	return out.String(), nil
}

// Languages lists the languages that have words.
func Languages() []string {
	entries, _ := files.ReadDir("text")
	var out []string
	for _, e := range entries {
		out = append(out, strings.TrimSuffix(e.Name(), ".tmpl"))
	}
	return out
}

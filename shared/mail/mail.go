// Package mail renders the platform's e-mails and defines the port through which they
// are sent. Every e-mail has the same layout (templates/layout.html and layout.txt: a
// header, the greeting, the paragraphs, one button for the action, the signature and a
// footer saying why the recipient got it), in an HTML and a plain-text part built from
// the same content. A kind of e-mail is one file per language, templates/<lang>/<kind>.tmpl,
// which defines only its own words: "subject", "intro" (the paragraphs before the button),
// "button" (its label) and, if it has any, "outro" (the paragraphs after it). Paragraphs
// are separated by blank lines and hold plain text: the layout owns the markup.
// templates/<lang>/common.tmpl has the language's words of the layout (greeting,
// signature, footers, the format of a date) and months.txt its month names. Adding a
// language is adding a folder with the same files as templates/en.
package mail

import (
	"bufio"
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/mail"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
	"time"
)

// Envelope is an e-mail as its cause commits it to the outbox: which template, for whom,
// with what. Nothing is rendered in the request: the mail-sender renders the envelope
// (Render) when it sends it.
type Envelope struct {
	Kind string // the template ("registration_link", "notify_generic", ...)
	To   string // the recipient's address
	Lang string // the recipient's language ("" or one without templates: English)
	// Country is the recipient's school country (ISO 3166 alpha-2): Times are shown in its
	// time zone. "" (staff without a country, strangers): UTC.
	Country string
	// Data are the template's text fields (FirstName, Username, ActorName, Role, ...). No
	// field reaches the Subject line unfiltered (see Render).
	Data map[string]string `json:",omitempty"`
	// Link is the action's path and query ("/register?token=…"); the message links to
	// the portal's base URL + Link, or, with LinkBase LinkConfirm, to the confirmation
	// pages' base URL + Link ("/confirm/<token>", pages the backend serves itself).
	Link     string `json:",omitempty"`
	LinkBase string `json:",omitempty"`
	// Times are the template's dates ("Expires"), shown in Lang and Country's time zone.
	Times map[string]time.Time `json:",omitempty"`
	// Stranger: someone who is not the recipient can make the platform send it (a
	// registration, a reset): the per-address sending limits apply.
	Stranger bool `json:",omitempty"`
	// Notification: a notification e-mail, which carries List-Unsubscribe headers.
	Notification bool `json:",omitempty"`
	// Topic is a notification e-mail's kind of notification: what its one-click
	// unsubscribe link turns off.
	Topic string `json:",omitempty"`
	// Unsubscribe is the one-click unsubscribe token of a notification e-mail (package
	// optout): the sender signs it just before rendering, so it is never stored.
	Unsubscribe string `json:"-"`
}

// LinkConfirm is the LinkBase of links to the backend's own confirmation pages.
const LinkConfirm = "confirm"

// Links are the base URLs an e-mail's links start with.
type Links struct {
	Portal  string // the web portal (PORTAL_URL)
	Confirm string // the backend's confirmation and unsubscribe pages (CONFIRM_URL)
}

// Message is one rendered e-mail.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
	// Headers are extra headers (List-Unsubscribe, List-Unsubscribe-Post).
	Headers map[string]string
}

// Sender sends a message (the SES adapter in package sesmail; retries live there).
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Kinds of e-mail (the notifications' are "notify_<kind>", see package notify).
const (
	RegistrationLink = "registration_link"
	AccountExists    = "account_exists"
	PasswordReset    = "password_reset"
	StaffWelcome     = "staff_welcome"
	ResetNoAccount   = "password_reset_no_account"
)

// DefaultLanguage is used when the recipient's language has no templates.
const DefaultLanguage = "en"

// PreferencesPath is the portal page of the notification preferences: the footer of a
// notification e-mail without a one-click unsubscribe token points at it.
const PreferencesPath = "/preferences/notifications"

// UnsubscribePrefix starts the path of a one-click unsubscribe link (RFC 8058), on the
// confirmation pages' base URL: UnsubscribePrefix + token.
const UnsubscribePrefix = "/unsubscribe/"

//go:embed templates
var files embed.FS

// set is one kind in one language, ready to execute: the kind's defines with the
// language's common ones and the layout, as text and as HTML, and the month names.
type set struct {
	text   *texttemplate.Template
	html   *htmltemplate.Template
	months [12]string
}

// Files that are a language's data, not a kind of e-mail.
const (
	commonFile = "common.tmpl"
	monthsFile = "months.txt"
)

// templates maps "en/registration_link" to its set, each parsed on first use: a function
// parses only the mails it sends, and one that sends none parses nothing (at init they
// cost every function about a millisecond and 340 KB). Listing the names reads only the
// embedded folder.
var templates = sync.OnceValues(func() (map[string]func() (set, error), error) {
	out := map[string]func() (set, error){}
	err := fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".tmpl") || strings.HasSuffix(path, "/"+commonFile) {
			return err
		}
		key := strings.TrimSuffix(strings.TrimPrefix(path, "templates/"), ".tmpl") // "en/registration_link"
		lang, _, _ := strings.Cut(key, "/")
		out[key] = sync.OnceValues(func() (set, error) { return parseSet(lang, path) })
		return nil
	})
	return out, err
})

func parseSet(lang, kindPath string) (set, error) {
	common := "templates/" + lang + "/" + commonFile
	t, err := texttemplate.New("").Option("missingkey=zero").ParseFS(files, "templates/layout.txt", common, kindPath)
	if err != nil {
		return set{}, err
	}
	h, err := htmltemplate.New("").ParseFS(files, "templates/layout.html", common, kindPath)
	if err != nil {
		return set{}, err
	}
	s := set{text: t, html: h}
	if s.months, err = months(lang); err != nil {
		return set{}, err
	}
	return s, nil
}

// months reads templates/<lang>/months.txt: twelve lines, January first, each the month's
// name as a date shows it ("stycznia" in Polish).
func months(lang string) (out [12]string, err error) {
	b, err := files.ReadFile("templates/" + lang + "/" + monthsFile)
	if err != nil {
		return out, err
	}
	n := 0
	for sc := bufio.NewScanner(bytes.NewReader(b)); sc.Scan(); {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			if n == 12 {
				return out, fmt.Errorf("mail: %s/%s has more than 12 months", lang, monthsFile)
			}
			out[n], n = line, n+1
		}
	}
	if n != 12 {
		return out, fmt.Errorf("mail: %s/%s has %d months", lang, monthsFile, n)
	}
	return out, nil
}

// Languages lists the languages that have templates for kind, sorted.
func Languages(kind string) []string {
	var out []string
	all, _ := templates() // the embedded folder reads
	for k := range all {
		if lang, name, _ := strings.Cut(k, "/"); name == kind {
			out = append(out, lang)
		}
	}
	slices.Sort(out)
	return out
}

// Why the recipient gets an e-mail (the layout's footer says it).
const (
	whyAccount      = "account"      // the address is an account's
	whyStranger     = "stranger"     // someone entered the address (registration, reset)
	whyNotification = "notification" // the member's notification e-mails are on
	whyUnsubscribe  = "unsubscribe"  // the same, with a link that turns this kind off
)

// view is what the layout shows; T is string in the text part and trusted HTML (the
// output of the kind's html/template) in the HTML part.
type view[T any] struct {
	Lang        string
	Subject     string
	Data        map[string]string // the greeting's fields (FirstName)
	Intro       []T
	Button      T
	Outro       []T
	Link        string // absolute
	Preferences string // absolute, for notifications
	Why         string
}

// Render builds the message of e, whose links start with the base URLs of links.
//
// No field can break the message: every Data value is made one line of visible text
// (control characters, line breaks and bidirectional controls go, see oneLine) and bounded
// in length; the Subject is one line of at most MaxSubject runes; the HTML part escapes
// every value (html/template).
func Render(e Envelope, links Links) (Message, error) {
	to, err := recipient(e.To)
	if err != nil {
		return Message{}, err
	}
	if !strings.HasPrefix(e.Link, "/") || strings.HasPrefix(e.Link, "//") || strings.ContainsAny(e.Link, "\r\n") {
		return Message{}, fmt.Errorf("mail: %s: the link must be a path", e.Kind)
	}
	base := strings.TrimRight(links.Portal, "/")
	link := base
	switch e.LinkBase {
	case "":
	case LinkConfirm:
		if links.Confirm == "" {
			return Message{}, fmt.Errorf("mail: %s: no base URL for confirmation links", e.Kind)
		}
		link = strings.TrimRight(links.Confirm, "/")
	default:
		return Message{}, fmt.Errorf("mail: %s: unknown link base %q", e.Kind, e.LinkBase)
	}
	all, err := templates()
	if err != nil {
		return Message{}, err
	}
	lang := language(e.Lang)
	load, ok := all[lang+"/"+e.Kind]
	if !ok {
		lang = DefaultLanguage
		if load, ok = all[lang+"/"+e.Kind]; !ok {
			return Message{}, fmt.Errorf("mail: no template %q", e.Kind)
		}
	}
	s, err := load()
	if err != nil {
		return Message{}, fmt.Errorf("mail: template %s/%s: %w", lang, e.Kind, err)
	}

	body, subj := make(map[string]string, len(e.Data)+len(e.Times)), make(map[string]string, len(e.Data)+len(e.Times))
	for k, v := range e.Data {
		v = oneLine(v)
		body[k], subj[k] = bound(v, maxBodyField), bound(v, maxSubjectField)
	}
	loc := location(e.Country)
	for k, t := range e.Times {
		var b strings.Builder
		if err := s.text.ExecuteTemplate(&b, "date", partsOf(t, loc, &s.months)); err != nil {
			return Message{}, fmt.Errorf("mail: template %s/date: %w", lang, err)
		}
		body[k], subj[k] = oneLine(b.String()), oneLine(b.String())
	}

	subject, err := s.textOf("subject", subj)
	if err != nil {
		return Message{}, err
	}
	if subject = bound(oneLine(subject), MaxSubject); subject == "" {
		return Message{}, fmt.Errorf("mail: template %s/%s has an empty subject", lang, e.Kind)
	}
	tv := view[string]{Lang: lang, Subject: subject, Data: body, Link: link + e.Link, Why: whyAccount}
	oneClick := e.Notification && e.Unsubscribe != "" && links.Confirm != "" && !strings.ContainsAny(e.Unsubscribe, "/?#\r\n")
	switch {
	case oneClick:
		tv.Why, tv.Preferences = whyUnsubscribe, strings.TrimRight(links.Confirm, "/")+UnsubscribePrefix+e.Unsubscribe
	case e.Notification:
		tv.Why, tv.Preferences = whyNotification, base+PreferencesPath
	case e.Stranger:
		tv.Why = whyStranger
	}
	hv := view[htmltemplate.HTML]{Lang: tv.Lang, Subject: tv.Subject, Data: body, Link: tv.Link, Preferences: tv.Preferences, Why: tv.Why}
	if tv.Intro, hv.Intro, err = s.paragraphs("intro", body); err != nil {
		return Message{}, err
	}
	if tv.Outro, hv.Outro, err = s.paragraphs("outro", body); err != nil {
		return Message{}, err
	}
	var button []string
	var buttonHTML []htmltemplate.HTML
	if button, buttonHTML, err = s.paragraphs("button", body); err != nil {
		return Message{}, err
	}
	if len(button) != 1 {
		return Message{}, fmt.Errorf("mail: template %s/%s: the button needs one label", lang, e.Kind)
	}
	tv.Button, hv.Button = button[0], buttonHTML[0]

	var text, html bytes.Buffer
	if err := s.text.ExecuteTemplate(&text, "layout.txt", tv); err != nil {
		return Message{}, fmt.Errorf("mail: layout %s/%s: %w", lang, e.Kind, err)
	}
	if err := s.html.ExecuteTemplate(&html, "layout.html", hv); err != nil {
		return Message{}, fmt.Errorf("mail: layout %s/%s: %w", lang, e.Kind, err)
	}
	m := Message{To: to, Subject: subject, Text: text.String(), HTML: html.String()}
	switch {
	case oneClick: // RFC 8058: a POST to the link unsubscribes, no other step
		m.Headers = map[string]string{
			"List-Unsubscribe":      "<" + tv.Preferences + ">",
			"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		}
	case e.Notification: // RFC 2369 only: the link is a page, not a one-click endpoint
		m.Headers = map[string]string{"List-Unsubscribe": "<" + tv.Preferences + ">"}
	}
	return m, nil
}

// recipient is the bare address of to, refusing anything else (a display name, a list,
// a line break).
func recipient(to string) (string, error) {
	to = strings.TrimSpace(to)
	a, err := mail.ParseAddress(to)
	if err != nil || a.Name != "" || a.Address != to {
		return "", fmt.Errorf("mail: bad recipient address")
	}
	return a.Address, nil
}

// language is the template folder of a language code (LanguageOf).
func language(code string) string { return LanguageOf(code) }

// LanguageOf is the folder name of a language code: "ro", "RO", "ro-RO" → "ro"; "" or
// anything unusable → DefaultLanguage. (The pages people open from e-mails choose their
// words the same way, package page.)
func LanguageOf(code string) string {
	code, _, _ = strings.Cut(strings.ToLower(strings.TrimSpace(code)), "-")
	code, _, _ = strings.Cut(code, "_")
	if code == "" || strings.ContainsAny(code, "./\\") {
		return DefaultLanguage
	}
	return code
}

// textOf executes the text template name ("" when the kind does not define it).
func (s set) textOf(name string, data map[string]string) (string, error) {
	if s.text.Lookup(name) == nil {
		return "", nil
	}
	var b strings.Builder
	if err := s.text.ExecuteTemplate(&b, name, data); err != nil {
		return "", fmt.Errorf("mail: template %s: %w", name, err)
	}
	return b.String(), nil
}

// paragraphs executes the kind's define name as text and as HTML, and splits each at its
// blank lines into paragraphs of one line each (none when the kind does not define it).
func (s set) paragraphs(name string, data map[string]string) ([]string, []htmltemplate.HTML, error) {
	text, err := s.textOf(name, data)
	if err != nil || s.html.Lookup(name) == nil {
		return nil, nil, err
	}
	var b strings.Builder
	if err := s.html.ExecuteTemplate(&b, name, data); err != nil {
		return nil, nil, fmt.Errorf("mail: template %s: %w", name, err)
	}
	tp, hp := split(text), split(b.String())
	if len(tp) != len(hp) {
		return nil, nil, fmt.Errorf("mail: template %s: text and HTML paragraphs differ", name)
	}
	out := make([]htmltemplate.HTML, len(hp))
	for i, p := range hp {
		out[i] = htmltemplate.HTML(p) // html/template's output: every value in it is escaped
	}
	return tp, out, nil
}

// split cuts s at its blank lines and makes each paragraph one line. Only ASCII white
// space separates words: a no-break space (French "mot\u00a0:") stays.
func split(s string) []string {
	var out []string
	var p []string
	flush := func() {
		if len(p) > 0 {
			out = append(out, strings.Join(p, " "))
			p = p[:0]
		}
	}
	for line := range strings.Lines(s) {
		if f := strings.FieldsFunc(line, asciiSpace); len(f) > 0 {
			p = append(p, f...)
		} else {
			flush()
		}
	}
	flush()
	return out
}

func asciiSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f'
}

// Package mail renders the platform's e-mails from templates, one set per language (text
// and HTML parts), and defines the port through which they are sent. Adding a language is
// adding a folder of templates.
package mail

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"net/mail"
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
	// Link is the action's portal path and query ("/register?token=…"); the message links
	// to the portal's base URL + Link.
	Link string `json:",omitempty"`
	// Times are the template's dates ("Expires"), shown in Lang and Country's time zone.
	Times map[string]time.Time `json:",omitempty"`
	// Stranger: someone who is not the recipient can make the platform send it (a
	// registration, a reset): the per-address sending limits apply.
	Stranger bool `json:",omitempty"`
	// Notification: a notification e-mail, which carries List-Unsubscribe headers.
	Notification bool `json:",omitempty"`
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

// Kinds of e-mail.
const (
	RegistrationLink = "registration_link"
	AccountExists    = "account_exists"
	PasswordReset    = "password_reset"
	StaffWelcome     = "staff_welcome"
	ResetNoAccount   = "password_reset_no_account"
)

// DefaultLanguage is used when the recipient's language has no templates.
const DefaultLanguage = "en"

//go:embed templates
var files embed.FS

type pair struct {
	text *texttemplate.Template
	html *htmltemplate.Template
}

// templates maps "en/registration_link" to its pair, each parsed on first use: a
// function parses only the mails it sends, and one that sends none parses nothing
// (at init they cost every function about a millisecond and 340 KB). Listing the
// names reads only the embedded folder.
var templates = sync.OnceValues(func() (map[string]func() (pair, error), error) {
	out := map[string]func() (pair, error){}
	err := fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".txt") {
			return err
		}
		key := strings.TrimSuffix(strings.TrimPrefix(path, "templates/"), ".txt") // "en/registration_link"
		out[key] = sync.OnceValues(func() (pair, error) {
			t, err := texttemplate.ParseFS(files, path)
			if err != nil {
				return pair{}, err
			}
			h, err := htmltemplate.ParseFS(files, strings.TrimSuffix(path, ".txt")+".html")
			if err != nil {
				return pair{}, err
			}
			return pair{text: t, html: h}, nil
		})
		return nil
	})
	return out, err
})

// Languages lists the languages that have templates for kind.
func Languages(kind string) []string {
	var out []string
	all, _ := templates() // the embedded folder reads
	for k := range all {
		if lang, name, _ := strings.Cut(k, "/"); name == kind {
			out = append(out, lang)
		}
	}
	return out
}

// Render builds the message of e, whose links go to the portal at portalURL. The text
// template's first line is "Subject: ...".
func Render(e Envelope, portalURL string) (Message, error) {
	if _, err := mail.ParseAddress(e.To); err != nil {
		return Message{}, fmt.Errorf("mail: bad recipient address")
	}
	all, err := templates()
	if err != nil {
		return Message{}, err
	}
	lang := e.Lang
	parse, ok := all[lang+"/"+e.Kind]
	if !ok {
		lang = DefaultLanguage
		if parse, ok = all[lang+"/"+e.Kind]; !ok {
			return Message{}, fmt.Errorf("mail: no template %q", e.Kind)
		}
	}
	p, err := parse()
	if err != nil {
		return Message{}, fmt.Errorf("mail: template %s: %w", e.Kind, err)
	}
	data := map[string]string{}
	for k, v := range e.Data {
		data[k] = v
	}
	if e.Link != "" {
		data["Link"] = strings.TrimRight(portalURL, "/") + e.Link
	}
	for k, t := range e.Times {
		data[k] = t.UTC().Format("2006-01-02 15:04 UTC")
	}
	var text, html bytes.Buffer
	if err := p.text.Execute(&text, data); err != nil {
		return Message{}, err
	}
	if err := p.html.Execute(&html, data); err != nil {
		return Message{}, err
	}
	first, body, _ := strings.Cut(text.String(), "\n")
	subject, ok := strings.CutPrefix(first, "Subject: ")
	if !ok {
		return Message{}, fmt.Errorf("mail: template %s/%s lacks a Subject line", lang, e.Kind)
	}
	return Message{To: e.To, Subject: strings.TrimSpace(subject), Text: strings.TrimLeft(body, "\n"), HTML: html.String()}, nil
}

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
)

// Message is one rendered e-mail.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
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

// Render builds the message of kind for to, in lang (falling back to English). The text
// template's first line is "Subject: ...".
func Render(kind, lang, to string, data any) (Message, error) {
	if _, err := mail.ParseAddress(to); err != nil {
		return Message{}, fmt.Errorf("mail: bad recipient address")
	}
	all, err := templates()
	if err != nil {
		return Message{}, err
	}
	parse, ok := all[lang+"/"+kind]
	if !ok {
		parse, ok = all[DefaultLanguage+"/"+kind]
		if !ok {
			return Message{}, fmt.Errorf("mail: no template %q", kind)
		}
	}
	p, err := parse()
	if err != nil {
		return Message{}, fmt.Errorf("mail: template %s: %w", kind, err)
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
		return Message{}, fmt.Errorf("mail: template %s/%s lacks a Subject line", lang, kind)
	}
	return Message{To: to, Subject: strings.TrimSpace(subject), Text: strings.TrimLeft(body, "\n"), HTML: html.String()}, nil
}

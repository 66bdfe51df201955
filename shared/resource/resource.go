// Package resource holds the shared teaching resources: links to material with a theme
// and a language, browsed newest first and found by words of the title and description.
package resource

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"etwin/shared/apperr"
	"etwin/shared/fold"
	"etwin/shared/forum"
	"etwin/shared/member"
	"etwin/shared/vocab"
)

// Limits (in characters).
const (
	MaxTitle       = 200
	MaxDescription = 5000
	MaxURL         = 2000
	// MaxIndexWords bounds the words a resource is indexed under (title words first, then
	// description words): they are written in one transaction with the resource.
	MaxIndexWords = 90
)

// Author is who added a resource (the same shape as a forum post's author).
type Author = forum.Author

// Resource is a shared link to teaching material.
type Resource struct {
	ResourceID  string    `json:"resourceId"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Theme       string    `json:"theme"`
	Language    string    `json:"language"`
	URL         string    `json:"url"`
	Author      Author    `json:"author"`
	CreatedAt   time.Time `json:"createdAt"`
	IndexWords  []string  `json:"-"`
}

// Words are all the folded words of the title and description (what a search matches).
func (r *Resource) Words() []string { return fold.Words(r.Title + "\n" + r.Description) }

// New is the body of POST /v1/resources.
type New struct {
	Title       string `json:"title"`
	Description string `json:"description"`
	Theme       string `json:"theme"`
	Language    string `json:"language"`
	URL         string `json:"url"`
}

// Validate checks a new resource (422 naming each bad field).
func (n *New) Validate() error {
	var fs apperr.Fields
	member.CheckName(&fs, "title", n.Title, MaxTitle)
	member.CheckText(&fs, "description", n.Description, MaxDescription, true)
	member.CheckCode(&fs, "theme", n.Theme, vocab.IsTheme)
	member.CheckCode(&fs, "language", n.Language, vocab.IsLanguage)
	if msg := URLProblem(n.URL); msg != "" {
		fs.Add("url", "%s", msg)
	}
	return fs.Err()
}

// URLProblem says what is wrong with a resource's URL ("" when fine): it must parse as
// an absolute http or https URL with a host, without spaces or control characters.
func URLProblem(s string) string {
	switch {
	case s == "":
		return "required"
	case utf8.RuneCountInString(s) > MaxURL:
		return "must be at most 2000 characters"
	case strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }):
		return "must not contain spaces or control characters"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return "must be a valid URL"
	case u.Scheme != "http" && u.Scheme != "https":
		return "must be an http or https URL"
	case u.Host == "" || u.Hostname() == "":
		return "must name a host"
	case u.User != nil:
		return "must not carry a user name or password"
	}
	return ""
}

// Filter narrows a list: theme and language ("" for any).
type Filter struct {
	Theme    string
	Language string
}

// ParseFilter checks ?theme= and ?language= (an unknown code: 400 naming the parameter).
func ParseFilter(theme, language string) (Filter, error) {
	var fs []apperr.FieldError
	if theme != "" && !vocab.IsTheme(theme) {
		fs = append(fs, apperr.FieldError{Field: "theme", Message: "unknown theme (see GET /v1/vocabularies)"})
	}
	if language != "" && !vocab.IsLanguage(language) {
		fs = append(fs, apperr.FieldError{Field: "language", Message: "unknown language (see GET /v1/vocabularies)"})
	}
	if len(fs) > 0 {
		return Filter{}, apperr.BadRequest("The filters are invalid.", fs...)
	}
	return Filter{Theme: theme, Language: language}, nil
}

// Matches reports whether r passes the filter.
func (f Filter) Matches(r *Resource) bool {
	return (f.Theme == "" || f.Theme == r.Theme) && (f.Language == "" || f.Language == r.Language)
}

// Make builds the resource a valid form describes.
func (n *New) Make(id string, a Author, now time.Time) Resource {
	r := Resource{ResourceID: id, Title: strings.TrimSpace(n.Title), Description: n.Description, Theme: n.Theme,
		Language: n.Language, URL: n.URL, Author: a, CreatedAt: now.UTC()}
	r.IndexWords = fold.IndexWords(MaxIndexWords, r.Title, r.Description)
	return r
}

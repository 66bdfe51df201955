// Package member holds a member's account and profile, and the rules for them.
package member

import (
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"etwin/shared/apperr"
	"etwin/shared/fold"
	"etwin/shared/vocab"
)

// Roles of accounts (profile.role says which kind of teacher).
const (
	RoleTeacher = "teacher"
	RoleNSO     = "nso"
	RoleCSS     = "css"
)

// Profile is what a teacher says about themself in the registration form.
type Profile struct {
	Role              string   `json:"role"`
	Subjects          []string `json:"subjects"`
	AgeGroups         []string `json:"ageGroups"`
	ProjectExperience string   `json:"projectExperience"`
	Interests         []string `json:"interests"`
	Languages         []string `json:"languages"`
	ProjectIdeas      string   `json:"projectIdeas,omitempty"`
}

// SchoolRef is a school as a member's page lists it.
type SchoolRef struct {
	SchoolID string `json:"schoolId"`
	Name     string `json:"name"`
	Country  string `json:"country"`
	// SchoolType is kept with the member's schools for the member search (schoolType
	// filter); the API's school lists do not show it.
	SchoolType string `json:"-"`
}

// Member is an account.
type Member struct {
	MemberID     string
	Username     string
	FirstName    string
	LastName     string
	Email        string
	Language     string
	Role         string // teacher, nso, css
	Country      string
	Profile      *Profile
	Schools      []SchoolRef
	PasswordHash string
	CreatedAt    time.Time
	// Failed logins in the current hour-long window (see account.LoginLimit).
	FailedLogins      int
	FailedLoginWindow int64 // unix seconds the window began
	// EmailNotifications is false when the member turned notification e-mails off (absent
	// means true). HiddenFields are profile lists left out of the public profile and of
	// the member search (a subset of HideableFields).
	EmailNotifications *bool
	HiddenFields       []string
	// MutedEmailKinds are the kinds of notification whose e-mails the member turned off
	// one by one (a one-click unsubscribe, or PATCH /v1/me); the notifications still show.
	MutedEmailKinds []string
	// A staff account's welcome e-mail: its outbox state (pending, sent, failed,
	// suppressed, limited; "" for accounts without one) and why it was not sent.
	InvitationMail   string
	InvitationReason string
}

// Preferences are a member's choices about notifications and their public profile.
type Preferences struct {
	EmailNotifications bool     `json:"emailNotifications"`
	HiddenFields       []string `json:"hiddenFields"`
	MutedEmailKinds    []string `json:"mutedEmailKinds"`
}

// HideableFields are the profile lists a member may hide from others.
var HideableFields = []string{"subjects", "ageGroups", "languages", "interests"}

// IsHideableField reports whether f is one of HideableFields.
func IsHideableField(f string) bool {
	for _, h := range HideableFields {
		if h == f {
			return true
		}
	}
	return false
}

// WantsNotificationEmails reports whether notifications are e-mailed to the member (the default).
func (m *Member) WantsNotificationEmails() bool {
	return m.EmailNotifications == nil || *m.EmailNotifications
}

// Hides reports whether the member hides the profile list field from others.
func (m *Member) Hides(field string) bool {
	for _, h := range m.HiddenFields {
		if h == field {
			return true
		}
	}
	return false
}

// Preferences returns the member's preferences with their defaults filled in.
func (m *Member) Preferences() Preferences {
	hidden := append([]string{}, m.HiddenFields...)
	muted := append([]string{}, m.MutedEmailKinds...)
	return Preferences{EmailNotifications: m.WantsNotificationEmails(), HiddenFields: hidden, MutedEmailKinds: muted}
}

// HasSchool reports whether the member already belongs to schoolID.
func (m *Member) HasSchool(schoolID string) bool {
	for _, s := range m.Schools {
		if s.SchoolID == schoolID {
			return true
		}
	}
	return false
}

// usernamePattern is compiled on first use, not at init: \p{L} makes it ~1.4 MiB and
// a few ms, which every function linking this package would pay otherwise.
var usernamePattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[\p{L}\p{N}._-]{3,40}$`) })

// UsernameProblem says what is wrong with a username ("" when fine).
func UsernameProblem(u string) string {
	if !usernamePattern().MatchString(u) {
		return "must be 3-40 letters, digits, '.', '_' or '-'"
	}
	return ""
}

// UsernameKey is the folded form that makes usernames unique regardless of case.
func UsernameKey(u string) string { return fold.Case(u) }

// NormalizeEmail trims an address and lower-cases it (addresses are compared this way).
func NormalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// EmailProblem says what is wrong with an e-mail address ("" when fine).
func EmailProblem(e string) string {
	if e == "" {
		return "required"
	}
	if len(e) > 254 {
		return "must be at most 254 characters"
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Address != e || a.Name != "" || !strings.Contains(e[strings.LastIndex(e, "@")+1:], ".") {
		return "must be a plain e-mail address such as name@example.org"
	}
	return ""
}

// CheckName validates a required short text (names, titles): non-empty, at most max runes,
// no control characters.
func CheckName(f *apperr.Fields, field, v string, max int) {
	CheckText(f, field, v, max, true)
}

// CheckPersonName validates a person's name (first and last names of members, staff and
// imported accounts), which goes into e-mail subjects and other members' pages: what
// CheckName refuses, and also every character that is invisible or changes how the text
// around it reads (see NameRuneAllowed).
func CheckPersonName(f *apperr.Fields, field, v string, max int) {
	n := len(*f)
	CheckName(f, field, v, max)
	if len(*f) == n && strings.IndexFunc(v, func(r rune) bool { return !NameRuneAllowed(r) }) >= 0 {
		f.Add(field, "must not contain line breaks, control characters, invisible formatting characters or bidirectional controls")
	}
}

// NameRuneAllowed reports whether a person's name may hold r. Refused, from the Unicode
// tables of package unicode: control characters (Cc: tab, CR, LF, NEL and the rest),
// format characters (Cf: zero-width spaces, soft hyphens, the byte order mark, tags, and
// among them every bidirectional control: the embeddings and overrides U+202A-U+202E, the
// isolates U+2066-U+2069 and the marks U+200E, U+200F, U+061C, which Bidi_Control lists),
// and the line and paragraph separators (Zl U+2028, Zp U+2029). The two joiners ZWNJ
// (U+200C) and ZWJ (U+200D) stay allowed: they are part of the correct spelling of names
// in Persian and the Indic scripts, and neither breaks a line nor reorders text.
func NameRuneAllowed(r rune) bool {
	switch {
	case r == '\u200c' || r == '\u200d':
		return true
	case unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Bidi_Control):
		return false
	}
	return true
}

// CheckText validates free text; required says whether it may be empty.
func CheckText(f *apperr.Fields, field, v string, max int, required bool) {
	switch {
	case strings.TrimSpace(v) == "":
		if required {
			f.Add(field, "required")
		}
	case !utf8.ValidString(v):
		f.Add(field, "must be valid UTF-8 text")
	case utf8.RuneCountInString(v) > max:
		f.Add(field, "must be at most %d characters", max)
	case strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
		f.Add(field, "must not contain control characters")
	}
}

// CheckCodes validates a list of vocabulary codes: at least min, at most max, all known,
// no repeats.
func CheckCodes(f *apperr.Fields, field string, codes []string, min, max int, known func(string) bool) {
	if len(codes) < min {
		f.Add(field, "must list at least %d value(s)", min)
		return
	}
	if len(codes) > max {
		f.Add(field, "must list at most %d values", max)
		return
	}
	seen := map[string]bool{}
	for i, c := range codes {
		switch {
		case !known(c):
			f.Add(field+"."+itoa(i), "unknown value %q (see GET /v1/vocabularies)", clip(c))
		case seen[c]:
			f.Add(field+"."+itoa(i), "repeats %q", clip(c))
		}
		seen[c] = true
	}
}

// CheckCode validates one required vocabulary code.
func CheckCode(f *apperr.Fields, field, code string, known func(string) bool) {
	if code == "" {
		f.Add(field, "required")
	} else if !known(code) {
		f.Add(field, "unknown value %q (see GET /v1/vocabularies)", clip(code))
	}
}

// Validate checks a whole profile, naming fields under prefix ("profile").
func (p *Profile) Validate(f *apperr.Fields, prefix string) {
	CheckCode(f, prefix+".role", p.Role, vocab.IsRole)
	CheckCodes(f, prefix+".subjects", p.Subjects, 1, 20, vocab.IsSubject)
	CheckCodes(f, prefix+".ageGroups", p.AgeGroups, 1, 5, vocab.IsAgeGroup)
	CheckCode(f, prefix+".projectExperience", p.ProjectExperience, vocab.IsProjectExperience)
	CheckCodes(f, prefix+".interests", p.Interests, 1, 20, vocab.IsTheme)
	CheckCodes(f, prefix+".languages", p.Languages, 1, 10, vocab.IsLanguage)
	CheckText(f, prefix+".projectIdeas", p.ProjectIdeas, 2000, false)
}

func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

func itoa(i int) string { return strconv.Itoa(i) }

// Package registration is the two-step sign-up: a pre-registration that e-mails a
// single-use link, then the registration form opened from it, which creates the member
// and registers their school or joins a registered one.
package registration

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/mail"
	"etwin/shared/member"
	"etwin/shared/outbox"
	"etwin/shared/password"
	"etwin/shared/school"
	"etwin/shared/token"
	"etwin/shared/vocab"
)

// LinkLifetime is how long a pre-registration holds its username, from its first request:
// its e-mailed links (a renewal's too) work until then.
const LinkLifetime = 72 * time.Hour

// MaxPendingPerEmail is how many usernames one address may hold at once with pending
// pre-registrations.
const MaxPendingPerEmail = 3

// Pending is a pre-registration waiting for its form.
type Pending struct {
	TokenHash    string
	FirstName    string
	LastName     string
	Email        string
	Username     string
	PasswordHash string
	Language     string
	CreatedAt    time.Time
	ExpiresAt    time.Time
	UsedAt       *time.Time
}

// Hold is how a username is held, as its guard says: by a member, or by the pending
// pre-registration of an address until a given time.
type Hold struct {
	Member    bool      // a member has the username
	Email     string    // else the (normalised) address of the pre-registration holding it,
	TokenHash string    // the hash of its current link (the newest; older ones are superseded),
	Until     time.Time // and when the hold ends: LinkLifetime after its first request
}

// HeldBy reports whether the hold is a pending pre-registration of email still running at
// now.
func (h Hold) HeldBy(email string, now time.Time) bool {
	return !h.Member && h.Email == email && now.Before(h.Until)
}

// Current reports whether tokenHash is the hold's current link: the link of a
// pre-registration that was renewed since is superseded.
func (h Hold) Current(tokenHash string) bool { return !h.Member && h.TokenHash == tokenHash }

// HoldUntil is when the hold of a pre-registration of email made at now ends (held: the
// username has a hold, h). Pre-registering again while the address holds the username
// renews the link, not the hold: it keeps the running hold's end. Otherwise the hold is
// new and lasts LinkLifetime.
func HoldUntil(h Hold, held bool, email string, now time.Time) time.Time {
	if held && h.HeldBy(email, now) {
		return h.Until
	}
	return now.Add(LinkLifetime)
}

// Holds are the usernames one address holds with pending pre-registrations: the folded
// username (member.UsernameKey) and when its hold ends.
type Holds map[string]time.Time

// Take is the address's holds after it pre-registers username until until, at now: the
// holds that ended are dropped and username is held until until. A username it holds
// already is renewed at any count; a new one is refused with ErrTooManyPending when the
// address holds MaxPendingPerEmail others.
func (h Holds) Take(username string, until, now time.Time) (Holds, error) {
	k := member.UsernameKey(username)
	out := Holds{}
	for u, end := range h {
		if u != k && now.Before(end) {
			out[u] = end
		}
	}
	if len(out) >= MaxPendingPerEmail {
		return nil, ErrTooManyPending
	}
	out[k] = until
	return out, nil
}

// Errors the store reports when a condition fails.
var (
	ErrUsernameTaken = errors.New("registration: username taken")
	ErrLinkSpent     = errors.New("registration: link used, expired or replaced")
	ErrEmailTaken    = errors.New("registration: e-mail already has an account")
	ErrSchoolMissing = errors.New("registration: school not registered")
)

// ErrTooManyPending: the address holds MaxPendingPerEmail other usernames already.
var ErrTooManyPending = errors.New("registration: the address holds the most pending usernames")

// DuplicateSchoolError says which registered school a new one duplicates.
type DuplicateSchoolError struct{ SchoolID string }

func (e *DuplicateSchoolError) Error() string { return "duplicate school " + e.SchoolID }

// Completion is everything the completing transaction writes.
type Completion struct {
	Pending   Pending
	Member    member.Member
	NewSchool *school.School // nil when joining a registered school
	SchoolID  string
	Now       time.Time
}

// Store is what registration needs from the database.
type Store interface {
	// EmailHasAccount reports whether an account uses the (normalised) address.
	EmailHasAccount(ctx context.Context, email string) (bool, error)
	// UsernameAvailableFor reports whether a pre-registration with email may take the
	// username (free, expired hold, or held by a pending pre-registration of that email).
	UsernameAvailableFor(ctx context.Context, username, email string, now time.Time) (bool, error)
	// UsernameHold reads the hold of a username (held false: nobody holds it).
	UsernameHold(ctx context.Context, username string) (h Hold, held bool, err error)
	// PutPending stores p and holds its username until p.ExpiresAt, atomically, with the
	// address's Holds (Holds.Take); ErrUsernameTaken if another address or a member holds
	// it, ErrTooManyPending if the address holds too many. A hold of the same address is
	// renewed only when that does not extend it.
	// Its e-mail m is committed in the same transaction.
	PutPending(ctx context.Context, p Pending, now time.Time, m outbox.Mail) error
	// QueueMail commits an e-mail that no other change goes with.
	QueueMail(ctx context.Context, ms ...outbox.Mail) error
	GetPending(ctx context.Context, tokenHash string) (Pending, bool, error)
	GetSchool(ctx context.Context, schoolID string) (school.School, bool, error)
	// Complete writes c in one transaction: spends the link, turns the username hold into
	// the member's, claims the e-mail, creates the member and (new) school.
	Complete(ctx context.Context, c Completion) error
}

// Service runs the registration use cases.
type Service struct {
	Store Store
	Now   func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// StartInput is the pre-registration form.
type StartInput struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
	Username  string `json:"username"`
	Password  string `json:"password"`
	Language  string `json:"language"`
}

// Validate checks the pre-registration form.
func (in *StartInput) Validate() error {
	var f apperr.Fields
	member.CheckPersonName(&f, "firstName", in.FirstName, 100)
	member.CheckPersonName(&f, "lastName", in.LastName, 100)
	if msg := member.EmailProblem(in.Email); msg != "" {
		f.Add("email", "%s", msg)
	}
	if msg := member.UsernameProblem(in.Username); msg != "" {
		f.Add("username", "%s", msg)
	}
	if in.Password == "" {
		f.Add("password", "required")
	} else if msg := password.Problem(in.Password, in.Username, in.Email); msg != "" {
		f.Add("password", "%s", msg)
	}
	member.CheckCode(&f, "language", in.Language, vocab.IsLanguage)
	return f.Err()
}

// Start pre-registers: holds the username and e-mails the link to the form. An address
// that already has an account gets a "you already have an account" e-mail instead, and
// the caller sees the same answer either way. Pre-registering again renews the link but
// not the hold (HoldUntil); an address holds at most MaxPendingPerEmail usernames.
func (s *Service) Start(ctx context.Context, in StartInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	now := s.now()
	email := member.NormalizeEmail(in.Email)
	// Hash first, on every path, so both answers cost the same work.
	hash, err := password.Hash(in.Password)
	if err != nil {
		return err
	}
	hasAccount, err := s.Store.EmailHasAccount(ctx, email)
	if err != nil {
		return err
	}
	if hasAccount {
		ok, err := s.Store.UsernameAvailableFor(ctx, in.Username, email, now)
		if err != nil {
			return err
		}
		if !ok {
			return usernameTaken()
		}
		return s.Store.QueueMail(ctx, outbox.New(mail.Envelope{Kind: mail.AccountExists, To: email, Lang: in.Language,
			Link: link("password-reset", ""), Stranger: true}, nil, now))
	}
	hold, held, err := s.Store.UsernameHold(ctx, in.Username)
	if err != nil {
		return err
	}
	tok := token.New()
	p := Pending{
		TokenHash: token.Hash(tok), FirstName: strings.TrimSpace(in.FirstName), LastName: strings.TrimSpace(in.LastName),
		Email: email, Username: in.Username, PasswordHash: hash, Language: in.Language,
		CreatedAt: now, ExpiresAt: HoldUntil(hold, held, email, now),
	}
	m := outbox.New(mail.Envelope{Kind: mail.RegistrationLink, To: email, Lang: in.Language,
		Data: map[string]string{"FirstName": p.FirstName}, Link: link("register", tok),
		Times: map[string]time.Time{"Expires": p.ExpiresAt}, Stranger: true}, nil, now)
	if err := s.Store.PutPending(ctx, p, now, m); err != nil {
		// An address over its limit hears what a taken username hears: the answer tells
		// nobody what else the address holds.
		if errors.Is(err, ErrUsernameTaken) || errors.Is(err, ErrTooManyPending) {
			return usernameTaken()
		}
		return err
	}
	return nil
}

func usernameTaken() error {
	return apperr.Conflict("This username is taken.", apperr.FieldError{Field: "username", Message: "taken"})
}

// link is a portal path: /<page>?token=<token>.
func link(page, tok string) string {
	u := "/" + page
	if tok != "" {
		u += "?token=" + url.QueryEscape(tok)
	}
	return u
}

// View is what the form shows of a pre-registration.
type View struct {
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Email     string `json:"email"`
	Username  string `json:"username"`
}

// Read returns the pre-registration behind a link: 404 unknown, 410 used, superseded by
// a renewal, or expired.
func (s *Service) Read(ctx context.Context, tok string) (View, error) {
	p, err := s.pending(ctx, tok)
	if err != nil {
		return View{}, err
	}
	return View{FirstName: p.FirstName, LastName: p.LastName, Email: p.Email, Username: p.Username}, nil
}

func (s *Service) pending(ctx context.Context, tok string) (Pending, error) {
	if !token.WellFormed(tok) {
		return Pending{}, apperr.NotFound("This registration link is unknown.")
	}
	p, ok, err := s.Store.GetPending(ctx, token.Hash(tok))
	if err != nil {
		return Pending{}, err
	}
	if !ok {
		return Pending{}, apperr.NotFound("This registration link is unknown.")
	}
	if p.UsedAt != nil || !s.now().Before(p.ExpiresAt) {
		return Pending{}, spent()
	}
	// A link that a renewal superseded is spent too: only the hold's current link works.
	hold, held, err := s.Store.UsernameHold(ctx, p.Username)
	if err != nil {
		return Pending{}, err
	}
	if !held || !hold.Current(p.TokenHash) {
		return Pending{}, spent()
	}
	return p, nil
}

func spent() error {
	return apperr.Gone("This registration link was already used, replaced by a newer one, or has expired; pre-register again.")
}

// CompleteInput is the registration form.
type CompleteInput struct {
	Profile *member.Profile `json:"profile"`
	School  *school.Form    `json:"school"`
}

// Validate checks the registration form.
func (in *CompleteInput) Validate() error {
	var f apperr.Fields
	if in.Profile == nil {
		f.Add("profile", "required")
	} else {
		in.Profile.Validate(&f, "profile")
	}
	if in.School == nil {
		f.Add("school", "required")
	} else {
		in.School.Validate(&f, "school")
	}
	return f.Err()
}

// Completed is the answer to a completed registration.
type Completed struct {
	MemberID string `json:"memberId"`
	SchoolID string `json:"schoolId"`
}

// Complete turns a pre-registration into a member with a school.
func (s *Service) Complete(ctx context.Context, tok string, in CompleteInput) (Completed, error) {
	if err := in.Validate(); err != nil {
		return Completed{}, err
	}
	p, err := s.pending(ctx, tok)
	if err != nil {
		return Completed{}, err
	}
	now := s.now()
	c := Completion{Pending: p, Now: now}
	var ref member.SchoolRef
	if in.School.IsExisting() {
		sc, ok, err := s.Store.GetSchool(ctx, in.School.ExistingSchoolID)
		if err != nil {
			return Completed{}, err
		}
		if !ok {
			return Completed{}, apperr.Invalid(apperr.FieldError{Field: "school.existingSchoolId", Message: "no registered school has this id"})
		}
		ref = sc.Ref()
	} else {
		sc := in.School.New(token.ID("s-"), now)
		c.NewSchool = &sc
		ref = sc.Ref()
	}
	c.SchoolID = ref.SchoolID
	c.Member = member.Member{
		MemberID: token.ID("m-"), Username: p.Username, FirstName: p.FirstName, LastName: p.LastName,
		Email: p.Email, Language: p.Language, Role: member.RoleTeacher, Country: ref.Country,
		Profile: in.Profile, Schools: []member.SchoolRef{ref}, PasswordHash: p.PasswordHash, CreatedAt: now,
	}
	if err := s.Store.Complete(ctx, c); err != nil {
		var dup *DuplicateSchoolError
		switch {
		case errors.As(err, &dup):
			return Completed{}, DuplicateSchool(dup.SchoolID)
		case errors.Is(err, ErrLinkSpent):
			return Completed{}, spent()
		case errors.Is(err, ErrEmailTaken):
			return Completed{}, apperr.Conflict("An account with this e-mail address exists already.", apperr.FieldError{Field: "email", Message: "already has an account"})
		case errors.Is(err, ErrSchoolMissing):
			return Completed{}, apperr.Invalid(apperr.FieldError{Field: "school.existingSchoolId", Message: "no registered school has this id"})
		}
		return Completed{}, err
	}
	return Completed{MemberID: c.Member.MemberID, SchoolID: c.SchoolID}, nil
}

// DuplicateSchool is the 409 that points at the registered school a new one duplicates.
func DuplicateSchool(schoolID string) error {
	return apperr.Conflict("This school is already registered; join it with existingSchoolId.",
		apperr.FieldError{Field: "school.name", Message: "a school with this name is registered in this city"}).
		With("schoolId", schoolID)
}

// Package staff creates the accounts of the support organisations: NSO accounts (one
// country each) and CSS accounts. A CSS account creates them through the API; the first CSS
// account comes from the operator command (infra/cmd/staff), demo and migrated ones from
// the import.
package staff

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"etwin/shared/account"
	"etwin/shared/apperr"
	"etwin/shared/mail"
	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/token"
	"etwin/shared/vocab"
)

// WelcomeLifetime is how long the "choose your password" link of a new staff account works.
const WelcomeLifetime = 72 * time.Hour

// Errors the store reports when a guard holds.
var (
	ErrUsernameTaken = errors.New("username taken")
	ErrEmailTaken    = errors.New("e-mail address taken")
)

// Input is the body of POST /v1/staff (and what the operator command and import give).
type Input struct {
	Username  string `json:"username"`
	Email     string `json:"email"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
	Role      string `json:"role"`              // nso or css
	Country   string `json:"country,omitempty"` // required for nso, absent for css
	Language  string `json:"language"`
}

// Validate checks the form; every bad field is named.
func (in *Input) Validate() error {
	var f apperr.Fields
	if msg := member.UsernameProblem(in.Username); msg != "" {
		f.Add("username", "%s", msg)
	}
	if msg := member.EmailProblem(in.Email); msg != "" {
		f.Add("email", "%s", msg)
	}
	member.CheckPersonName(&f, "firstName", in.FirstName, 100)
	member.CheckPersonName(&f, "lastName", in.LastName, 100)
	switch in.Role {
	case member.RoleNSO:
		member.CheckCode(&f, "country", in.Country, vocab.IsCountry)
	case member.RoleCSS:
		if in.Country != "" {
			f.Add("country", "only NSO accounts have a country")
		}
	case "":
		f.Add("role", "required")
	default:
		f.Add("role", "must be nso or css")
	}
	member.CheckCode(&f, "language", in.Language, vocab.IsLanguage)
	return f.Err()
}

// NewAccount is the member a staff account is stored as; passwordHash may be empty (the
// account then cannot sign in until a password is chosen through an e-mailed link).
func NewAccount(id string, in Input, passwordHash string, now time.Time) member.Member {
	return member.Member{
		MemberID: id, Username: in.Username, FirstName: in.FirstName, LastName: in.LastName,
		Email: strings.TrimSpace(in.Email), Language: in.Language, Role: in.Role, Country: in.Country,
		Schools: []member.SchoolRef{}, PasswordHash: passwordHash, CreatedAt: now,
	}
}

// Store is what the service needs of the database.
type Store interface {
	// CreateAccount stores a new account with its username and e-mail guards, or fails with
	// ErrUsernameTaken / ErrEmailTaken.
	CreateAccount(ctx context.Context, m member.Member) error
	PutReset(ctx context.Context, r account.Reset) error
}

// Service creates staff accounts.
type Service struct {
	Store     Store
	Mail      mail.Sender
	PortalURL string
	Now       func() time.Time
}

// Created is the answer to POST /v1/staff.
type Created struct {
	MemberID string `json:"memberId"`
	Username string `json:"username"`
	Role     string `json:"role"`
	Country  string `json:"country,omitempty"`
}

// Create makes a staff account on behalf of a CSS account and e-mails the new member a
// link to choose a password (the CSS never knows it).
func (s *Service) Create(ctx context.Context, who principal.Principal, in Input) (Created, error) {
	if who.Role != member.RoleCSS {
		return Created{}, apperr.Forbidden("Only Central Support Service accounts create staff accounts.")
	}
	if err := in.Validate(); err != nil {
		return Created{}, err
	}
	now := time.Now().UTC()
	if s.Now != nil {
		now = s.Now().UTC()
	}
	m := NewAccount(token.ID("m-"), in, "", now)
	if err := Register(ctx, s.Store, m); err != nil {
		return Created{}, err
	}
	tok := token.New()
	r := account.Reset{TokenHash: token.Hash(tok), MemberID: m.MemberID, CreatedAt: now, ExpiresAt: now.Add(WelcomeLifetime)}
	if err := s.Store.PutReset(ctx, r); err != nil {
		return Created{}, err
	}
	msg, err := mail.Render(mail.StaffWelcome, m.Language, m.Email, map[string]string{
		"FirstName": m.FirstName, "Username": m.Username, "Role": strings.ToUpper(m.Role),
		"Link":    strings.TrimRight(s.PortalURL, "/") + "/password-reset?token=" + url.QueryEscape(tok),
		"Expires": r.ExpiresAt.Format("2006-01-02 15:04 UTC")})
	if err != nil {
		return Created{}, err
	}
	if err := s.Mail.Send(ctx, msg); err != nil {
		// The account exists; the CSS can have a reset link sent later.
		return Created{}, apperr.Unavailable("The account was created but the e-mail could not be sent; ask for a password reset for it.")
	}
	return Created{MemberID: m.MemberID, Username: m.Username, Role: m.Role, Country: m.Country}, nil
}

// Register stores a new staff account, mapping the guards to 409s naming the field.
func Register(ctx context.Context, st Store, m member.Member) error {
	err := st.CreateAccount(ctx, m)
	switch {
	case errors.Is(err, ErrUsernameTaken):
		return apperr.Conflict("This username is taken.", apperr.FieldError{Field: "username", Message: "taken"})
	case errors.Is(err, ErrEmailTaken):
		return apperr.Conflict("This e-mail address already has an account.", apperr.FieldError{Field: "email", Message: "already has an account"})
	}
	return err
}

// MayCreate tells whether who may create staff accounts: only Central Support Service
// accounts may (403 for everyone else, before the request is even read).
func MayCreate(who principal.Principal) error {
	if who.Role != member.RoleCSS {
		return apperr.Forbidden("Only Central Support Service accounts create staff accounts.")
	}
	return nil
}

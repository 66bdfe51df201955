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
	"etwin/shared/outbox"
	"etwin/shared/principal"
	"etwin/shared/school"
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
	PutReset(ctx context.Context, r account.Reset, m outbox.Mail) error
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
}

// Service creates staff accounts.
type Service struct {
	Store Store
	Now   func() time.Time
}

// Created is the answer to POST /v1/staff.
type Created struct {
	MemberID   string     `json:"memberId"`
	Username   string     `json:"username"`
	Role       string     `json:"role"`
	Country    string     `json:"country,omitempty"`
	Invitation Invitation `json:"invitation"`
}

// Invitation is where a staff account's welcome e-mail is: its outbox state (pending,
// sent, failed, suppressed, limited) and, when it was not sent, why.
type Invitation struct {
	Mail   string `json:"mail"`
	Reason string `json:"reason,omitempty"`
}

// Account is a staff account as GET /v1/staff/{memberId} shows it to a CSS account.
type Account struct {
	MemberID  string    `json:"memberId"`
	Username  string    `json:"username"`
	FirstName string    `json:"firstName"`
	LastName  string    `json:"lastName"`
	Email     string    `json:"email"`
	Role      string    `json:"role"`
	Country   string    `json:"country,omitempty"`
	Language  string    `json:"language"`
	CreatedAt time.Time `json:"createdAt"`
	// Invitation is absent for an account made without one (the import).
	Invitation *Invitation `json:"invitation,omitempty"`
}

// Get shows a staff account and its welcome e-mail's fate to a CSS account (others: 403
// before anything is read; an unknown id or a teacher's: 404).
func (s *Service) Get(ctx context.Context, who principal.Principal, memberID string) (Account, error) {
	if err := MayCreate(who); err != nil {
		return Account{}, err
	}
	notFound := apperr.NotFound("There is no staff account with this id.")
	if !school.ValidID(memberID) {
		return Account{}, notFound
	}
	m, ok, err := s.Store.GetMember(ctx, memberID)
	if err != nil {
		return Account{}, err
	}
	if !ok || (m.Role != member.RoleNSO && m.Role != member.RoleCSS) {
		return Account{}, notFound
	}
	a := Account{MemberID: m.MemberID, Username: m.Username, FirstName: m.FirstName, LastName: m.LastName, Email: m.Email,
		Role: m.Role, Country: m.Country, Language: m.Language, CreatedAt: m.CreatedAt}
	if m.InvitationMail != "" {
		a.Invitation = &Invitation{Mail: m.InvitationMail, Reason: m.InvitationReason}
	}
	return a, nil
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
	m.InvitationMail = outbox.Pending // until the mail-sender records the welcome e-mail's fate
	if err := Register(ctx, s.Store, m); err != nil {
		return Created{}, err
	}
	tok := token.New()
	r := account.Reset{TokenHash: token.Hash(tok), MemberID: m.MemberID, CreatedAt: now, ExpiresAt: now.Add(WelcomeLifetime)}
	e := mail.Envelope{Kind: mail.StaffWelcome, To: m.Email, Lang: m.Language, Country: m.Country,
		Data: map[string]string{"FirstName": m.FirstName, "Username": m.Username, "Role": strings.ToUpper(m.Role)},
		Link: "/password-reset?token=" + url.QueryEscape(tok), Times: map[string]time.Time{"Expires": r.ExpiresAt}}
	if err := s.Store.PutReset(ctx, r, outbox.New(e, &outbox.Ref{Type: outbox.RefInvitation, MemberID: m.MemberID}, now)); err != nil {
		return Created{}, err
	}
	return Created{MemberID: m.MemberID, Username: m.Username, Role: m.Role, Country: m.Country,
		Invitation: Invitation{Mail: outbox.Pending}}, nil
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

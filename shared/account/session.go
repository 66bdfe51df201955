// Package account is a member's own account: sessions (login, logout, the check behind
// every protected route), the personal page, and password resets.
package account

import (
	"context"
	"errors"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/member"
	"etwin/shared/outbox"
	"etwin/shared/password"
	"etwin/shared/principal"
	"etwin/shared/school"
	"etwin/shared/token"
)

// Session limits: a session ends after IdleTimeout without requests, and in any case
// AbsoluteTimeout after login. Activity is written at most every TouchEvery.
const (
	IdleTimeout     = 2 * time.Hour
	AbsoluteTimeout = 12 * time.Hour
	TouchEvery      = 5 * time.Minute
)

// Failed logins allowed per account and hour; beyond that, logins are refused (the same
// 401) until the hour ends or the password is reset by e-mail.
const (
	LoginLimit  = 100
	LoginWindow = time.Hour
)

// Session is a signed-in member's session.
type Session struct {
	MemberID   string
	TokenHash  string
	Role       string
	Country    string
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ProjectID is, for a pupil's session (Role principal.RolePupil), their project.
	ProjectID string
}

// Expired reports whether the session has ended by now.
func (s *Session) Expired(now time.Time) bool {
	return !now.Before(s.CreatedAt.Add(AbsoluteTimeout)) || !now.Before(s.LastSeenAt.Add(IdleTimeout))
}

// ExpiresAt is when the session ends at the latest.
func (s *Session) ExpiresAt() time.Time { return s.CreatedAt.Add(AbsoluteTimeout) }

// Store is what the account use cases need from the database.
type Store interface {
	MemberByUsername(ctx context.Context, username string) (member.Member, bool, error)
	MemberByEmail(ctx context.Context, email string) (member.Member, bool, error)
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	// RecordFailedLogin counts a failed login in the member's current window.
	RecordFailedLogin(ctx context.Context, memberID string, now time.Time) error
	PutSession(ctx context.Context, s Session) error
	GetSession(ctx context.Context, memberID, tokenHash string) (Session, bool, error)
	TouchSession(ctx context.Context, memberID, tokenHash string, now time.Time) error
	DeleteSession(ctx context.Context, memberID, tokenHash string) error
	DeleteAllSessions(ctx context.Context, memberID string) error
	// PupilByUsername finds a pupil's credentials through the username guard (a pupil's
	// hold); Open tells whether their project is still approved.
	PupilByUsername(ctx context.Context, username string) (PupilLogin, bool, error)

	// UpdateMember reads the member (strongly consistent), lets decide change them and
	// writes the change with their search index, conditional on the version read; when
	// another writer won first it reads and decides again. An error from decide is
	// returned and nothing is written; ErrNoMember when the member is gone.
	UpdateMember(ctx context.Context, memberID string, decide func(m *member.Member) error) (member.Member, error)
	GetSchool(ctx context.Context, schoolID string) (school.School, bool, error)
	// AddSchool gives the member a school (a new one is registered in the same
	// transaction); ErrHasSchool if they have it already.
	AddSchool(ctx context.Context, memberID string, ref member.SchoolRef, newSchool *school.School) error

	// PutReset stores a reset link and commits its e-mail, atomically; a member's link
	// becomes their current one in the same write, which voids their older links.
	PutReset(ctx context.Context, r Reset, m outbox.Mail) error
	GetReset(ctx context.Context, tokenHash string) (Reset, bool, error)
	// CurrentReset is the token hash of the member's current reset link ("" when none:
	// a completed reset voids them all).
	CurrentReset(ctx context.Context, memberID string) (string, error)
	// UseReset spends the reset link and sets the new password hash atomically;
	// ErrResetSpent when the link was used, expired or replaced meanwhile.
	UseReset(ctx context.Context, r Reset, passwordHash string, now time.Time) error
}

// Errors the store reports when a condition fails.
var (
	ErrHasSchool    = errors.New("account: member already has this school")
	ErrResetSpent   = errors.New("account: reset link used, expired or replaced")
	ErrNoSuchSchool = errors.New("account: no such school")
)

// DuplicateSchoolError names the registered school a new one duplicates.
type DuplicateSchoolError struct{ SchoolID string }

func (e *DuplicateSchoolError) Error() string { return "duplicate school " + e.SchoolID }

// Service runs the account use cases.
type Service struct {
	Store Store
	Now   func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

// LoginInput is the login form.
type LoginInput struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// Validate names the missing fields (the decoder adds them to the wrong-typed ones).
func (in *LoginInput) Validate() error {
	var f apperr.Fields
	if in.Username == "" || len(in.Username) > 200 {
		f.Add("username", "required")
	}
	if in.Password == "" || len(in.Password) > 1024 {
		f.Add("password", "required")
	}
	return f.Err()
}

// LoginResult is a new session.
type LoginResult struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	MemberID  string    `json:"memberId"`
	// Role is the account's role ("pupil" for a pupil's session).
	Role string `json:"role"`
}

// PupilLogin is what a pupil's sign-in needs (package pupil owns the account).
type PupilLogin struct {
	PupilID      string
	ProjectID    string
	Username     string
	PasswordHash string
	// Open: the project is approved (a closed project's pupils sign in no more).
	Open bool
}

func badLogin() error {
	return apperr.Unauthorized("The username or password is wrong.")
}

// Login checks the username (exact case) and password and opens a session. Unknown
// usernames, wrong case, wrong passwords and rate-limited accounts all get the same 401
// after the same work.
func (s *Service) Login(ctx context.Context, in LoginInput) (LoginResult, error) {
	if err := in.Validate(); err != nil {
		return LoginResult{}, err
	}
	now := s.now()
	m, ok, err := s.Store.MemberByUsername(ctx, in.Username)
	if err != nil {
		return LoginResult{}, err
	}
	if !ok {
		return s.pupilLogin(ctx, in, now)
	}
	if m.Username != in.Username || m.PasswordHash == "" {
		password.VerifyDummy(in.Password)
		return LoginResult{}, badLogin()
	}
	limited := m.FailedLogins >= LoginLimit && now.Unix() < m.FailedLoginWindow+int64(LoginWindow.Seconds())
	if limited {
		password.VerifyDummy(in.Password)
		return LoginResult{}, badLogin()
	}
	good, err := password.Verify(in.Password, m.PasswordHash)
	if err != nil {
		return LoginResult{}, err
	}
	if !good {
		if err := s.Store.RecordFailedLogin(ctx, m.MemberID, now); err != nil {
			return LoginResult{}, err
		}
		return LoginResult{}, badLogin()
	}
	secret := token.New()
	sess := Session{MemberID: m.MemberID, TokenHash: token.Hash(secret), Role: m.Role, Country: m.Country, CreatedAt: now, LastSeenAt: now}
	if err := s.Store.PutSession(ctx, sess); err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Token: m.MemberID + "." + secret, ExpiresAt: sess.ExpiresAt(), MemberID: m.MemberID, Role: m.Role}, nil
}

// pupilLogin signs a pupil in (the username held by no member): the same 401, after the
// same work, for unknown usernames, wrong passwords and pupils of closed projects.
func (s *Service) pupilLogin(ctx context.Context, in LoginInput, now time.Time) (LoginResult, error) {
	pl, ok, err := s.Store.PupilByUsername(ctx, in.Username)
	if err != nil {
		return LoginResult{}, err
	}
	if !ok || pl.Username != in.Username || pl.PasswordHash == "" || !pl.Open {
		password.VerifyDummy(in.Password)
		return LoginResult{}, badLogin()
	}
	good, err := password.Verify(in.Password, pl.PasswordHash)
	if err != nil {
		return LoginResult{}, err
	}
	if !good {
		return LoginResult{}, badLogin()
	}
	secret := token.New()
	sess := Session{MemberID: pl.PupilID, TokenHash: token.Hash(secret), Role: principal.RolePupil, ProjectID: pl.ProjectID, CreatedAt: now, LastSeenAt: now}
	if err := s.Store.PutSession(ctx, sess); err != nil {
		return LoginResult{}, err
	}
	return LoginResult{Token: pl.PupilID + "." + secret, ExpiresAt: sess.ExpiresAt(), MemberID: pl.PupilID, Role: principal.RolePupil}, nil
}

// splitToken parses "<memberId>.<secret>".
func splitToken(tok string) (memberID, secret string, ok bool) {
	i := strings.LastIndexByte(tok, '.')
	if i <= 0 {
		return "", "", false
	}
	memberID, secret = tok[:i], tok[i+1:]
	return memberID, secret, school.ValidID(memberID) && token.WellFormed(secret)
}

// Authenticate implements httpapi.Authenticator: one strongly consistent read of the
// session; an idle or absolute expiry ends it.
func (s *Service) Authenticate(ctx context.Context, tok string) (principal.Principal, error) {
	memberID, secret, ok := splitToken(tok)
	if !ok {
		return principal.Principal{}, apperr.NoSession()
	}
	h := token.Hash(secret)
	sess, found, err := s.Store.GetSession(ctx, memberID, h)
	if err != nil {
		return principal.Principal{}, err
	}
	now := s.now()
	if !found || sess.Expired(now) {
		return principal.Principal{}, apperr.NoSession()
	}
	if now.Sub(sess.LastSeenAt) >= TouchEvery {
		if err := s.Store.TouchSession(ctx, memberID, h, now); err != nil {
			return principal.Principal{}, err
		}
	}
	p := principal.Principal{MemberID: memberID, Role: sess.Role, Country: sess.Country, SessionKey: h}
	if sess.Role == principal.RolePupil {
		if sess.ProjectID == "" {
			return principal.Principal{}, apperr.NoSession()
		}
		p.ProjectID = sess.ProjectID
	}
	return p, nil
}

// Logout ends the caller's session at once.
func (s *Service) Logout(ctx context.Context, who principal.Principal) error {
	return s.Store.DeleteSession(ctx, who.MemberID, who.SessionKey)
}

package account

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/mail"
	"etwin/shared/member"
	"etwin/shared/outbox"
	"etwin/shared/password"
	"etwin/shared/token"
)

// ResetLifetime is how long an e-mailed password-reset link works.
const ResetLifetime = time.Hour

// Reset is a pending password reset.
type Reset struct {
	TokenHash string
	MemberID  string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// ResetRequest is the body of POST /v1/password-resets.
type ResetRequest struct {
	Email string `json:"email"`
}

// Validate checks the address (the decoder adds it to the wrong-typed fields).
func (in *ResetRequest) Validate() error {
	if msg := member.EmailProblem(strings.TrimSpace(in.Email)); msg != "" {
		return apperr.Invalid(apperr.FieldError{Field: "email", Message: msg})
	}
	return nil
}

// RequestReset e-mails a reset link when the address has an account (the new link voids
// the member's older ones, see Store.PutReset). The caller gets the same answer either
// way, and the same work is done: an unknown address gets an already expired decoy link
// written (nobody knows its token) and an e-mail saying that no account uses it, so
// neither the answer nor its timing tells whether the account exists.
func (s *Service) RequestReset(ctx context.Context, in ResetRequest) error {
	if err := in.Validate(); err != nil {
		return err
	}
	now := s.now()
	m, ok, err := s.Store.MemberByEmail(ctx, member.NormalizeEmail(in.Email))
	if err != nil {
		return err
	}
	tok := token.New()
	r := Reset{TokenHash: token.Hash(tok), MemberID: m.MemberID, CreatedAt: now, ExpiresAt: now.Add(ResetLifetime)}
	if !ok {
		r.MemberID, r.ExpiresAt = "", now // the decoy: unusable, removed by the TTL
	}
	e := mail.Envelope{Kind: mail.ResetNoAccount, To: strings.TrimSpace(in.Email), Link: "/register", Stranger: true}
	if ok {
		e = mail.Envelope{Kind: mail.PasswordReset, To: m.Email, Lang: m.Language, Country: m.Country,
			Data:  map[string]string{"FirstName": m.FirstName, "Username": m.Username},
			Link:  "/password-reset?token=" + url.QueryEscape(tok),
			Times: map[string]time.Time{"Expires": r.ExpiresAt}, Stranger: true}
	}
	return s.Store.PutReset(ctx, r, outbox.New(e, nil, now))
}

// ResetConfirm is the body of POST /v1/password-resets/{token}.
type ResetConfirm struct {
	Password string `json:"password"`
}

// Validate names a missing password (the decoder adds it to the wrong-typed fields).
func (in *ResetConfirm) Validate() error {
	if in.Password == "" {
		return apperr.Invalid(apperr.FieldError{Field: "password", Message: "required"})
	}
	return nil
}

// ConfirmReset sets the new password, spends the link, clears the failed-login count and
// ends every session of the member. A link that a newer one replaced, or that was issued
// before a completed reset, answers like a used one (410).
func (s *Service) ConfirmReset(ctx context.Context, tok string, in ResetConfirm) error {
	if err := in.Validate(); err != nil {
		return err
	}
	if !token.WellFormed(tok) {
		return apperr.NotFound("This reset link is unknown.")
	}
	now := s.now()
	r, ok, err := s.Store.GetReset(ctx, token.Hash(tok))
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFound("This reset link is unknown.")
	}
	if r.UsedAt != nil || !now.Before(r.ExpiresAt) {
		return resetSpent()
	}
	// Only the member's newest link works: a newer one, or a completed reset, voids it
	// (UseReset checks again in the transaction that spends it).
	if current, err := s.Store.CurrentReset(ctx, r.MemberID); err != nil {
		return err
	} else if current != r.TokenHash {
		return resetSpent()
	}
	m, ok, err := s.Store.GetMember(ctx, r.MemberID)
	if err != nil {
		return err
	}
	if !ok {
		return apperr.NotFound("This reset link is unknown.")
	}
	if msg := password.Problem(in.Password, m.Username, m.Email); msg != "" {
		return apperr.Invalid(apperr.FieldError{Field: "password", Message: msg})
	}
	hash, err := password.Hash(in.Password)
	if err != nil {
		return err
	}
	if err := s.Store.UseReset(ctx, r, hash, now); err != nil {
		if errors.Is(err, ErrResetSpent) {
			return resetSpent()
		}
		return err
	}
	return s.Store.DeleteAllSessions(ctx, r.MemberID)
}

func resetSpent() error {
	return apperr.Gone("This reset link was already used, replaced by a newer one, or has expired; ask for a new one.")
}

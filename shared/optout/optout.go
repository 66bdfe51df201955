// Package optout is the one-click unsubscribe of notification e-mails (RFC 8058). Every
// notification e-mail carries a link, <CONFIRM_URL>/unsubscribe/<token>, in its
// List-Unsubscribe header (with List-Unsubscribe-Post: List-Unsubscribe=One-Click) and in
// its footer. The token names the member and the kind of notification and is signed with
// HMAC-SHA-256 under a key from SSM Parameter Store, so no state is kept per e-mail: the
// mail-sender signs it as it sends, and the unsubscribe routes check it. A POST to the
// link turns e-mails of that kind off for that member (their other notification e-mails
// stay on); their preferences on /v1/me show it, and PATCH /v1/me turns it on again.
package optout

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"slices"
	"strings"

	"etwin/shared/apperr"
	"etwin/shared/member"
	"etwin/shared/principal"
	"etwin/shared/token"
)

// MaxToken bounds a token's length before any work is done on it.
const MaxToken = 400

// Signer signs and checks unsubscribe tokens. The zero Signer has no key: it signs nothing
// and accepts nothing.
type Signer struct{ key []byte }

// NewSigner is a Signer with key (at least 32 characters, see app).
func NewSigner(key string) Signer { return Signer{key: []byte(key)} }

// Ready reports whether s has a key.
func (s Signer) Ready() bool { return len(s.key) > 0 }

// Sign is the token for memberID's notification e-mails of kind: the two, base64url, a
// dot, and the MAC.
func (s Signer) Sign(memberID, kind string) string {
	if !s.Ready() {
		return ""
	}
	payload := []byte(memberID + "\n" + kind)
	return base64.RawURLEncoding.EncodeToString(payload) + "." + base64.RawURLEncoding.EncodeToString(s.mac(payload))
}

// Verify returns the member and kind a token names, if s signed it.
func (s Signer) Verify(tok string) (memberID, kind string, ok bool) {
	if !s.Ready() || len(tok) > MaxToken {
		return "", "", false
	}
	p, sig, found := strings.Cut(tok, ".")
	if !found {
		return "", "", false
	}
	payload, ok := token.Unbase64(p)
	if !ok {
		return "", "", false
	}
	got, ok := token.Unbase64(sig)
	if !ok || !hmac.Equal(got, s.mac(payload)) {
		return "", "", false
	}
	m, k, found := bytes.Cut(payload, []byte("\n"))
	if !found || len(m) == 0 || len(k) == 0 {
		return "", "", false
	}
	return string(m), string(k), true
}

func (s Signer) mac(payload []byte) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte("etwinning unsubscribe v1\n"))
	h.Write(payload)
	return h.Sum(nil)
}

// Store is what unsubscribing needs from the database.
type Store interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	// MuteEmailKind adds kind to the member's muted e-mail kinds (idempotent); found is
	// false when there is no such member.
	MuteEmailKind(ctx context.Context, memberID, kind string) (found bool, err error)
}

// Service runs the unsubscribe use cases.
type Service struct {
	Store  Store
	Signer Signer
	// Kinds are the notification kinds one may unsubscribe from.
	Kinds []string
}

// Subscription is what an unsubscribe link is about.
type Subscription struct {
	MemberID  string `json:"-"`
	FirstName string `json:"-"`
	Language  string `json:"-"`
	Kind      string `json:"kind"`
	// Muted: e-mails of this kind are off already.
	Muted bool `json:"muted"`
}

func unknownLink() error { return apperr.NotFound("This unsubscribe link is not valid.") }

// Read checks the token and says what it unsubscribes from (changing nothing).
func (s *Service) Read(ctx context.Context, _ principal.Principal, tok string) (Subscription, error) {
	memberID, kind, ok := s.Signer.Verify(tok)
	if !ok || !slices.Contains(s.Kinds, kind) {
		return Subscription{}, unknownLink()
	}
	m, found, err := s.Store.GetMember(ctx, memberID)
	if err != nil {
		return Subscription{}, err
	}
	if !found {
		return Subscription{}, unknownLink()
	}
	return Subscription{MemberID: memberID, FirstName: m.FirstName, Language: m.Language, Kind: kind,
		Muted: slices.Contains(m.MutedEmailKinds, kind)}, nil
}

// Unsubscribe turns the member's e-mails of the token's kind off (again: no change).
func (s *Service) Unsubscribe(ctx context.Context, who principal.Principal, tok string) (Subscription, error) {
	sub, err := s.Read(ctx, who, tok)
	if err != nil || sub.Muted {
		return sub, err
	}
	found, err := s.Store.MuteEmailKind(ctx, sub.MemberID, sub.Kind)
	if err != nil {
		return Subscription{}, err
	}
	if !found {
		return Subscription{}, unknownLink()
	}
	sub.Muted = true
	return sub, nil
}

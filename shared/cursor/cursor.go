// Package cursor makes the opaque list cursors: the position is signed with HMAC-SHA256
// and bound to the caller it was issued to, so a tampered cursor, or one used by someone
// else, is refused.
package cursor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/token"
)

// Signer signs and opens cursors with one key.
type Signer struct{ key []byte }

// New returns a Signer for key (at least 32 bytes of secret).
func New(key string) Signer { return Signer{key: []byte(key)} }

type envelope struct {
	Subject string          `json:"s"`
	Expires int64           `json:"e"`
	Pos     json.RawMessage `json:"p"`
}

var errNoKey = errors.New("cursor: no signing key (CURSOR_KEY) configured")

// lifetime of a cursor: long enough to page through a list, short enough not to linger.
const lifetime = 24 * time.Hour

// Encode returns a cursor for pos, bound to subject (a member id, or "" for public lists).
func (s Signer) Encode(subject string, pos any, now time.Time) (string, error) {
	if len(s.key) == 0 {
		return "", errNoKey // a function deployed without CURSOR_KEY: fail closed
	}
	p, err := json.Marshal(pos)
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(envelope{Subject: subject, Expires: now.Add(lifetime).Unix(), Pos: p})
	if err != nil {
		return "", err
	}
	b64 := base64.RawURLEncoding
	return b64.EncodeToString(body) + "." + b64.EncodeToString(s.mac(body)), nil
}

// Decode checks c and fills pos; anything wrong is a 400 naming "cursor".
func (s Signer) Decode(c, subject string, pos any, now time.Time) error {
	bad := apperr.BadRequest("The cursor is invalid or expired.", apperr.FieldError{Field: "cursor", Message: "invalid or expired"})
	bodyPart, macPart, ok := strings.Cut(c, ".")
	if !ok || len(c) > 4096 || len(s.key) == 0 {
		return bad
	}
	body, ok1 := token.Unbase64(bodyPart)
	mac, ok2 := token.Unbase64(macPart)
	if !ok1 || !ok2 || !hmac.Equal(mac, s.mac(body)) {
		return bad
	}
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil || env.Subject != subject || now.Unix() > env.Expires {
		return bad
	}
	if err := json.Unmarshal(env.Pos, pos); err != nil {
		return bad
	}
	return nil
}

func (s Signer) mac(body []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write(body)
	return m.Sum(nil)
}

// Ready tells whether s has a key (the zero Signer refuses every cursor).
func (s Signer) Ready() bool { return len(s.key) > 0 }

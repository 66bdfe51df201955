// Package token makes the secrets handed to users (e-mailed links, session tokens): 256
// bits from crypto/rand, stored only as their SHA-256 hash.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// New returns a fresh URL-safe token carrying 256 random bits.
func New() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error()) // never happens on Linux; nothing sensible to do
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Hash is the stored form of a token.
func Hash(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// WellFormed reports whether s looks like a token New made (cheap rejection of junk
// before any database read).
func WellFormed(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, ok := Unbase64(s)
	return ok
}

// Unbase64 decodes s as unpadded base64url, accepting only the one spelling that
// encoding gives: Go's decoders, even strict, skip CR and LF, so a token with a line
// break spliced in would otherwise decode to the same bytes as the one handed out.
func Unbase64(s string) ([]byte, bool) {
	if strings.ContainsAny(s, "\r\n") {
		return nil, false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s) // strict: unused trailing bits must be zero
	return b, err == nil
}

// ID returns a short random identifier (96 bits), URL-safe, for new items.
func ID(prefix string) string {
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// TimeID returns an identifier that sorts by creation time (milliseconds, fixed-width
// hex) and then randomly (72 bits): ids of one kind listed in key order are oldest first.
func TimeID(prefix string, t time.Time) string {
	b := make([]byte, 9)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%s%012x%s", prefix, t.UnixMilli(), base64.RawURLEncoding.EncodeToString(b))
}

// Package password hashes and checks passwords with argon2id and applies the password
// policy (12-128 characters, no composition rules, the most common passwords refused).
package password

import (
	"bufio"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Parameters follow OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane): ~21 ms here.
const (
	memoryKiB = 19 * 1024
	passes    = 2
	lanes     = 1
	saltLen   = 16
	keyLen    = 32
	MinLength = 12
	MaxLength = 128
)

//go:embed common.txt
var commonList string

var common = func() map[string]bool {
	m := map[string]bool{}
	s := bufio.NewScanner(strings.NewReader(commonList))
	for s.Scan() {
		if w := strings.TrimSpace(s.Text()); w != "" {
			m[strings.ToLower(w)] = true
		}
	}
	return m
}()

// Problem says what is wrong with a candidate password, or "" when it is acceptable.
// The username and e-mail are refused as passwords too.
func Problem(pw string, personal ...string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case !utf8.ValidString(pw):
		return "must be valid UTF-8 text"
	case n < MinLength:
		return fmt.Sprintf("must be at least %d characters", MinLength)
	case n > MaxLength:
		return fmt.Sprintf("must be at most %d characters", MaxLength)
	case common[strings.ToLower(pw)]:
		return "is one of the most common passwords; choose another"
	}
	for _, p := range personal {
		if p != "" && strings.EqualFold(pw, p) {
			return "must not be your username or e-mail address"
		}
	}
	return ""
}

// Hash returns an encoded argon2id hash (PHC string format) of pw with a fresh salt.
func Hash(pw string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, passes, memoryKiB, lanes, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, memoryKiB, passes, lanes,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformed is returned for a stored hash this package cannot read.
var ErrMalformed = errors.New("password: malformed hash")

// Verify reports whether pw matches the encoded hash, in constant time.
func Verify(pw, encoded string) (bool, error) {
	h, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(pw), h.salt, h.t, h.m, h.p, uint32(len(h.key)))
	return subtle.ConstantTimeCompare(got, h.key) == 1, nil
}

// CheckHash reports whether encoded is a hash Verify can read (an argon2id PHC string as
// Hash makes: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<key>, base64 without
// padding), without hashing anything.
func CheckHash(encoded string) error {
	_, err := decode(encoded)
	return err
}

type decoded struct {
	m, t      uint32
	p         uint8
	salt, key []byte
}

func decode(encoded string) (decoded, error) {
	var h decoded
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return h, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return h, ErrMalformed
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.m, &h.t, &h.p); err != nil || h.m == 0 || h.t == 0 || h.p == 0 || h.m > 1<<21 || h.t > 16 {
		return h, ErrMalformed
	}
	b64 := base64.RawStdEncoding
	var err1, err2 error
	h.salt, err1 = b64.DecodeString(parts[4])
	h.key, err2 = b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(h.key) == 0 {
		return h, ErrMalformed
	}
	return h, nil
}

// dummy is a real hash of a random password, verified against when the account is
// unknown, so that unknown and known usernames cost the same work. It is made on first
// use, not at init: every function links this package and most never need it (cold start).
var dummy = sync.OnceValue(func() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h, _ := Hash(base64.RawStdEncoding.EncodeToString(b))
	return h
})

// VerifyDummy spends the same work as Verify and always fails.
func VerifyDummy(pw string) {
	_, _ = Verify(pw, dummy())
}

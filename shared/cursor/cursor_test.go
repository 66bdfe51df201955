package cursor

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

type pos struct {
	PK, SK string
}

func TestRoundTripAndTamper(t *testing.T) {
	s := New("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	c, err := s.Encode("m-1", pos{"a", "b"}, now)
	if err != nil {
		t.Fatal(err)
	}
	var got pos
	if err := s.Decode(c, "m-1", &got, now); err != nil || got != (pos{"a", "b"}) {
		t.Fatalf("round trip: %v %v", got, err)
	}
	if err := s.Decode(c, "m-2", &got, now); err == nil {
		t.Fatal("a cursor issued to another member was accepted")
	}
	if err := s.Decode(c, "m-1", &got, now.Add(25*time.Hour)); err == nil {
		t.Fatal("an expired cursor was accepted")
	}
	for i := 0; i < len(c); i++ {
		b := []byte(c)
		b[i] ^= 1
		if err := s.Decode(string(b), "m-1", &got, now); err == nil {
			t.Fatalf("a cursor tampered at byte %d was accepted", i)
		}
	}
	if err := New("another key of thirty-two bytes!!").Decode(c, "m-1", &got, now); err == nil {
		t.Fatal("a cursor signed with another key was accepted")
	}
	// Go's base64 decoders skip CR and LF, even when strict: a cursor with a line break
	// spliced in is not the cursor that was issued.
	for _, at := range []int{1, len(c) / 2, len(c) - 1} {
		for _, brk := range []string{"\n", "\r"} {
			if err := s.Decode(c[:at]+brk+c[at:], "m-1", &got, now); err == nil {
				t.Fatalf("a cursor with %q at %d was accepted", brk, at)
			}
		}
	}
}

func TestNoKeyFailsClosed(t *testing.T) {
	var s Signer // zero: no key configured
	if _, err := s.Encode("m-1", map[string]string{"a": "b"}, time.Now()); err == nil {
		t.Fatal("a cursor was signed without a key")
	}
	good, _ := New("a key of at least thirty-two characters!").Encode("m-1", map[string]string{"a": "b"}, time.Now())
	var pos map[string]string
	if err := s.Decode(good, "m-1", &pos, time.Now()); err == nil {
		t.Fatal("a cursor was accepted without a key")
	}
}

// FuzzDecode: no cursor makes Decode panic, and only the exact text Encode gave is
// accepted (a cursor is the signed body, a dot and the MAC, each in one spelling).
func FuzzDecode(f *testing.F) {
	s := New("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
	good, err := s.Encode("m-1", pos{"a", "b"}, now)
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range []string{good, "", ".", "a.b", good[:10] + "\n" + good[10:]} {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, c string) {
		var got pos
		if s.Decode(c, "m-1", &got, now) != nil {
			return
		}
		body, _, _ := strings.Cut(c, ".")
		raw, _ := base64.RawURLEncoding.DecodeString(body)
		b64 := base64.RawURLEncoding
		if want := b64.EncodeToString(raw) + "." + b64.EncodeToString(s.mac(raw)); c != want {
			t.Fatalf("accepted %q, which Encode spells %q", c, want)
		}
	})
}

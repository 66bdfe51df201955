package cursor

import (
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

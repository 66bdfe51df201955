package token

import (
	"strings"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		tok := New()
		if !WellFormed(tok) {
			t.Fatalf("New made a token WellFormed refuses: %q", tok)
		}
		if seen[tok] {
			t.Fatal("duplicate token")
		}
		seen[tok] = true
	}
	// Go's base64 decoders skip CR and LF: 42 letters and a line break are 43 characters
	// that decode, but no token New makes.
	a := strings.Repeat("A", 21)
	if WellFormed("short") || WellFormed("!"+New()[1:]) || WellFormed(a+"\n"+a) || WellFormed(a+"\r"+a) {
		t.Fatal("WellFormed accepted junk")
	}
	if Hash("a") == Hash("b") || len(Hash("a")) != 64 {
		t.Fatal("Hash is not a SHA-256 hex digest")
	}
	if a, b := ID("m-"), ID("m-"); a == b || a[:2] != "m-" || len(a) != 18 {
		t.Fatalf("ID: %q %q", a, b)
	}
}

func TestSortableIDOrder(t *testing.T) {
	t0 := time.Date(2026, 11, 22, 8, 0, 0, 0, time.UTC)
	a, b := SortableID("n-", t0), SortableID("n-", t0.Add(time.Millisecond))
	if !(a < b) || len(a) != len(b) || a[:2] != "n-" {
		t.Fatalf("SortableID order: %q !< %q", a, b)
	}
}

package registration

import (
	"errors"
	"testing"
	"time"
)

// TestRenewingKeepsTheHoldsEnd: pre-registering again while the address holds the
// username keeps the end of the hold (72 h after the first request); a new or ended hold,
// or another address's, starts from now.
func TestRenewingKeepsTheHoldsEnd(t *testing.T) {
	first := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	h := Hold{Email: "ana@example.org", TokenHash: "t1", Until: first.Add(LinkLifetime)}
	for _, at := range []time.Duration{time.Minute, 24 * time.Hour, 71*time.Hour + 59*time.Minute} {
		now := first.Add(at)
		if got := HoldUntil(h, true, "ana@example.org", now); !got.Equal(first.Add(LinkLifetime)) {
			t.Errorf("renewed %v after the first request: ends %v, want %v", at, got, first.Add(LinkLifetime))
		}
	}
	now := first.Add(LinkLifetime) // the hold has ended: a new one
	if got := HoldUntil(h, true, "ana@example.org", now); !got.Equal(now.Add(LinkLifetime)) {
		t.Errorf("after the end: %v", got)
	}
	now = first.Add(time.Hour)
	for name, c := range map[string]struct {
		h     Hold
		held  bool
		email string
	}{
		"nobody holds it": {Hold{}, false, "ana@example.org"},
		"another address": {h, true, "ion@example.org"},
		"a member":        {Hold{Member: true}, true, "ana@example.org"},
	} {
		if got := HoldUntil(c.h, c.held, c.email, now); !got.Equal(now.Add(LinkLifetime)) {
			t.Errorf("%s: ends %v, want %v", name, got, now.Add(LinkLifetime))
		}
	}
}

// TestOnlyTheHoldsLinkIsCurrent: the link the hold names is current; a superseded one, or
// any once a member has the username, is not.
func TestOnlyTheHoldsLinkIsCurrent(t *testing.T) {
	h := Hold{Email: "ana@example.org", TokenHash: "t2", Until: time.Now().Add(time.Hour)}
	if !h.Current("t2") || h.Current("t1") || (Hold{Member: true}).Current("") {
		t.Fatal("current link")
	}
}

// TestAnAddressHoldsAtMostThree: a fourth username is refused while three holds run; a
// renewal at three is not; ended holds make room and are dropped.
func TestAnAddressHoldsAtMostThree(t *testing.T) {
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	until := now.Add(LinkLifetime)
	h := Holds{}
	for _, u := range []string{"ana.one", "Ana.Two", "ana.three"} {
		var err error
		if h, err = h.Take(u, until, now); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	}
	if len(h) != MaxPendingPerEmail {
		t.Fatalf("holds %v", h)
	}
	if _, err := h.Take("ana.four", until, now); !errors.Is(err, ErrTooManyPending) {
		t.Fatalf("a fourth username: %v", err)
	}
	if got, err := h.Take("ANA.TWO", h["ana.two"], now.Add(time.Hour)); err != nil || len(got) != 3 {
		t.Fatalf("renewing at the limit: %v %v", got, err)
	}
	h["ana.one"] = now.Add(time.Minute) // ends first
	later := now.Add(2 * time.Minute)
	got, err := h.Take("ana.four", later.Add(LinkLifetime), later)
	if err != nil {
		t.Fatalf("after a hold ended: %v", err)
	}
	if _, still := got["ana.one"]; still || len(got) != 3 || !got["ana.four"].Equal(later.Add(LinkLifetime)) {
		t.Fatalf("holds after: %v", got)
	}
	if len(h) != 3 {
		t.Fatal("Take changed the holds it was given")
	}
}

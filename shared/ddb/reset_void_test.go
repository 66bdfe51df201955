package ddb_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"etwin/shared/account"
	"etwin/shared/ddb"
	"etwin/shared/outbox"
	"etwin/shared/token"
)

// resetMember registers a member (pre-registration and completion, as the API does) and
// returns their id.
func resetMember(t *testing.T, s *ddb.Store, username string, now time.Time) string {
	t.Helper()
	ctx := context.Background()
	p := pending(username, username+"@example.org", now)
	if err := s.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	c := completion(p, newSchool("Școala "+username, now), "", now)
	if err := s.Complete(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c.Member.MemberID
}

func newReset(memberID string, now time.Time) account.Reset {
	return account.Reset{TokenHash: token.Hash(token.New()), MemberID: memberID, CreatedAt: now, ExpiresAt: now.Add(account.ResetLifetime)}
}

// TestNewerResetVoidsOlder: a new link makes the member's older one unusable, a
// completed reset leaves the member no usable link, and a decoy (no member) touches no
// member.
func TestNewerResetVoidsOlder(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	id := resetMember(t, s, "voids", now)
	if cur, err := s.CurrentReset(ctx, id); err != nil || cur != "" {
		t.Fatalf("a new member's current reset: %q %v", cur, err)
	}
	older, newer := newReset(id, now), newReset(id, now)
	for _, r := range []account.Reset{older, newer} {
		if err := s.PutReset(ctx, r, outbox.Mail{ID: token.ID("o-")}); err != nil {
			t.Fatal(err)
		}
	}
	if cur, err := s.CurrentReset(ctx, id); err != nil || cur != newer.TokenHash {
		t.Fatalf("current reset %q (%v), want the newer link's", cur, err)
	}
	if err := s.UseReset(ctx, older, "older", now); !errors.Is(err, account.ErrResetSpent) {
		t.Fatalf("the older link was used: %v", err)
	}
	if m, _, _ := s.GetMember(ctx, id); m.PasswordHash == "older" {
		t.Fatal("the older link set the password")
	}
	// Issued before the completed reset: void after it, like the used one.
	before := newReset(id, now)
	if err := s.PutReset(ctx, before, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	if err := s.UseReset(ctx, newer, "newer", now); !errors.Is(err, account.ErrResetSpent) {
		t.Fatalf("a replaced link was used: %v", err)
	}
	if err := s.UseReset(ctx, before, "before", now); err != nil {
		t.Fatalf("the current link: %v", err)
	}
	if cur, err := s.CurrentReset(ctx, id); err != nil || cur != "" {
		t.Fatalf("after the reset the member still has a current link %q (%v)", cur, err)
	}
	for _, r := range []account.Reset{older, newer, before} {
		if err := s.UseReset(ctx, r, "again", now); !errors.Is(err, account.ErrResetSpent) {
			t.Fatalf("a link worked after the reset: %v", err)
		}
	}
	if m, _, _ := s.GetMember(ctx, id); m.PasswordHash != "before" {
		t.Fatalf("password %q, want the one the current link set", m.PasswordHash)
	}
	// A decoy is stored on its own.
	decoy := account.Reset{TokenHash: token.Hash(token.New()), CreatedAt: now, ExpiresAt: now}
	if err := s.PutReset(ctx, decoy, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	if _, found, err := s.GetReset(ctx, decoy.TokenHash); err != nil || !found {
		t.Fatalf("decoy not stored: %v %v", found, err)
	}
}

// TestConcurrentResetRequestsLeaveOneLink: links issued at the same moment for one
// member → exactly one of them sets the password, and it is the member's current one.
func TestConcurrentResetRequestsLeaveOneLink(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	id := resetMember(t, s, "racing.resets", now)
	const n = 8
	links := make([]account.Reset, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range links {
		links[i] = newReset(id, now)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			errs[i] = s.PutReset(ctx, links[i], outbox.Mail{ID: token.ID("o-")})
		}(i)
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
	cur, err := s.CurrentReset(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	worked := 0
	for _, r := range links {
		switch err := s.UseReset(ctx, r, "by "+r.TokenHash, now); {
		case err == nil:
			worked++
			if r.TokenHash != cur {
				t.Errorf("a link that was not the current one worked")
			}
		case !errors.Is(err, account.ErrResetSpent):
			t.Fatal(err)
		}
	}
	if worked != 1 {
		t.Fatalf("%d of %d links issued at once worked, want exactly 1", worked, n)
	}
}

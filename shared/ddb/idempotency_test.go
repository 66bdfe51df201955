package ddb_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"etwin/shared/httpapi"
)

// The claim rule in DynamoDB Local: a key is taken while its reply is kept (until Expires)
// or while its request may still run (until InProgressUntil); otherwise a new claim wins.
func TestIdempotencyClaimRule(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC().Truncate(time.Millisecond)
	claim := func(key string, at, until time.Time) httpapi.Claim {
		return httpapi.Claim{Scope: "member#m-1", KeyHash: key, Fingerprint: "fp-" + key, Now: at,
			InProgressUntil: until, Expires: at.Add(httpapi.IdempotencyWindow)}
	}
	// In progress: a second claim before the deadline sees the first, without a reply.
	if prev, err := s.ClaimIdempotencyKey(ctx, claim("a", now, now.Add(time.Minute))); err != nil || prev != nil {
		t.Fatal(prev, err)
	}
	prev, err := s.ClaimIdempotencyKey(ctx, claim("a", now.Add(30*time.Second), now.Add(2*time.Minute)))
	if err != nil || prev == nil || prev.Reply != nil || prev.Fingerprint != "fp-a" {
		t.Fatalf("claim during the first request: %+v %v", prev, err)
	}
	// After the deadline of the request that died, the key is free again.
	if prev, err := s.ClaimIdempotencyKey(ctx, claim("a", now.Add(61*time.Second), now.Add(2*time.Minute))); err != nil || prev != nil {
		t.Fatalf("claim after the dead request's deadline: %+v %v", prev, err)
	}
	// A saved reply outlives the deadline, until Expires.
	if err := s.SaveIdempotentReply(ctx, "member#m-1", "a", httpapi.StoredReply{Status: 201, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"id":1}`}); err != nil {
		t.Fatal(err)
	}
	prev, err = s.ClaimIdempotencyKey(ctx, claim("a", now.Add(time.Hour), now.Add(2*time.Hour)))
	if err != nil || prev == nil || prev.Reply == nil || prev.Reply.Status != 201 || prev.Reply.Body != `{"id":1}` || prev.Reply.Headers["Content-Type"] != "application/json" {
		t.Fatalf("replay: %+v %v", prev, err)
	}
	if prev, err := s.ClaimIdempotencyKey(ctx, claim("a", now.Add(httpapi.IdempotencyWindow+time.Hour), now.Add(25*time.Hour))); err != nil || prev != nil {
		t.Fatalf("claim after the window: %+v %v", prev, err)
	}
	// Released: free at once.
	if err := s.ReleaseIdempotencyKey(ctx, "member#m-1", "a"); err != nil {
		t.Fatal(err)
	}
	if prev, err := s.ClaimIdempotencyKey(ctx, claim("a", now, now.Add(time.Minute))); err != nil || prev != nil {
		t.Fatalf("claim after release: %+v %v", prev, err)
	}
}

// Many requests racing for a fresh key: exactly one claims it.
func TestIdempotencyClaimRace(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	var mu sync.Mutex
	won := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			prev, err := s.ClaimIdempotencyKey(ctx, httpapi.Claim{Scope: "public", KeyHash: "race", Fingerprint: "fp",
				Now: now, InProgressUntil: now.Add(time.Minute), Expires: now.Add(time.Hour)})
			if err != nil {
				t.Error(err)
				return
			}
			if prev == nil {
				mu.Lock()
				won++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if won != 1 {
		t.Fatalf("%d claims won, want 1", won)
	}
}

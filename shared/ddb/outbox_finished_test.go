package ddb_test

import (
	"context"
	"testing"
	"time"

	"etwin/shared/outbox"
)

// TestGetMailFinishedIsZeroUntilTheOutcome: the finish time is the outcome's, and only
// once there is one.
func TestGetMailFinishedIsZeroUntilTheOutcome(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	f := newOutbox(t)
	id := f.queue(t, "finished@example.org", false)
	m, at, found, err := f.store.GetMailFinished(ctx, id)
	if err != nil || !found || m.State != outbox.Pending || !at.IsZero() || !m.CreatedAt.Equal(f.now) {
		t.Fatalf("pending: %+v %v %v %v", m, at, found, err)
	}
	f.now = f.now.Add(3 * time.Second)
	if err := f.svc.Deliver(ctx, id); err != nil {
		t.Fatal(err)
	}
	m, at, found, err = f.store.GetMailFinished(ctx, id)
	if err != nil || !found || m.State != outbox.Sent || !at.Equal(f.now) {
		t.Fatalf("sent: %+v %v (want %v) %v %v", m, at, f.now, found, err)
	}
	if _, at, found, err = f.store.GetMailFinished(ctx, "o-missing"); err != nil || found || !at.IsZero() {
		t.Fatalf("missing: %v %v %v", at, found, err)
	}
}

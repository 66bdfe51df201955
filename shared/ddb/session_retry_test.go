package ddb_test

import (
	"context"
	"testing"
	"time"

	"etwin/shared/account"
	"etwin/shared/token"
)

// A session put whose first attempt landed but whose answer was lost (the SDK retries it,
// a loaded CI run saw this) finds its own item: the sign-in succeeds, it is not a 500.
func TestPutSessionAgainIsNotAnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	sess := account.Session{MemberID: token.ID("m-"), TokenHash: token.Hash(token.New()), CreatedAt: now, LastSeenAt: now}
	for i := range 2 {
		if err := s.PutSession(ctx, sess); err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
}

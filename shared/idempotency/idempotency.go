// Package idempotency is what an Idempotency-Key store keeps: the claim of a new key and
// the first answer given under it. httpapi's Idempotency middleware decides with it and
// shared/ddb stores it, so the store does not depend on the HTTP layer.
package idempotency

import (
	"context"
	"time"
)

// Window is how long a key's first answer is kept and replayed.
const Window = 24 * time.Hour

// Reply is the first answer given to an idempotent request.
type Reply struct {
	Status  int
	Headers map[string]string
	Body    string
}

// Record is what the store knows of a key.
type Record struct {
	Fingerprint string // hash of method, route, path and body
	Reply       *Reply // nil while the first request is still running
}

// Claim is a new key to store: it is in progress until InProgressUntil (the deadline of
// the request that claims it), then free again if no reply was saved; the reply is kept
// until Expires.
type Claim struct {
	Scope, KeyHash, Fingerprint string
	Now, InProgressUntil        time.Time
	Expires                     time.Time
}

// Store keeps keys and their first answers. Claim stores c and returns nil, or returns
// what is stored under the key (a record past Expires, or still without a reply past its
// InProgressUntil, counts as absent and is replaced).
type Store interface {
	ClaimIdempotencyKey(ctx context.Context, c Claim) (*Record, error)
	SaveIdempotentReply(ctx context.Context, scope, keyHash string, r Reply) error
	ReleaseIdempotencyKey(ctx context.Context, scope, keyHash string) error
}

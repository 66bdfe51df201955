package token

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"
)

// SortableID returns an id whose string order is its creation order (to the millisecond;
// ties broken at random): prefix, 12 hex digits of Unix milliseconds, then 64 random bits.
// Items keyed by such ids list newest first with a descending Query.
func SortableID(prefix string, now time.Time) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%s%012x%s", prefix, now.UnixMilli(), base64.RawURLEncoding.EncodeToString(b))
}

// SortableFloor is the least id SortableID(prefix, t') can return for any t' at or after t:
// ids made from t on sort at or above it, ids made before it sort below it.
func SortableFloor(prefix string, t time.Time) string {
	return fmt.Sprintf("%s%012x", prefix, t.UnixMilli())
}

package gateway

import (
	"sync"
	"time"
)

// bucket is API Gateway's route throttle: a token bucket that starts full with burst
// tokens and refills at rate tokens per second; each request takes one token, and a
// request that finds none is throttled. Time comes from the caller, so tests control
// it.
type bucket struct {
	rate  float64 // tokens per second
	burst float64 // capacity

	mu     sync.Mutex
	tokens float64
	last   time.Time // when tokens was last brought up to date; zero before first use
}

func newBucket(t Throttle) *bucket {
	return &bucket{rate: t.RateLimit, burst: float64(t.BurstLimit), tokens: float64(t.BurstLimit)}
}

// take takes a token at now and reports whether there was one.
func (b *bucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	if b.last.IsZero() || now.After(b.last) {
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

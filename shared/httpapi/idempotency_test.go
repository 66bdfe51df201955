package httpapi

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"etwin/shared/apperr"
)

// memIdem is an in-memory IdempotencyStore for unit tests (the DynamoDB one is exercised
// end to end in infra/e2e).
type memIdem struct {
	mu   sync.Mutex
	recs map[string]*IdempotencyRecord
}

func (m *memIdem) ClaimIdempotencyKey(_ context.Context, scope, k, fp string, _ time.Time) (*IdempotencyRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[scope+k]; ok {
		c := *r
		return &c, nil
	}
	m.recs[scope+k] = &IdempotencyRecord{Fingerprint: fp}
	return nil, nil
}

func (m *memIdem) SaveIdempotentReply(_ context.Context, scope, k string, r StoredReply) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs[scope+k].Reply = &r
	return nil
}

func (m *memIdem) ReleaseIdempotencyKey(_ context.Context, scope, k string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.recs, scope+k)
	return nil
}

func post(body, key string) *Request {
	r := &Request{Body: body, RawPath: "/v1/things", Headers: map[string]string{"idempotency-key": key}}
	r.RequestContext.HTTP.Method = "POST"
	return r
}

func TestIdempotentRunsOnceUnderConcurrency(t *testing.T) {
	store := &memIdem{recs: map[string]*IdempotencyRecord{}}
	var runs atomic.Int32
	release := make(chan struct{})
	h := Idempotent(store, func(context.Context, *Request) (Response, error) {
		runs.Add(1)
		<-release
		return JSON(201, map[string]string{"id": "x1"})
	})
	var wg sync.WaitGroup
	statuses := make([]int, 8)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := h(context.Background(), post(`{"a":1}`, "key-1"))
			if err != nil {
				resp = ProblemResponse(err)
			}
			statuses[i] = resp.StatusCode
		}()
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if runs.Load() != 1 {
		t.Fatalf("the use case ran %d times", runs.Load())
	}
	created := 0
	for _, s := range statuses {
		switch s {
		case 201:
			created++
		case 409:
		default:
			t.Fatalf("status %d", s)
		}
	}
	if created != 1 {
		t.Fatalf("%d first answers while the request ran, want 1", created)
	}
	resp, err := h(context.Background(), post(`{"a":1}`, "key-1"))
	if err != nil || resp.StatusCode != 201 || resp.Body != `{"id":"x1"}` || resp.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("replay: %+v %v", resp, err)
	}
	_, err = h(context.Background(), post(`{"a":2}`, "key-1"))
	if apperr.StatusOf(err) != 422 {
		t.Fatalf("another body under the same key: %v", err)
	}
}

func TestIdempotentReleasesAfterFailure(t *testing.T) {
	store := &memIdem{recs: map[string]*IdempotencyRecord{}}
	fail := true
	runs := 0
	h := Idempotent(store, func(context.Context, *Request) (Response, error) {
		runs++
		if fail {
			return Response{}, errors.New("dynamodb is down")
		}
		return NoContent()
	})
	resp, _ := h(context.Background(), post(`{}`, "k"))
	if resp.StatusCode != 500 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	fail = false
	resp, err := h(context.Background(), post(`{}`, "k"))
	if err != nil || resp.StatusCode != 204 || runs != 2 {
		t.Fatalf("retry after a failure: %+v %v runs=%d", resp, err, runs)
	}
	// Without a key, or with an unusable one.
	r := post(`{}`, "")
	if resp, err := h(context.Background(), r); err != nil || resp.StatusCode != 204 || runs != 3 {
		t.Fatalf("no key: %v", err)
	}
	if _, err := h(context.Background(), post(`{}`, "bad key")); apperr.StatusOf(err) != 400 {
		t.Fatalf("bad key: %v", err)
	}
}

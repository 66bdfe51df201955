package httpapi

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/principal"
)

// memIdem is an in-memory IdempotencyStore for unit speed, with the same claim rule as
// the DynamoDB one (shared/ddb's tests run that one against DynamoDB Local).
type memIdem struct {
	mu   sync.Mutex
	recs map[string]*memRec
}

type memRec struct {
	IdempotencyRecord
	until, exp time.Time
}

func newMemIdem() *memIdem { return &memIdem{recs: map[string]*memRec{}} }

func (m *memIdem) ClaimIdempotencyKey(_ context.Context, c Claim) (*IdempotencyRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if r, ok := m.recs[c.Scope+c.KeyHash]; ok && c.Now.Before(r.exp) && (r.Reply != nil || !r.until.Before(c.Now)) {
		cp := r.IdempotencyRecord
		return &cp, nil
	}
	m.recs[c.Scope+c.KeyHash] = &memRec{IdempotencyRecord: IdempotencyRecord{Fingerprint: c.Fingerprint}, until: c.InProgressUntil, exp: c.Expires}
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

func (m *memIdem) size() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.recs)
}

func post(body, key string) *Request {
	r := &Request{Body: body, RawPath: "/v1/things", Headers: map[string]string{"idempotency-key": key}}
	r.RequestContext.HTTP.Method = "POST"
	return r
}

// do runs h as the Lambda adapter would (errors become their problem answers).
func do(ctx context.Context, h Handler, r *Request) Response {
	resp, err := h(ctx, r)
	if err != nil {
		return ProblemResponse(err)
	}
	return resp
}

func TestIdempotencyRunsOnceUnderConcurrency(t *testing.T) {
	store := newMemIdem()
	var runs atomic.Int32
	started, release := make(chan struct{}), make(chan struct{})
	h := Idempotency(store)(func(context.Context, *Request) (Response, error) {
		runs.Add(1)
		close(started)
		<-release
		return JSON(201, map[string]string{"id": "x1"})
	})
	first := make(chan Response)
	go func() { first <- do(context.Background(), h, post(`{"a":1}`, "key-1")) }()
	<-started
	var wg sync.WaitGroup
	for range 7 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp := do(context.Background(), h, post(`{"a":1}`, "key-1")); resp.StatusCode != 409 || resp.Headers["Retry-After"] == "" {
				t.Errorf("while the first runs: %d %v", resp.StatusCode, resp.Headers)
			}
		}()
	}
	wg.Wait()
	close(release)
	if resp := <-first; resp.StatusCode != 201 {
		t.Fatalf("first: %d", resp.StatusCode)
	}
	if runs.Load() != 1 {
		t.Fatalf("the use case ran %d times", runs.Load())
	}
	resp := do(context.Background(), h, post(`{"a":1}`, "key-1"))
	if resp.StatusCode != 201 || resp.Body != `{"id":"x1"}` || resp.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("replay: %+v", resp)
	}
	if resp := do(context.Background(), h, post(`{"a":2}`, "key-1")); resp.StatusCode != 422 {
		t.Fatalf("another body under the same key: %d", resp.StatusCode)
	}
}

func TestIdempotencyReleasesAfterFailure(t *testing.T) {
	store := newMemIdem()
	fail := true
	runs := 0
	h := Idempotency(store)(func(context.Context, *Request) (Response, error) {
		runs++
		if fail {
			return Response{}, errors.New("dynamodb is down")
		}
		return NoContent()
	})
	if resp := do(context.Background(), h, post(`{}`, "k")); resp.StatusCode != 500 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	fail = false
	if resp := do(context.Background(), h, post(`{}`, "k")); resp.StatusCode != 204 || runs != 2 {
		t.Fatalf("retry after a failure: %+v runs=%d", resp, runs)
	}
	if resp := do(context.Background(), h, post(`{}`, "")); resp.StatusCode != 204 || runs != 3 {
		t.Fatalf("no key: %d", resp.StatusCode)
	}
	if resp := do(context.Background(), h, post(`{}`, "bad key")); resp.StatusCode != 400 {
		t.Fatalf("bad key: %d", resp.StatusCode)
	}
}

// A panic frees the key at once: the retry runs the use case (and the panic still
// reaches the Lambda adapter, which answers 500).
func TestIdempotencyPanicReleasesKey(t *testing.T) {
	store := newMemIdem()
	runs := 0
	h := Idempotency(store)(func(context.Context, *Request) (Response, error) {
		runs++
		if runs == 1 {
			panic("boom")
		}
		return JSON(201, map[string]int{"run": runs})
	})
	if resp, _ := Handle(h)(context.Background(), *post(`{}`, "k")); resp.StatusCode != 500 {
		t.Fatalf("panic answered %d", resp.StatusCode)
	}
	if store.size() != 0 {
		t.Fatal("the panicked request's key is still claimed")
	}
	if resp := do(context.Background(), h, post(`{}`, "k")); resp.StatusCode != 201 || resp.Body != `{"run":2}` {
		t.Fatalf("retry after a panic: %d %s", resp.StatusCode, resp.Body)
	}
}

// A request killed after claiming (a timeout: nothing runs after it) holds its key only
// until its own deadline; a retry after that runs.
func TestIdempotencyClaimExpiresAtTheDeadline(t *testing.T) {
	store := newMemIdem()
	now := time.Now().UTC()
	fp := hashHex("POST /v1/things\n{}")
	if prev, err := store.ClaimIdempotencyKey(context.Background(), Claim{Scope: "public", KeyHash: hashHex("k"), Fingerprint: fp,
		Now: now.Add(-time.Minute), InProgressUntil: now.Add(-time.Second), Expires: now.Add(IdempotencyWindow)}); err != nil || prev != nil {
		t.Fatal(prev, err)
	}
	runs := 0
	h := Idempotency(store)(func(context.Context, *Request) (Response, error) {
		runs++
		return NoContent()
	})
	if resp := do(context.Background(), h, post(`{}`, "k")); resp.StatusCode != 204 || runs != 1 {
		t.Fatalf("retry after the dead request's deadline: %d runs=%d", resp.StatusCode, runs)
	}
	// The claim lasts as long as the request may run: its context deadline.
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	block := make(chan struct{})
	held := Idempotency(store)(func(context.Context, *Request) (Response, error) {
		<-block
		return NoContent()
	})
	go do(ctx, held, post(`{}`, "k2"))
	deadline, _ := ctx.Deadline()
	for store.size() < 2 {
		time.Sleep(time.Millisecond)
	}
	store.mu.Lock()
	until := store.recs["public"+hashHex("k2")].until
	store.mu.Unlock()
	close(block)
	if !until.Equal(deadline) {
		t.Fatalf("claim held until %v, want the request's deadline %v", until, deadline)
	}
}

// Answers that ask the client to come back (409 Busy, 429, 503) are not stored: the same
// key runs again.
func TestIdempotencyDoesNotStoreRetryableAnswers(t *testing.T) {
	for _, e := range []error{apperr.Busy("busy"), apperr.TooMany("slow down", 3), outOfTime()} {
		t.Run(fmt.Sprint(apperr.StatusOf(e)), func(t *testing.T) {
			store := newMemIdem()
			runs := 0
			h := Idempotency(store)(func(context.Context, *Request) (Response, error) {
				runs++
				if runs == 1 {
					return Response{}, e
				}
				return NoContent()
			})
			if resp := do(context.Background(), h, post(`{}`, "k")); resp.StatusCode != apperr.StatusOf(e) {
				t.Fatalf("first: %d", resp.StatusCode)
			}
			if resp := do(context.Background(), h, post(`{}`, "k")); resp.StatusCode != 204 || runs != 2 {
				t.Fatalf("retry: %d runs=%d", resp.StatusCode, runs)
			}
		})
	}
	// A final 409 (a real conflict) is kept and replayed.
	store := newMemIdem()
	runs := 0
	h := Idempotency(store)(func(context.Context, *Request) (Response, error) {
		runs++
		return Response{}, apperr.Conflict("already a contact")
	})
	do(context.Background(), h, post(`{}`, "k"))
	if resp := do(context.Background(), h, post(`{}`, "k")); resp.StatusCode != 409 || runs != 1 || resp.Headers["Idempotent-Replayed"] != "true" {
		t.Fatalf("final conflict: %d runs=%d", resp.StatusCode, runs)
	}
}

// Keys belong to the caller: two members sending the same key and body each get their own
// result, and a public caller's key is apart from both.
func TestIdempotencyKeysArePerCaller(t *testing.T) {
	store := newMemIdem()
	h := Idempotency(store)(func(ctx context.Context, _ *Request) (Response, error) {
		who, _ := principal.From(ctx)
		return JSON(201, map[string]string{"for": who.MemberID})
	})
	for _, id := range []string{"m-ana", "m-bob", "", "m-ana", "m-bob", ""} {
		ctx := context.Background()
		if id != "" {
			ctx = principal.With(ctx, principal.Principal{MemberID: id})
		}
		resp := do(ctx, h, post(`{"same":true}`, "shared-key"))
		if want := fmt.Sprintf(`{"for":%q}`, id); resp.StatusCode != 201 || resp.Body != want {
			t.Fatalf("%q got %d %s, want %s", id, resp.StatusCode, resp.Body, want)
		}
	}
	if store.size() != 3 {
		t.Fatalf("%d records, want one per caller", store.size())
	}
}

// The handler's context ends DeadlineMargin before the invocation's, and running out of
// time answers 503 problem+json with Retry-After.
func TestDeadlineKeepsAMargin(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	outer, _ := ctx.Deadline()
	var inner time.Time
	h := Deadline(DeadlineMargin)(func(ctx context.Context, _ *Request) (Response, error) {
		inner, _ = ctx.Deadline()
		<-ctx.Done()
		return Response{}, fmt.Errorf("operation error DynamoDB: PutItem: %w", ctx.Err())
	})
	resp := do(ctx, h, post(`{}`, ""))
	if resp.StatusCode != 503 || resp.Headers["Retry-After"] == "" || resp.Headers["Content-Type"] != "application/problem+json" {
		t.Fatalf("out of time: %d %v", resp.StatusCode, resp.Headers)
	}
	if got := outer.Sub(inner); got != DeadlineMargin {
		t.Fatalf("margin %v, want %v", got, DeadlineMargin)
	}
	if ctx.Err() != nil {
		t.Fatal("the answer came after the invocation's own deadline")
	}
	// A use case's own answer is never turned into a 503.
	h = Deadline(DeadlineMargin)(func(context.Context, *Request) (Response, error) { return Response{}, apperr.NotFound("no") })
	if resp := do(ctx, h, post(`{}`, "")); resp.StatusCode != 404 {
		t.Fatalf("own answer: %d", resp.StatusCode)
	}
}

// slowSave is a store whose final write takes longer than storeTimeout (DynamoDB under load).
type slowSave struct {
	*memIdem
	delay time.Duration
}

func (s slowSave) SaveIdempotentReply(ctx context.Context, scope, k string, r StoredReply) error {
	select {
	case <-time.After(s.delay):
		return s.memIdem.SaveIdempotentReply(ctx, scope, k, r)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// The use case succeeded: a slow record write uses the time the request has left, and a
// record write that still fails never turns the true answer into a 503 ("nothing was
// written" would be false: the change is made). A make test run on a loaded machine saw
// PATCH /v1/me answer 503 after 850 ms.
func TestIdempotencySlowRecordKeepsTheAnswer(t *testing.T) {
	ok := func(context.Context, *Request) (Response, error) { return NoContent() }
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	store := slowSave{newMemIdem(), 2 * storeTimeout}
	if resp := do(ctx, Idempotency(store)(ok), post(`{}`, "k")); resp.StatusCode != 204 {
		t.Fatalf("slow record write: %d %s", resp.StatusCode, resp.Body)
	}
	if r := store.recs; len(r) != 1 {
		t.Fatalf("records: %v", r)
	}
	for _, rec := range store.recs {
		if rec.Reply == nil || rec.Reply.Status != 204 {
			t.Fatalf("the answer was not recorded: %+v", rec)
		}
	}
	// no time left at all: the record write fails, the answer stands
	never := slowSave{newMemIdem(), time.Hour}
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if resp := do(short, Idempotency(never)(ok), post(`{}`, "k")); resp.StatusCode != 204 {
		t.Fatalf("failed record write: %d %s", resp.StatusCode, resp.Body)
	}
}

package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/idempotency"
	"etwin/shared/principal"
)

// IdempotencyWindow is how long a key's first answer is kept and replayed.
const IdempotencyWindow = idempotency.Window

// maxInProgress bounds a claim when the request has no deadline (Lambda's longest timeout).
const maxInProgress = 15 * time.Minute

// storeTimeout bounds the record's last write, which runs after the handler's own context
// may have ended (it is part of the time kept back by Deadline).
const storeTimeout = 250 * time.Millisecond

// maxIdempotencyKey bounds the Idempotency-Key header (UUIDs are 36 characters).
const maxIdempotencyKey = 255

// The records of the Idempotency-Key handling (see package idempotency).
type (
	StoredReply       = idempotency.Reply
	IdempotencyRecord = idempotency.Record
	Claim             = idempotency.Claim
	IdempotencyStore  = idempotency.Store
)

// Idempotency makes writes retry-safe, with the semantics of AWS Powertools' idempotency
// utility: with an Idempotency-Key header, the same key and body within 24 h get the first
// answer again, and the use case runs once. Keys belong to the caller (the signed-in
// member, or "public" on public routes). A key claimed by a request that timed out is free
// again at that request's deadline; one whose request panicked or failed (5xx) is released
// at once; an answer that asks the client to retry (429, 503, anything with Retry-After) is
// not stored. The same key with another request is a 422. Without the header, or on GET,
// the handler just runs.
func Idempotency(store IdempotencyStore) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (Response, error) {
			key := Header(req, "idempotency-key")
			if key == "" || store == nil || req.RequestContext.HTTP.Method == http.MethodGet {
				return next(ctx, req)
			}
			return idempotent(ctx, store, key, req, next)
		}
	}
}

func scopeOf(ctx context.Context) string {
	if who, ok := principal.From(ctx); ok && who.MemberID != "" {
		return "member#" + who.MemberID
	}
	return "public"
}

func idempotent(ctx context.Context, store IdempotencyStore, key string, req *Request, next Handler) (resp Response, err error) {
	if err := checkIdempotencyKey(key); err != nil {
		return Response{}, err
	}
	body, err := Body(req)
	if err != nil {
		return Response{}, err
	}
	now := time.Now().UTC()
	until, ok := ctx.Deadline()
	if !ok {
		until = now.Add(maxInProgress)
	}
	scope, keyHash := scopeOf(ctx), hashHex(key)
	fp := hashHex(req.RequestContext.HTTP.Method + " " + req.RawPath + "\n" + string(body))
	prev, err := store.ClaimIdempotencyKey(ctx, Claim{Scope: scope, KeyHash: keyHash, Fingerprint: fp,
		Now: now, InProgressUntil: until, Expires: now.Add(IdempotencyWindow)})
	if err != nil {
		return Response{}, err
	}
	if prev != nil {
		switch {
		case prev.Fingerprint != fp:
			return Response{}, apperr.Invalid(apperr.FieldError{Field: "Idempotency-Key", Message: "already used with a different request; use a new key"})
		case prev.Reply == nil:
			return Response{}, stillRunning()
		}
		return replay(*prev.Reply), nil
	}
	// The record's last write must happen even when the handler used up its context: it
	// has what is left of the request's time, and at least storeTimeout (the part of the
	// margin Deadline keeps back for it).
	finish := func(f func(context.Context) error) error {
		budget := storeTimeout
		if end, ok := ctx.Deadline(); ok {
			budget = max(budget, time.Until(end)+storeTimeout)
		}
		c, cancel := context.WithTimeout(context.WithoutCancel(ctx), budget)
		defer cancel()
		return f(c)
	}
	release := func(c context.Context) error { return store.ReleaseIdempotencyKey(c, scope, keyHash) }
	defer func() {
		if p := recover(); p != nil {
			_ = finish(release) // a panic frees the key; the panic goes on to become a 500
			panic(p)
		}
	}()
	resp, err = next(ctx, req)
	if err != nil {
		if OutOfTime(ctx, err) {
			err = outOfTime()
		}
		resp = ProblemResponse(err)
	}
	if !storable(resp) {
		// Nothing to replay: a retry runs the use case again.
		if rerr := finish(release); rerr != nil {
			// the claim then ends at the request's deadline by itself
			slog.ErrorContext(ctx, "releasing an Idempotency-Key failed", "error", rerr.Error())
		}
		return resp, nil
	}
	if serr := finish(func(c context.Context) error {
		return store.SaveIdempotentReply(c, scope, keyHash, StoredReply{Status: resp.StatusCode, Headers: resp.Headers, Body: resp.Body})
	}); serr != nil {
		// The use case is done: its answer stands. The claim stays until its end (the
		// request's deadline), after which a retry runs the use case again.
		slog.ErrorContext(ctx, "recording the answer of an Idempotency-Key failed", "error", serr.Error())
	}
	return resp, nil
}

// storable tells whether an answer is final: a server failure or an answer that asks the
// client to come back later is not.
func storable(r Response) bool {
	if r.StatusCode >= 500 || r.StatusCode == http.StatusTooManyRequests {
		return false
	}
	_, retry := r.Headers["Retry-After"]
	return !retry
}

func stillRunning() error {
	e := apperr.Conflict("A request with this Idempotency-Key is still being processed; retry later.")
	e.Headers = map[string]string{"Retry-After": "1"}
	return e
}

func replay(r StoredReply) Response {
	h := make(map[string]string, len(r.Headers)+1)
	for k, v := range r.Headers {
		h[k] = v
	}
	h["Idempotent-Replayed"] = "true"
	return Response{StatusCode: r.Status, Headers: h, Body: r.Body}
}

func checkIdempotencyKey(key string) error {
	ok := len(key) <= maxIdempotencyKey
	for i := 0; ok && i < len(key); i++ {
		ok = key[i] > ' ' && key[i] < 0x7f
	}
	if !ok {
		return apperr.BadRequest("The Idempotency-Key header is not usable.",
			apperr.FieldError{Field: "Idempotency-Key", Message: "1-255 visible ASCII characters (a UUID is best)"})
	}
	return nil
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

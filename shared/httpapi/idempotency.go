package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"etwin/shared/apperr"
)

// IdempotencyWindow is how long a key's first answer is kept and replayed.
const IdempotencyWindow = 24 * time.Hour

// maxIdempotencyKey bounds the Idempotency-Key header (UUIDs are 36 characters).
const maxIdempotencyKey = 255

// StoredReply is the first answer given to an idempotent request.
type StoredReply struct {
	Status  int               `dynamodbav:"status"`
	Headers map[string]string `dynamodbav:"headers,omitempty"`
	Body    string            `dynamodbav:"body,omitempty"`
}

// IdempotencyRecord is what the store knows of a key.
type IdempotencyRecord struct {
	Fingerprint string       // hash of method, route, path and body
	Reply       *StoredReply // nil while the first request is still running
}

// IdempotencyStore keeps keys and their first answers. Claim stores a new key (its reply
// still unknown) and returns nil, or returns what is already stored under it (an expired
// record counts as absent).
type IdempotencyStore interface {
	ClaimIdempotencyKey(ctx context.Context, scope, keyHash, fingerprint string, now time.Time) (*IdempotencyRecord, error)
	SaveIdempotentReply(ctx context.Context, scope, keyHash string, r StoredReply) error
	ReleaseIdempotencyKey(ctx context.Context, scope, keyHash string) error
}

// Idempotent makes a public write retry-safe (scope "public"): with an Idempotency-Key
// header, the same key and body within 24 h get the first answer again, and the use case
// runs once. Without the header h runs as usual.
func Idempotent(store IdempotencyStore, h Handler) Handler {
	return func(ctx context.Context, req *Request) (Response, error) {
		return idempotent(ctx, store, "public", req, func() (Response, error) { return h(ctx, req) })
	}
}

// IdempotentProtected is Idempotent for a signed-in member: keys are the member's own.
func IdempotentProtected(store IdempotencyStore, h ProtectedHandler) ProtectedHandler {
	return func(ctx context.Context, req *Request, who Principal) (Response, error) {
		return idempotent(ctx, store, "member#"+who.MemberID, req, func() (Response, error) { return h(ctx, req, who) })
	}
}

func idempotent(ctx context.Context, store IdempotencyStore, scope string, req *Request, run func() (Response, error)) (Response, error) {
	key := Header(req, "idempotency-key")
	if key == "" || store == nil || req.RequestContext.HTTP.Method == http.MethodGet {
		return run()
	}
	if err := checkIdempotencyKey(key); err != nil {
		return Response{}, err
	}
	body, err := Body(req)
	if err != nil {
		return Response{}, err
	}
	keyHash := hashHex(key)
	fp := hashHex(req.RequestContext.HTTP.Method + " " + req.RawPath + "\n" + string(body))
	prev, err := store.ClaimIdempotencyKey(ctx, scope, keyHash, fp, time.Now().UTC())
	if err != nil {
		return Response{}, err
	}
	if prev != nil {
		switch {
		case prev.Fingerprint != fp:
			return Response{}, apperr.Invalid(apperr.FieldError{Field: "Idempotency-Key", Message: "already used with a different request; use a new key"})
		case prev.Reply == nil:
			return Response{}, apperr.Conflict("A request with this Idempotency-Key is still being processed; retry later.")
		}
		return replay(*prev.Reply), nil
	}
	resp, err := run()
	if err != nil {
		resp = ProblemResponse(err)
	}
	if resp.StatusCode >= 500 {
		// Nothing reliable to replay: let a retry run the use case again.
		if rerr := store.ReleaseIdempotencyKey(context.WithoutCancel(ctx), scope, keyHash); rerr != nil {
			return Response{}, rerr
		}
		return resp, nil
	}
	if err := store.SaveIdempotentReply(context.WithoutCancel(ctx), scope, keyHash,
		StoredReply{Status: resp.StatusCode, Headers: resp.Headers, Body: resp.Body}); err != nil {
		return Response{}, err
	}
	return resp, nil
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

package httpapi

import (
	"context"
	"errors"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/principal"
)

// Middleware wraps a handler with one concern (authentication, idempotency, deadline).
type Middleware func(Handler) Handler

// Chain wraps h in mws, the first outermost: Chain(h, a, b) runs a, then b, then h.
func Chain(h Handler, mws ...Middleware) Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// Authenticator checks a bearer token and returns its principal, or an error (a 401
// *apperr.Error for an unusable token).
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (principal.Principal, error)
}

// Authenticate is the one authentication step of every route that needs a signed-in
// member: it reads the bearer token, lets auth check the session, and passes the principal
// on in the context (httpapi.Call.Who), or answers 401 problem+json.
func Authenticate(auth Authenticator) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (Response, error) {
			token, ok := BearerToken(req)
			if !ok {
				return Response{}, apperr.NoSession()
			}
			who, err := auth.Authenticate(ctx, token)
			if err != nil {
				return Response{}, err
			}
			return next(principal.With(ctx, who), req)
		}
	}
}

// DeadlineMargin is the time kept back before the Lambda deadline: the handler's context
// ends this much earlier, so a slow call still gets a problem+json answer (503) and the
// idempotency record its last write, instead of the platform's bare 500.
const DeadlineMargin = 300 * time.Millisecond

// Deadline ends the handler's context margin before the invocation's own deadline (half
// the remaining time when less than twice margin is left). A handler that runs out of time
// answers 503 with Retry-After.
func Deadline(margin time.Duration) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (Response, error) {
			end, ok := ctx.Deadline()
			if !ok {
				return next(ctx, req)
			}
			keep := margin
			if left := time.Until(end); left < 2*margin {
				keep = left / 2
			}
			inner, cancel := context.WithDeadline(ctx, end.Add(-keep))
			defer cancel()
			resp, err := next(inner, req)
			if err != nil && OutOfTime(inner, err) {
				return Response{}, outOfTime()
			}
			return resp, err
		}
	}
}

// OutOfTime tells whether err comes from ctx running out (an apperr answer never does).
func OutOfTime(ctx context.Context, err error) bool {
	if _, ok := apperr.As(err); ok {
		return false
	}
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded)
}

func outOfTime() error {
	e := apperr.Unavailable("The request took too long and was stopped; nothing was half written. Please try again.")
	e.Headers = map[string]string{"Retry-After": "1"}
	return e
}

// Identify is Authenticate for a public route that a signed-in member may also call (an
// e-mailed link opened in the portal): without a bearer token the request goes on
// anonymously; with one, it must be a valid session (else 401), and its principal goes
// on in the context.
func Identify(auth Authenticator) Middleware {
	return func(next Handler) Handler {
		return func(ctx context.Context, req *Request) (Response, error) {
			if Header(req, "authorization") == "" {
				return next(ctx, req)
			}
			return Authenticate(auth)(next)(ctx, req)
		}
	}
}

// PupilGate is the one check of a pupil's session: a pupil (principal.RolePupil) may call
// only the routes that let pupils in (app.Route.Pupils, allowed); every other route
// answers them 403. It runs after Authenticate (or Identify), before the use case.
func PupilGate(allowed bool) Middleware {
	return func(next Handler) Handler {
		if allowed {
			return next
		}
		return func(ctx context.Context, req *Request) (Response, error) {
			if who, ok := principal.From(ctx); ok && who.Role == principal.RolePupil {
				return Response{}, apperr.Forbidden("A pupil's session reaches only their project's TwinSpace.")
			}
			return next(ctx, req)
		}
	}
}

// Package principal is who a request comes from: the one type the inbound adapter hands
// to the use cases, so that domain packages need no transport package to know the caller.
package principal

import "context"

// Principal is who an authenticated request comes from.
type Principal struct {
	MemberID string
	Role     string // teacher, nso or css
	Country  string // for nso accounts
	// SessionKey identifies the session the request came with (for logout).
	SessionKey string
}

type ctxKey struct{}

// With returns ctx carrying p (the authentication middleware sets it).
func With(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// From returns the principal ctx carries, if the request was authenticated.
func From(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

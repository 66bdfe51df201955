package httpapi

import (
	"context"
	"strings"

	"etwin/shared/apperr"
	"etwin/shared/principal"
)

// Principal is who an authenticated request comes from.
type Principal = principal.Principal

// Authenticator checks a bearer token and returns its principal, or an error (a 401
// *apperr.Error for an unusable token).
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Principal, error)
}

// ProtectedHandler is a handler that needs a signed-in member.
type ProtectedHandler func(ctx context.Context, req *Request, who Principal) (Response, error)

// Protected is the one authentication wrapper every protected route goes through: it reads
// the bearer token, lets auth check the session, and hands the principal to h, or answers
// 401 problem+json.
func Protected(auth Authenticator, h ProtectedHandler) Handler {
	return func(ctx context.Context, req *Request) (Response, error) {
		token, ok := BearerToken(req)
		if !ok {
			return Response{}, unauthorized()
		}
		who, err := auth.Authenticate(ctx, token)
		if err != nil {
			return Response{}, err
		}
		return h(ctx, req, who)
	}
}

// BearerToken extracts the token of an "Authorization: Bearer <token>" header.
func BearerToken(req *Request) (string, bool) {
	h := Header(req, "authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != "" && len(token) <= 512
}

func unauthorized() error { return apperr.NoSession() }

// Unauthorized is the 401 every unusable token gets.
func Unauthorized() error { return unauthorized() }

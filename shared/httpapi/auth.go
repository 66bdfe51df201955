package httpapi

import (
	"strings"

	"etwin/shared/principal"
)

// Principal is who an authenticated request comes from.
type Principal = principal.Principal

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

// Package principal is who a request comes from: the one type the inbound adapter hands
// to the use cases, so that domain packages need no transport package to know the caller.
package principal

import "context"

// Principal is who an authenticated request comes from.
type Principal struct {
	MemberID string
	Role     string // teacher, nso, css, or RolePupil
	Country  string // for nso accounts
	// ProjectID is, for a pupil (Role RolePupil, MemberID their pupilId), the one project
	// whose TwinSpace their session reaches; "" for everyone else.
	ProjectID string
	// SessionKey identifies the session the request came with (for logout).
	SessionKey string
}

// RolePupil is the role of a pupil's session: it reaches only the TwinSpace of the
// project the pupil was created in (read its pages, comment on them).
const RolePupil = "pupil"

// PupilOf reports whether p is a pupil of projectID.
func (p Principal) PupilOf(projectID string) bool {
	return p.Role == RolePupil && p.ProjectID != "" && p.ProjectID == projectID
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

// Package api is the inbound HTTP adapter: one Route per function (functions/<name>/main.go
// is app.Serve(api.<Name>)), each a few lines that bind a use case to the generic adapters
// of httpapi (WithBody, NoBody, List). Decoding, limits, cursors, errors, authentication,
// idempotency and the deadline are all done once, there and in app.Route's middleware
// chain; the domain packages never see a request.
//
// Route variables are plain composite literals, so a function's binary links only the
// route it serves.
package api

import (
	"context"

	"etwin/shared/app"
	"etwin/shared/httpapi"
)

// Routes lists every route (for the contract tests and the benchmarks; functions never
// call it).
func Routes() []app.Route {
	return []app.Route{
		Vocabularies, StatsGet,
		RegistrationStart, RegistrationRead, RegistrationComplete,
		SessionCreate, SessionDelete, MeGet, MeUpdate, MeSchoolAdd,
		PasswordResetRequest, PasswordResetConfirm,
		SchoolSearch, SchoolGet, MembersSearch, MemberGet, StaffCreate,
		ContactRequestCreate, ContactRequestAccept, ContactRequestReject, ContactRequestWithdraw,
		ContactRequestsList, ContactsList, ContactDelete,
		NotificationsList, NotificationRead,
		ForumPostsList, ForumPostCreate, ForumPostGet, ForumPostUpdate, ForumPostDelete,
		ForumReplyCreate, ForumReplyUpdate, ForumReplyDelete,
		ResourceCreate, ResourcesList, ResourceGet,
		ProjectCreate, ProjectList, ProjectGet, ProjectUpdate, ProjectWithdraw,
		ProjectCofounderDecision, ProjectNSODecision, NSOProjectsList,
		TwinspaceGet, ProjectMemberAdd, ProjectMemberRemove, ProjectMemberRole, ProjectPageCreate,
		ProjectLabelAward,
	}
}

// done is the output of a use case that answers 204.
func done(err error) (httpapi.Empty, error) { return httpapi.Empty{}, err }

// ctx is the type of every use case's first argument (shorter signatures below).
type ctx = context.Context

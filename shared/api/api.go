// Package api is the inbound HTTP adapter: one Route per function (functions/<name>/main.go
// is lambdarun.Serve(api.<Name>)), each a few lines that bind a use case to the generic adapters
// of httpapi (WithBody, NoBody, List). Decoding, limits, cursors, errors, authentication,
// idempotency and the deadline are all done once, there and in app.Route's middleware
// chain; the domain packages never see a request.
//
// Route variables are plain composite literals, so a function's binary links only the
// route it serves.
package api

import (
	"context"
	"net/http"

	"etwin/shared/app"
	"etwin/shared/httpapi"
	"etwin/shared/principal"
)

// Routes lists every route (for the contract tests and the benchmarks; functions never
// call it).
func Routes() []app.Route {
	return []app.Route{
		Vocabularies, StatsGet,
		RegistrationStart, RegistrationRead, RegistrationComplete,
		ConfirmPage, ConfirmDecide, ConfirmationGet, ConfirmationPost, UnsubscribePage, Unsubscribe,
		SessionCreate, SessionDelete, MeGet, MeUpdate, MeSchoolAdd,
		PasswordResetRequest, PasswordResetConfirm,
		SchoolSearch, SchoolGet, MembersSearch, MemberGet, StaffCreate, StaffGet,
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
		ProjectPageGet, ProjectPageUpdate, ProjectPageDelete,
		FileCreate, FilesList, FileGet, FileDelete,
		CertificationWindowPut, CertificationWindowCurrent,
		CertificationGet, CertificationApplicationPut, CertificationApplicationSubmit,
		CertificationApplicationsList, CertificationApplicationEvaluate,
		EventCreate, EventsList, EventAttendanceCreate, EventAttendanceDelete, EventsCalendar,
		RoomCreate, RoomsList, RoomGet, RoomInvitationCreate, RoomJoin, RoomDecline, RoomExtend, RoomPostsList, RoomPostCreate, RoomPostDelete, RoomParticipantRemove,
		ModerationRemovalsList,
	}
}

// done is the output of a use case that answers 204.
func done(err error) (httpapi.Empty, error) { return httpapi.Empty{}, err }

// ctx is the type of every use case's first argument (shorter signatures below).
type ctx = context.Context

// The shapes most use cases have, bound in one line each: who asks and a body (mine), a
// path parameter and a body (at), a path parameter alone (read, remove).

// mine binds use(ctx, who, body).
func mine[In, Out any](status int, use func(ctx, principal.Principal, In) (Out, error)) httpapi.Handler {
	return httpapi.WithBody(status, func(c ctx, r httpapi.Call, in In) (Out, error) { return use(c, r.Who, in) })
}

// at binds use(ctx, who, {param}, body).
func at[In, Out any](status int, param string, use func(ctx, principal.Principal, string, In) (Out, error)) httpapi.Handler {
	return httpapi.WithBody(status, func(c ctx, r httpapi.Call, in In) (Out, error) { return use(c, r.Who, r.Path(param), in) })
}

// read binds use(ctx, who, {param}), answering 200.
func read[Out any](param string, use func(ctx, principal.Principal, string) (Out, error)) httpapi.Handler {
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (Out, error) { return use(c, r.Who, r.Path(param)) })
}

// remove binds use(ctx, who, {param}), answering 204.
func remove(param string, use func(ctx, principal.Principal, string) error) httpapi.Handler {
	return httpapi.NoBody(http.StatusNoContent, func(c ctx, r httpapi.Call) (httpapi.Empty, error) { return done(use(c, r.Who, r.Path(param))) })
}

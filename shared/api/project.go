package api

import (
	"net/http"

	"etwin/shared/app"
	"etwin/shared/cursor"
	"etwin/shared/httpapi"
	"etwin/shared/project"
	"etwin/shared/pupil"
	"etwin/shared/twinspace"
)

// ProjectCreate serves POST /v1/projects.
var ProjectCreate = app.Route{Function: "project-create", Handler: func(d *app.Deps) httpapi.Handler {
	return mine(http.StatusCreated, d.Projects().Create)
}}

// ProjectList serves GET /v1/projects.
var ProjectList = app.Route{Function: "project-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Projects()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[project.Project], error) {
		return s.List(c, r.Who, p.Cursor, p.Limit)
	})
}}

// ProjectGet serves GET /v1/projects/{projectId}.
var ProjectGet = app.Route{Function: "project-get", Handler: func(d *app.Deps) httpapi.Handler {
	return read("projectId", d.Projects().Get)
}}

// ProjectUpdate serves PATCH /v1/projects/{projectId}.
var ProjectUpdate = app.Route{Function: "project-update", Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusOK, "projectId", d.Projects().Update)
}}

// ProjectWithdraw serves DELETE /v1/projects/{projectId}.
var ProjectWithdraw = app.Route{Function: "project-withdraw", Handler: func(d *app.Deps) httpapi.Handler {
	return remove("projectId", d.Projects().Withdraw)
}}

// ProjectCofounderDecision serves POST /v1/projects/{projectId}/cofounder-decision.
var ProjectCofounderDecision = app.Route{Function: "project-cofounder-decision", Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusOK, "projectId", d.Projects().CofounderDecision)
}}

// ProjectNSODecision serves POST /v1/projects/{projectId}/nso-decision.
var ProjectNSODecision = app.Route{Function: "project-nso-decision", Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusOK, "projectId", d.Projects().NSODecision)
}}

// NSOProjectsList serves GET /v1/nso/projects?status=awaiting_nso.
var NSOProjectsList = app.Route{Function: "nso-projects-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Projects()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[project.QueueEntry], error) {
		return s.NSOQueue(c, r.Who, r.Query("status"), p.Cursor, p.Limit)
	})
}}

// TwinspaceGet serves GET /v1/projects/{projectId}/twinspace.
var TwinspaceGet = app.Route{Function: "twinspace-get", Pupils: true, Handler: func(d *app.Deps) httpapi.Handler {
	return read("projectId", d.TwinSpaces().Get)
}}

// ProjectMemberAdd serves POST /v1/projects/{projectId}/members.
var ProjectMemberAdd = app.Route{Function: "project-member-add", Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusCreated, "projectId", d.TwinSpaces().AddMember)
}}

// ProjectMemberRemove serves DELETE /v1/projects/{projectId}/members/{memberId}.
var ProjectMemberRemove = app.Route{Function: "project-member-remove", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.TwinSpaces()
	return httpapi.NoBody(http.StatusNoContent, func(c ctx, r httpapi.Call) (httpapi.Empty, error) {
		return done(s.RemoveMember(c, r.Who, r.Path("projectId"), r.Path("memberId")))
	})
}}

// ProjectMemberRole serves PUT /v1/projects/{projectId}/members/{memberId}/role.
var ProjectMemberRole = app.Route{Function: "project-member-role", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.TwinSpaces()
	return httpapi.WithBody(http.StatusOK, func(c ctx, r httpapi.Call, in twinspace.RoleInput) (twinspace.Member, error) {
		return s.SetRole(c, r.Who, r.Path("projectId"), r.Path("memberId"), in)
	})
}}

// ProjectPageCreate serves POST /v1/projects/{projectId}/pages.
var ProjectPageCreate = app.Route{Function: "project-page-create", Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusCreated, "projectId", d.TwinSpaces().AddPage)
}}

// ProjectLabelAward serves POST /v1/projects/{projectId}/labels.
var ProjectLabelAward = app.Route{Function: "project-label-award", Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusCreated, "projectId", d.TwinSpaces().AwardLabel)
}}

// ProjectPageGet serves GET /v1/projects/{projectId}/pages/{pageId} (partners, and the
// project's pupils).
var ProjectPageGet = app.Route{Function: "project-page-get", Pupils: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.TwinSpaces()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (twinspace.PageView, error) {
		return s.GetPage(c, r.Who, r.Path("projectId"), r.Path("pageId"))
	})
}}

// ProjectPageUpdate serves PATCH /v1/projects/{projectId}/pages/{pageId}.
var ProjectPageUpdate = app.Route{Function: "project-page-update", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.TwinSpaces()
	return httpapi.WithBody(http.StatusOK, func(c ctx, r httpapi.Call, in twinspace.PagePatch) (twinspace.PageView, error) {
		return s.UpdatePage(c, r.Who, r.Path("projectId"), r.Path("pageId"), in)
	})
}}

// ProjectPageDelete serves DELETE /v1/projects/{projectId}/pages/{pageId}.
var ProjectPageDelete = app.Route{Function: "project-page-delete", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.TwinSpaces()
	return httpapi.NoBody(http.StatusNoContent, func(c ctx, r httpapi.Call) (httpapi.Empty, error) {
		return done(s.DeletePage(c, r.Who, r.Path("projectId"), r.Path("pageId")))
	})
}}

// ProjectPupilCreate serves POST /v1/projects/{projectId}/pupils.
var ProjectPupilCreate = app.Route{Function: "project-pupil-create", NoReplay: true, Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusCreated, "projectId", d.Pupils().Create)
}}

// ProjectPupilsList serves GET /v1/projects/{projectId}/pupils.
var ProjectPupilsList = app.Route{Function: "project-pupils-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Pupils()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (pupilList, error) {
		items, err := s.List(c, r.Who, r.Path("projectId"))
		return pupilList{Items: items}, err
	})
}}

// pupilList is the answer of GET .../pupils.
type pupilList struct {
	Items []pupil.Listed `json:"items"`
}

// ProjectPupilDelete serves DELETE /v1/projects/{projectId}/pupils/{pupilId}.
var ProjectPupilDelete = app.Route{Function: "project-pupil-delete", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Pupils()
	return httpapi.NoBody(http.StatusNoContent, func(c ctx, r httpapi.Call) (httpapi.Empty, error) {
		return done(s.Delete(c, r.Who, r.Path("projectId"), r.Path("pupilId")))
	})
}}

// ProjectPupilPassword serves POST /v1/projects/{projectId}/pupils/{pupilId}/password. Its
// answer holds the new passphrase, never stored for replay.
var ProjectPupilPassword = app.Route{Function: "project-pupil-password", NoReplay: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Pupils()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (pupil.NewPassword, error) {
		return s.ResetPassword(c, r.Who, r.Path("projectId"), r.Path("pupilId"))
	})
}}

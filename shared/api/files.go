package api

import (
	"net/http"

	"etwin/shared/app"
	"etwin/shared/cursor"
	"etwin/shared/files"
	"etwin/shared/httpapi"
)

// FileCreate serves POST /v1/projects/{projectId}/files (administrators).
var FileCreate = app.Route{Function: "file-create", Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusCreated, "projectId", d.Files().Create)
}}

// FilesList serves GET /v1/projects/{projectId}/files?limit=&cursor= (partners).
var FilesList = app.Route{Function: "files-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Files()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[files.File], error) {
		return s.List(c, r.Who, r.Path("projectId"), p.Cursor, p.Limit)
	})
}}

// FileGet serves GET /v1/projects/{projectId}/files/{fileId} (partners).
var FileGet = app.Route{Function: "file-get", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Files()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (files.Download, error) {
		return s.Get(c, r.Who, r.Path("projectId"), r.Path("fileId"))
	})
}}

// FileDelete serves DELETE /v1/projects/{projectId}/files/{fileId} (administrators).
var FileDelete = app.Route{Function: "file-delete", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Files()
	return httpapi.NoBody(http.StatusNoContent, func(c ctx, r httpapi.Call) (httpapi.Empty, error) {
		return done(s.Delete(c, r.Who, r.Path("projectId"), r.Path("fileId")))
	})
}}

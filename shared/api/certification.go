package api

import (
	"net/http"

	"etwin/shared/app"
	"etwin/shared/certification"
	"etwin/shared/cursor"
	"etwin/shared/httpapi"
)

// CertificationWindowPut serves PUT /v1/certification/windows/{year} (CSS accounts only;
// others get 403 before the body is read).
var CertificationWindowPut = app.Route{Function: "certification-window-put", Handler: func(d *app.Deps) httpapi.Handler {
	return httpapi.Before(func(r httpapi.Call) error { return certification.MayManage(r.Who) },
		at(http.StatusOK, "year", d.Certification().PutWindow))
}}

// CertificationWindowCurrent serves GET /v1/certification/windows/current (public): the
// round announced or open now.
var CertificationWindowCurrent = app.Route{Function: "certification-window-current", Public: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Certification()
	return httpapi.Cached("public, max-age=60",
		httpapi.NoBody(http.StatusOK, func(c ctx, _ httpapi.Call) (certification.Window, error) { return s.Current(c) }))
}}

// CertificationGet serves GET /v1/schools/{schoolId}/certification (members of the school;
// anyone else 404).
var CertificationGet = app.Route{Function: "certification-get", Handler: func(d *app.Deps) httpapi.Handler {
	return read("schoolId", d.Applications().Get)
}}

// CertificationApplicationPut serves PUT /v1/schools/{schoolId}/certification/application.
var CertificationApplicationPut = app.Route{Function: "certification-application-put", Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusOK, "schoolId", d.Applications().Save)
}}

// CertificationApplicationSubmit serves POST
// /v1/schools/{schoolId}/certification/application/submit (no body).
var CertificationApplicationSubmit = app.Route{Function: "certification-application-submit", Handler: func(d *app.Deps) httpapi.Handler {
	return read("schoolId", d.Applications().Submit)
}}

// CertificationApplicationsList serves GET /v1/nso/certification/applications?status=submitted
// (NSO accounts: their country's queue).
var CertificationApplicationsList = app.Route{Function: "certification-applications-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Applications()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[certification.QueueEntry], error) {
		return s.Queue(c, r.Who, r.Query("status"), p.Cursor, p.Limit)
	})
}}

// CertificationApplicationEvaluate serves POST
// /v1/schools/{schoolId}/certification/application/evaluation (the NSO of the school's
// country; others 403 before the body is read, another country's NSO 404).
var CertificationApplicationEvaluate = app.Route{Function: "certification-application-evaluate", Handler: func(d *app.Deps) httpapi.Handler {
	return httpapi.Before(func(r httpapi.Call) error { return certification.MayEvaluate(r.Who) },
		at(http.StatusOK, "schoolId", d.Applications().Evaluate))
}}

package api

import (
	"net/http"

	"etwin/shared/app"
	"etwin/shared/certification"
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

package api

import (
	"net/http"

	"etwin/shared/app"
	"etwin/shared/cursor"
	"etwin/shared/directory"
	"etwin/shared/httpapi"
	"etwin/shared/school"
	"etwin/shared/staff"
	"etwin/shared/stats"
	"etwin/shared/vocab"
)

// Vocabularies serves GET /v1/vocabularies (public; the lists change only with a deploy, so
// clients may cache them for an hour).
var Vocabularies = app.Route{Function: "vocabularies", Public: true, Handler: func(*app.Deps) httpapi.Handler {
	return httpapi.Cached("public, max-age=3600", httpapi.NoBody(http.StatusOK, func(ctx, httpapi.Call) (vocab.Vocabularies, error) {
		return vocab.All(), nil
	}))
}}

// StatsGet serves GET /v1/stats[?country=XX] (public).
var StatsGet = app.Route{Function: "stats-get", Public: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Stats()
	return httpapi.Before(httpapi.OnlyQuery("country"), httpapi.Cached("public, max-age=60",
		httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (stats.Counts, error) { return s.Get(c, r.Query("country")) })))
}}

// SchoolSearch serves GET /v1/schools?q=&country= (public).
var SchoolSearch = app.Route{Function: "school-search", Public: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Schools()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[school.Hit], error) {
		q, err := school.ParseQuery(r.Query("q"), r.Query("country"))
		if err != nil {
			return cursor.Page[school.Hit]{}, err
		}
		return s.Search(c, q, p.Cursor, p.Limit)
	})
}}

// SchoolGet serves GET /v1/schools/{schoolId} (members only).
var SchoolGet = app.Route{Function: "school-get", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Schools()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (school.School, error) { return s.Get(c, r.Path("schoolId")) })
}}

// MembersSearch serves GET /v1/members.
var MembersSearch = app.Route{Function: "members-search", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Directory()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[directory.Hit], error) {
		q, err := directory.ParseQuery(r.QueryMap())
		if err != nil {
			return cursor.Page[directory.Hit]{}, err
		}
		return s.Search(c, r.Who, q, p.Cursor, p.Limit)
	})
}}

// MemberGet serves GET /v1/members/{memberId}.
var MemberGet = app.Route{Function: "member-get", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Directory()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (directory.Profile, error) { return s.Profile(c, r.Path("memberId")) })
}}

// StaffCreate serves POST /v1/staff (CSS accounts only; others get 403 before the body is
// read).
var StaffCreate = app.Route{Function: "staff-create", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Staff()
	return httpapi.Before(func(r httpapi.Call) error { return staff.MayCreate(r.Who) },
		mine(http.StatusCreated, s.Create))
}}

// StaffGet serves GET /v1/staff/{memberId} (CSS accounts only): the account and where its
// welcome e-mail is.
var StaffGet = app.Route{Function: "staff-get", Handler: func(d *app.Deps) httpapi.Handler {
	return read("memberId", d.Staff().Get)
}}

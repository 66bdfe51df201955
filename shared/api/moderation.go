package api

import (
	"etwin/shared/app"
	"etwin/shared/cursor"
	"etwin/shared/httpapi"
	"etwin/shared/moderation"
)

// Moderation by the NSOs and the CSS (shared/moderation); the removals themselves go
// through the forum's and the rooms' DELETE routes.

// ModerationRemovalsList serves GET /v1/moderation/removals?country=&limit=&cursor=
// (an NSO its country's, the CSS every country's).
var ModerationRemovalsList = app.Route{Function: "moderation-removals-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Moderation()
	return httpapi.Before(httpapi.OnlyQuery("country", "limit", "cursor"),
		httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[moderation.Record], error) {
			return s.List(c, r.Who, r.Query("country"), p.Cursor, p.Limit)
		}))
}}

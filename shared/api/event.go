package api

import (
	"context"
	"net/http"

	"etwin/shared/app"
	"etwin/shared/cursor"
	"etwin/shared/event"
	"etwin/shared/httpapi"
)

type eventCreated struct {
	event.Event
}

// EventCreate serves POST /v1/events (the CSS, or an NSO for its country).
var EventCreate = app.Route{Function: "event-create", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Events()
	return httpapi.WithBody(http.StatusCreated, func(c ctx, r httpapi.Call, in event.New) (eventCreated, error) {
		e, err := s.Create(c, r.Who, in)
		return eventCreated{e}, err
	})
}}

// EventsList serves GET /v1/events?kind=&language=&from=&to=&limit=&cursor=.
var EventsList = app.Route{Function: "events-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Events()
	return httpapi.Before(httpapi.OnlyQuery("kind", "language", "from", "to", "limit", "cursor"),
		httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[event.Event], error) {
			f, err := event.ParseFilter(r.Query("kind"), r.Query("language"), r.Query("from"), r.Query("to"), s.Clock())
			if err != nil {
				return cursor.Page[event.Event]{}, err
			}
			return s.List(c, r.Who, f, p.Cursor, p.Limit)
		}))
}}

// EventAttendanceCreate serves POST /v1/events/{eventId}/attendance.
var EventAttendanceCreate = app.Route{Function: "event-attendance-create", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Events()
	return httpapi.NoBody(http.StatusCreated, func(c ctx, r httpapi.Call) (event.Attendance, error) {
		return s.Attend(c, r.Who, r.Path("eventId"))
	})
}}

// EventAttendanceDelete serves DELETE /v1/events/{eventId}/attendance.
var EventAttendanceDelete = app.Route{Function: "event-attendance-delete", Handler: func(d *app.Deps) httpapi.Handler {
	return remove("eventId", d.Events().Unattend)
}}

// EventsCalendar serves GET /v1/events.ics?kind=&language= (public): the events of the
// feed's window (event.FeedFilter) as an iCalendar, text/calendar.
var EventsCalendar = app.Route{Function: "events-calendar", Public: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Events()
	return httpapi.Before(httpapi.OnlyQuery("kind", "language"), func(c context.Context, req *httpapi.Request) (httpapi.Response, error) {
		now := s.Clock()
		f, err := event.FeedFilter(httpapi.Query(req, "kind"), httpapi.Query(req, "language"), now)
		if err != nil {
			return httpapi.Response{}, err
		}
		events, err := s.Feed(c, f)
		if err != nil {
			return httpapi.Response{}, err
		}
		return httpapi.Response{StatusCode: http.StatusOK, Body: event.Calendar(events, now), Headers: map[string]string{
			"Content-Type":  "text/calendar; charset=utf-8",
			"Cache-Control": "public, max-age=300",
		}}, nil
	})
}}

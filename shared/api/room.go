package api

import (
	"net/http"

	"etwin/shared/app"
	"etwin/shared/cursor"
	"etwin/shared/httpapi"
	"etwin/shared/moderation"
	"etwin/shared/room"
)

// The teachers' rooms (shared/room).

// RoomCreate serves POST /v1/rooms.
var RoomCreate = app.Route{Function: "room-create", Handler: func(d *app.Deps) httpapi.Handler {
	return mine(http.StatusCreated, d.Rooms().Create)
}}

// RoomsList serves GET /v1/rooms?tag=&language=&limit=&cursor=.
var RoomsList = app.Route{Function: "rooms-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Rooms()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[room.Room], error) {
		f, err := room.ParseFilter(r.Query("tag"), r.Query("language"))
		if err != nil {
			return cursor.Page[room.Room]{}, err
		}
		return s.List(c, r.Who, f, p.Cursor, p.Limit)
	})
}}

// RoomGet serves GET /v1/rooms/{roomId}.
var RoomGet = app.Route{Function: "room-get", Handler: func(d *app.Deps) httpapi.Handler {
	return read("roomId", d.Rooms().Get)
}}

// RoomInvitationCreate serves POST /v1/rooms/{roomId}/invitations (the creator).
var RoomInvitationCreate = app.Route{Function: "room-invitation-create", Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusCreated, "roomId", d.Rooms().Invite)
}}

// RoomJoin serves POST /v1/rooms/{roomId}/join.
var RoomJoin = app.Route{Function: "room-join", Handler: func(d *app.Deps) httpapi.Handler {
	return read("roomId", d.Rooms().JoinRoom)
}}

// RoomDecline serves POST /v1/rooms/{roomId}/decline (an invitee).
var RoomDecline = app.Route{Function: "room-decline", Handler: func(d *app.Deps) httpapi.Handler {
	return read("roomId", d.Rooms().Decline)
}}

// RoomExtend serves POST /v1/rooms/{roomId}/extend (the creator, once).
var RoomExtend = app.Route{Function: "room-extend", Handler: func(d *app.Deps) httpapi.Handler {
	return read("roomId", d.Rooms().Extend)
}}

// RoomPostsList serves GET /v1/rooms/{roomId}/posts?limit=&cursor= (participants).
var RoomPostsList = app.Route{Function: "room-posts-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Rooms()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[room.Post], error) {
		return s.ListPosts(c, r.Who, r.Path("roomId"), p.Cursor, p.Limit)
	})
}}

// RoomPostCreate serves POST /v1/rooms/{roomId}/posts (participants).
var RoomPostCreate = app.Route{Function: "room-post-create", Handler: func(d *app.Deps) httpapi.Handler {
	return at(http.StatusCreated, "roomId", d.Rooms().CreatePost)
}}

// RoomPostDelete serves DELETE /v1/rooms/{roomId}/posts/{postId} (the author, the creator,
// the NSO of the author's country or the CSS; optional body: a moderator's reason).
var RoomPostDelete = app.Route{Function: "room-post-delete", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Rooms()
	return httpapi.WithOptionalBody(http.StatusNoContent, func(c ctx, r httpapi.Call, in moderation.RemovalInput) (httpapi.Empty, error) {
		return done(s.DeletePost(c, r.Who, r.Path("roomId"), r.Path("postId"), in))
	})
}}

// RoomParticipantRemove serves DELETE /v1/rooms/{roomId}/participants/{memberId} (the creator).
var RoomParticipantRemove = app.Route{Function: "room-participant-remove", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Rooms()
	return httpapi.NoBody(http.StatusNoContent, func(c ctx, r httpapi.Call) (httpapi.Empty, error) {
		return done(s.RemoveParticipant(c, r.Who, r.Path("roomId"), r.Path("memberId")))
	})
}}

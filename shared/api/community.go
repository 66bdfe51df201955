package api

import (
	"net/http"

	"etwin/shared/app"
	"etwin/shared/contact"
	"etwin/shared/cursor"
	"etwin/shared/forum"
	"etwin/shared/httpapi"
	"etwin/shared/moderation"
	"etwin/shared/notify"
	"etwin/shared/resource"
)

// ContactRequestCreate serves POST /v1/contacts/requests.
var ContactRequestCreate = app.Route{Function: "contact-request-create", Handler: func(d *app.Deps) httpapi.Handler {
	return mine(http.StatusCreated, d.Contacts().Create)
}}

// ContactRequestAccept serves POST /v1/contacts/requests/{requestId}/accept.
var ContactRequestAccept = app.Route{Function: "contact-request-accept", Handler: func(d *app.Deps) httpapi.Handler { return decideContact(d, true) }}

// ContactRequestReject serves POST /v1/contacts/requests/{requestId}/reject.
var ContactRequestReject = app.Route{Function: "contact-request-reject", Handler: func(d *app.Deps) httpapi.Handler { return decideContact(d, false) }}

func decideContact(d *app.Deps, accept bool) httpapi.Handler {
	s := d.Contacts()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (contact.Request, error) {
		return s.Decide(c, r.Who, r.Path("requestId"), accept)
	})
}

// ContactRequestWithdraw serves DELETE /v1/contacts/requests/{requestId} (the sender).
var ContactRequestWithdraw = app.Route{Function: "contact-request-withdraw", Handler: func(d *app.Deps) httpapi.Handler {
	return remove("requestId", d.Contacts().Withdraw)
}}

// ContactRequestsList serves GET /v1/contacts/requests?direction=.
var ContactRequestsList = app.Route{Function: "contact-requests-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Contacts()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[contact.Request], error) {
		direction, err := contact.ParseDirection(r.Query("direction"))
		if err != nil {
			return cursor.Page[contact.Request]{}, err
		}
		return s.ListRequests(c, r.Who, direction, p.Cursor, p.Limit)
	})
}}

// ContactsList serves GET /v1/contacts.
var ContactsList = app.Route{Function: "contacts-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Contacts()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[contact.Person], error) {
		return s.ListContacts(c, r.Who, p.Cursor, p.Limit)
	})
}}

// ContactDelete serves DELETE /v1/contacts/{memberId}.
var ContactDelete = app.Route{Function: "contact-delete", Handler: func(d *app.Deps) httpapi.Handler {
	return remove("memberId", d.Contacts().Delete)
}}

// NotificationsList serves GET /v1/notifications.
var NotificationsList = app.Route{Function: "notifications-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Notifications()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[notify.Notification], error) {
		return s.List(c, r.Who.MemberID, p.Cursor, p.Limit)
	})
}}

// NotificationRead serves POST /v1/notifications/{id}/read.
var NotificationRead = app.Route{Function: "notification-read", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Notifications()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (notify.Notification, error) {
		return s.MarkRead(c, r.Who.MemberID, r.Path("id"))
	})
}}

// inForum answers 404 for an unknown age group before anything else is read.
func inForum(h httpapi.Handler) httpapi.Handler {
	return httpapi.Before(func(r httpapi.Call) error { return forum.CheckAgeGroup(r.Path("ageGroup")) }, h)
}

// ForumPostsList serves GET /v1/forums/{ageGroup}/posts?q=&limit=&cursor=.
var ForumPostsList = app.Route{Function: "forum-posts-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Forums()
	return inForum(httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[forum.Post], error) {
		return s.ListPosts(c, r.Who, r.Path("ageGroup"), r.Query("q"), p.Cursor, p.Limit)
	}))
}}

type postCreated struct {
	PostID string `json:"postId"`
}

// ForumPostCreate serves POST /v1/forums/{ageGroup}/posts.
var ForumPostCreate = app.Route{Function: "forum-post-create", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Forums()
	return inForum(httpapi.WithBody(http.StatusCreated, func(c ctx, r httpapi.Call, in forum.NewPost) (postCreated, error) {
		p, err := s.CreatePost(c, r.Who, r.Path("ageGroup"), in)
		return postCreated{p.PostID}, err
	}))
}}

// ForumPostGet serves GET /v1/forums/{ageGroup}/posts/{postId}?limit=&cursor= (the cursor
// pages through the replies).
var ForumPostGet = app.Route{Function: "forum-post-get", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Forums()
	return inForum(httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (forum.PostWithReplies, error) {
		return s.GetPost(c, r.Who, r.Path("ageGroup"), r.Path("postId"), p.Cursor, p.Limit)
	}))
}}

// ForumPostUpdate serves PATCH /v1/forums/{ageGroup}/posts/{postId}.
var ForumPostUpdate = app.Route{Function: "forum-post-update", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Forums()
	return inForum(httpapi.WithBody(http.StatusOK, func(c ctx, r httpapi.Call, in forum.PostPatch) (forum.Post, error) {
		return s.UpdatePost(c, r.Who, r.Path("ageGroup"), r.Path("postId"), in)
	}))
}}

// ForumPostDelete serves DELETE /v1/forums/{ageGroup}/posts/{postId} (optional body: a
// moderator's reason).
var ForumPostDelete = app.Route{Function: "forum-post-delete", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Forums()
	return inForum(httpapi.WithOptionalBody(http.StatusNoContent, func(c ctx, r httpapi.Call, in moderation.RemovalInput) (httpapi.Empty, error) {
		return done(s.DeletePost(c, r.Who, r.Path("ageGroup"), r.Path("postId"), in))
	}))
}}

type replyCreated struct {
	ReplyID string `json:"replyId"`
}

// ForumReplyCreate serves POST /v1/forums/{ageGroup}/posts/{postId}/replies.
var ForumReplyCreate = app.Route{Function: "forum-reply-create", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Forums()
	return inForum(httpapi.WithBody(http.StatusCreated, func(c ctx, r httpapi.Call, in forum.ReplyInput) (replyCreated, error) {
		rep, err := s.CreateReply(c, r.Who, r.Path("ageGroup"), r.Path("postId"), in)
		return replyCreated{rep.ReplyID}, err
	}))
}}

// ForumReplyUpdate serves PATCH /v1/forums/{ageGroup}/posts/{postId}/replies/{replyId}.
var ForumReplyUpdate = app.Route{Function: "forum-reply-update", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Forums()
	return inForum(httpapi.WithBody(http.StatusOK, func(c ctx, r httpapi.Call, in forum.ReplyInput) (forum.Reply, error) {
		return s.UpdateReply(c, r.Who, r.Path("ageGroup"), r.Path("postId"), r.Path("replyId"), in)
	}))
}}

// ForumReplyDelete serves DELETE /v1/forums/{ageGroup}/posts/{postId}/replies/{replyId}
// (optional body: a moderator's reason).
var ForumReplyDelete = app.Route{Function: "forum-reply-delete", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Forums()
	return inForum(httpapi.WithOptionalBody(http.StatusNoContent, func(c ctx, r httpapi.Call, in moderation.RemovalInput) (httpapi.Empty, error) {
		return done(s.DeleteReply(c, r.Who, r.Path("ageGroup"), r.Path("postId"), r.Path("replyId"), in))
	}))
}}

type resourceCreated struct {
	ResourceID string `json:"resourceId"`
}

// ResourceCreate serves POST /v1/resources.
var ResourceCreate = app.Route{Function: "resource-create", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Resources()
	return httpapi.WithBody(http.StatusCreated, func(c ctx, r httpapi.Call, in resource.New) (resourceCreated, error) {
		res, err := s.Create(c, r.Who, in)
		return resourceCreated{res.ResourceID}, err
	})
}}

// ResourcesList serves GET /v1/resources?theme=&language=&q=&limit=&cursor=.
var ResourcesList = app.Route{Function: "resources-list", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Paging().Resources()
	return httpapi.List(func(c ctx, r httpapi.Call, p httpapi.PageQuery) (cursor.Page[resource.Resource], error) {
		f, err := resource.ParseFilter(r.Query("theme"), r.Query("language"))
		if err != nil {
			return cursor.Page[resource.Resource]{}, err
		}
		return s.List(c, r.Who, f, r.Query("q"), p.Cursor, p.Limit)
	})
}}

// ResourceGet serves GET /v1/resources/{resourceId}.
var ResourceGet = app.Route{Function: "resource-get", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Resources()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (resource.Resource, error) { return s.Get(c, r.Path("resourceId")) })
}}

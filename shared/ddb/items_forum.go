package ddb

import (
	"time"

	"etwin/shared/forum"
	"etwin/shared/resource"
)

// The stored shapes of forum posts and replies (the domain types in shared/forum carry no
// storage tags; items_test.go pins the attribute names).

// authorAttrs is a post's or reply's author (and a resource's: the same shape).
type authorAttrs struct {
	MemberID  string `dynamodbav:"memberId"`
	FirstName string `dynamodbav:"firstName"`
	LastName  string `dynamodbav:"lastName"`
}

// postItem is a post (FORUM#<ageGroup> / POST#<postId>).
type postItem struct {
	PostID     string      `dynamodbav:"postId"`
	AgeGroup   string      `dynamodbav:"ageGroup"`
	Title      string      `dynamodbav:"title"`
	Body       string      `dynamodbav:"body"`
	Author     authorAttrs `dynamodbav:"author"`
	CreatedAt  time.Time   `dynamodbav:"createdAt"`
	UpdatedAt  *time.Time  `dynamodbav:"updatedAt,omitempty"`
	ReplyCount int         `dynamodbav:"replyCount"`
	Version    int         `dynamodbav:"version"`
	IndexWords []string    `dynamodbav:"indexWords"`
}

func postItemOf(p forum.Post) postItem {
	return postItem{PostID: p.PostID, AgeGroup: p.AgeGroup, Title: p.Title, Body: p.Body, Author: authorAttrs(p.Author),
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, ReplyCount: p.ReplyCount, Version: p.Version, IndexWords: p.IndexWords}
}

func (it *postItem) toPost() forum.Post {
	return forum.Post{PostID: it.PostID, AgeGroup: it.AgeGroup, Title: it.Title, Body: it.Body, Author: forum.Author(it.Author),
		CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt, ReplyCount: it.ReplyCount, Version: it.Version, IndexWords: it.IndexWords}
}

// replyItem is a reply (FORUMPOST#<postId> / REPLY#<replyId>).
type replyItem struct {
	ReplyID   string      `dynamodbav:"replyId"`
	PostID    string      `dynamodbav:"postId"`
	Body      string      `dynamodbav:"body"`
	Author    authorAttrs `dynamodbav:"author"`
	CreatedAt time.Time   `dynamodbav:"createdAt"`
	UpdatedAt *time.Time  `dynamodbav:"updatedAt,omitempty"`
}

func replyItemOf(r forum.Reply) replyItem {
	return replyItem{ReplyID: r.ReplyID, PostID: r.PostID, Body: r.Body, Author: authorAttrs(r.Author), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func (it *replyItem) toReply() forum.Reply {
	return forum.Reply{ReplyID: it.ReplyID, PostID: it.PostID, Body: it.Body, Author: forum.Author(it.Author), CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
}

// resourceItem is a resource with its author in the stored author shape (resource.Author
// is forum.Author, which carries no storage tags).
type resourceItem struct {
	resource.Resource
	Author authorAttrs `dynamodbav:"author"`
}

func resourceItemOf(r resource.Resource) resourceItem {
	return resourceItem{Resource: r, Author: authorAttrs(r.Author)}
}

// mapItems converts stored items to domain values.
func mapItems[I, T any](items []I, conv func(*I) T) []T {
	if items == nil {
		return nil
	}
	out := make([]T, len(items))
	for i := range items {
		out[i] = conv(&items[i])
	}
	return out
}

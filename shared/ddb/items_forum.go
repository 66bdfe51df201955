package ddb

import (
	"time"

	"etwin/shared/forum"
)

// The stored shapes of forum posts and replies (the domain types in shared/forum carry no
// storage tags; items_test.go pins the attribute names).

// postItem is a post (FORUM#<ageGroup> / POST#<postId>).
type postItem struct {
	PostID     string      `dynamodbav:"postId"`
	AgeGroup   string      `dynamodbav:"ageGroup"`
	Title      string      `dynamodbav:"title"`
	Body       string      `dynamodbav:"body"`
	Author     actorFields `dynamodbav:"author"`
	CreatedAt  time.Time   `dynamodbav:"createdAt"`
	UpdatedAt  *time.Time  `dynamodbav:"updatedAt,omitempty"`
	ReplyCount int         `dynamodbav:"replyCount"`
	Version    int         `dynamodbav:"version"`
	IndexWords []string    `dynamodbav:"indexWords"`
}

func postItemOf(p forum.Post) postItem {
	return postItem{PostID: p.PostID, AgeGroup: p.AgeGroup, Title: p.Title, Body: p.Body, Author: actorFields(p.Author),
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
	Author    actorFields `dynamodbav:"author"`
	CreatedAt time.Time   `dynamodbav:"createdAt"`
	UpdatedAt *time.Time  `dynamodbav:"updatedAt,omitempty"`
}

func replyItemOf(r forum.Reply) replyItem {
	return replyItem{ReplyID: r.ReplyID, PostID: r.PostID, Body: r.Body, Author: actorFields(r.Author), CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
}

func (it *replyItem) toReply() forum.Reply {
	return forum.Reply{ReplyID: it.ReplyID, PostID: it.PostID, Body: it.Body, Author: forum.Author(it.Author), CreatedAt: it.CreatedAt, UpdatedAt: it.UpdatedAt}
}

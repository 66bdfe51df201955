// Package forum holds the forums by pupils' age group: posts, replies, the rules for
// writing them, and the word search of posts (title and body words).
package forum

import (
	"errors"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/fold"
	"etwin/shared/member"
)

// Length limits (in characters).
const (
	MaxTitle = 200
	MaxBody  = 10000
	// MaxIndexWords bounds the words a post is indexed under (title words first, then
	// body words in order of first appearance): an edit rewrites at most twice this many
	// entries plus the post in one transaction (DynamoDB allows 100 writes). A query's
	// other words are matched against every word of the title and body.
	MaxIndexWords = 48
)

// Author is who wrote a post or reply, with the names they had when writing it.
type Author struct {
	MemberID  string `json:"memberId"`
	FirstName string `json:"firstName"`
	LastName  string `json:"lastName"`
}

// Post is a message in the forum of one age group.
type Post struct {
	PostID     string     `json:"postId"`
	AgeGroup   string     `json:"ageGroup"`
	Title      string     `json:"title"`
	Body       string     `json:"body"`
	Author     Author     `json:"author"`
	CreatedAt  time.Time  `json:"createdAt"`
	UpdatedAt  *time.Time `json:"updatedAt,omitempty"`
	ReplyCount int        `json:"replyCount"`
	// Version counts edits; every write of the post is conditional on the one read.
	Version int `json:"-"`
	// IndexWords are the words the post is indexed under (see MaxIndexWords).
	IndexWords []string `json:"-"`
}

// Words are all the folded words of the title and body (what a search matches).
func (p *Post) Words() []string { return fold.Words(p.Title + "\n" + p.Body) }

// Reply answers a post.
type Reply struct {
	ReplyID   string     `json:"replyId"`
	PostID    string     `json:"postId"`
	Body      string     `json:"body"`
	Author    Author     `json:"author"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt *time.Time `json:"updatedAt,omitempty"`
}

// NewPost is the body of POST /v1/forums/{ageGroup}/posts.
type NewPost struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

// Validate checks a new post (422 naming each bad field).
func (n *NewPost) Validate() error {
	var fs apperr.Fields
	member.CheckName(&fs, "title", n.Title, MaxTitle)
	member.CheckText(&fs, "body", n.Body, MaxBody, true)
	return fs.Err()
}

// PostPatch is the body of PATCH .../posts/{postId}: the fields to change (at least one).
type PostPatch struct {
	Title *string `json:"title"`
	Body  *string `json:"body"`
}

// Validate checks a patch (422 naming each bad field).
func (p *PostPatch) Validate() error {
	var fs apperr.Fields
	if p.Title == nil && p.Body == nil {
		fs.Add("body", "give title, body or both")
	}
	if p.Title != nil {
		member.CheckName(&fs, "title", *p.Title, MaxTitle)
	}
	if p.Body != nil {
		member.CheckText(&fs, "body", *p.Body, MaxBody, true)
	}
	return fs.Err()
}

// ReplyInput is the body of POST .../replies and PATCH .../replies/{replyId}.
type ReplyInput struct {
	Body string `json:"body"`
}

// Validate checks a reply (422 naming body).
func (r *ReplyInput) Validate() error {
	var fs apperr.Fields
	member.CheckText(&fs, "body", r.Body, MaxBody, true)
	return fs.Err()
}

// indexWords are the words a post with this title and body is indexed under.
func indexWords(title, body string) []string {
	return fold.IndexWords(MaxIndexWords, title, body)
}

// Apply returns p changed by the patch (trimmed title, re-indexed), as of now.
func (p Post) Apply(patch PostPatch, now time.Time) Post {
	if patch.Title != nil {
		p.Title = strings.TrimSpace(*patch.Title)
	}
	if patch.Body != nil {
		p.Body = *patch.Body
	}
	t := now.UTC()
	p.UpdatedAt = &t
	p.IndexWords = indexWords(p.Title, p.Body)
	return p
}

// Errors the store reports.
var (
	// ErrBusy: the post kept changing while an edit or delete was decided (the store gave
	// up reading and deciding again).
	ErrBusy = apperr.Busy("The post keeps changing; please try again.")
	// ErrNoPost: the post does not exist (any more).
	ErrNoPost = errors.New("forum: no such post")
	// ErrNoReply: the reply does not exist (any more), or is someone else's.
	ErrNoReply = errors.New("forum: no such reply of this author")
)

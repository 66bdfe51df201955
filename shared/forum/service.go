package forum

import (
	"context"
	"errors"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/fold"
	"etwin/shared/member"
	"etwin/shared/moderation"
	"etwin/shared/principal"
	"etwin/shared/school"
	"etwin/shared/token"
	"etwin/shared/vocab"
)

// Store is what the forum use cases need (shared/ddb implements it).
type Store interface {
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	// CreatePost writes the post and its index entries in one transaction.
	CreatePost(ctx context.Context, p Post) error
	GetPost(ctx context.Context, ageGroup, postID string) (Post, bool, error)
	// ListPosts returns a forum's posts newest first, after the position after, and the
	// position of the next page ("" when none).
	ListPosts(ctx context.Context, ageGroup, after string, limit int) ([]Post, string, error)
	// SearchPosts returns posts matching q (see fold.Search), a page at a time; a page may
	// be short and still have a next one.
	SearchPosts(ctx context.Context, ageGroup string, q fold.Search, after string, limit int) ([]Post, string, error)
	// UpdatePost reads the post (strongly consistent), lets decide change it and writes
	// it, moving its index entries, conditional on the version read; when another writer
	// won first it reads and decides again (decide may run more than once). An error from
	// decide is returned and nothing is written; ErrNoPost when the post is not there,
	// ErrBusy when others kept winning.
	UpdatePost(ctx context.Context, ageGroup, postID string, decide func(p *Post) error) (Post, error)
	// DeletePost is the same loop for a delete: when decide returns no error, the post and
	// its index entries go (conditional on the version read), with the removal decide
	// returns (a moderator's: its record and the author's notification) in the same
	// transaction, then its replies.
	DeletePost(ctx context.Context, ageGroup, postID string, decide func(p *Post) (*moderation.Removal, error)) error
	// CreateReply writes the reply and counts it on the post (ErrNoPost if it is gone).
	CreateReply(ctx context.Context, ageGroup string, r Reply) error
	GetReply(ctx context.Context, postID, replyID string) (Reply, bool, error)
	// ListReplies returns a post's replies oldest first.
	ListReplies(ctx context.Context, postID, after string, limit int) ([]Reply, string, error)
	// UpdateReply changes the body if the reply is still the author's and the post is
	// there (ErrNoReply, ErrNoPost).
	UpdateReply(ctx context.Context, ageGroup string, r Reply) error
	// DeleteReply removes the author's reply and uncounts it (ErrNoReply, ErrNoPost), with
	// rm (a moderator's removal, or nil) in the same transaction.
	DeleteReply(ctx context.Context, ageGroup string, r Reply, rm *moderation.Removal) error
}

// Service runs the forum use cases.
type Service struct {
	Store   Store
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Service) now() time.Time { return clock.Now(s.Now) }

func noForum() error { return apperr.NotFound("There is no forum for this age group.") }
func noPost() error  { return apperr.NotFound("This forum has no such post.") }
func noReply() error { return apperr.NotFound("This post has no such reply.") }

// CheckAgeGroup answers 404 for an age group that has no forum.
func CheckAgeGroup(ag string) error {
	if !vocab.IsAgeGroup(ag) {
		return noForum()
	}
	return nil
}

// author reads the caller's names for a new post or reply.
func (s *Service) author(ctx context.Context, who principal.Principal) (Author, error) {
	m, ok, err := s.Store.GetMember(ctx, who.MemberID)
	if err != nil {
		return Author{}, err
	}
	if !ok {
		return Author{}, apperr.NoSession()
	}
	return Author{MemberID: m.MemberID, FirstName: m.FirstName, LastName: m.LastName}, nil
}

// CreatePost writes a new post in the forum of ageGroup.
func (s *Service) CreatePost(ctx context.Context, who principal.Principal, ageGroup string, in NewPost) (Post, error) {
	if err := CheckAgeGroup(ageGroup); err != nil {
		return Post{}, err
	}
	if err := in.Validate(); err != nil {
		return Post{}, err
	}
	a, err := s.author(ctx, who)
	if err != nil {
		return Post{}, err
	}
	now := s.now()
	p := Post{PostID: token.TimeID("p-", now), AgeGroup: ageGroup, Title: strings.TrimSpace(in.Title), Body: in.Body,
		Author: a, CreatedAt: now}
	p.IndexWords = indexWords(p.Title, p.Body)
	if err := s.Store.CreatePost(ctx, p); err != nil {
		return Post{}, err
	}
	return p, nil
}

// ListPosts lists a forum's posts newest first, or the posts matching q.
func (s *Service) ListPosts(ctx context.Context, who principal.Principal, ageGroup, q, cur string, limit int) (cursor.Page[Post], error) {
	if err := CheckAgeGroup(ageGroup); err != nil {
		return cursor.Page[Post]{}, err
	}
	var search fold.Search
	if q != "" {
		var problem string
		if search, problem = fold.ParseSearch(q); problem != "" {
			return cursor.Page[Post]{}, apperr.BadRequest("The search is invalid.", apperr.FieldError{Field: "q", Message: problem})
		}
	}
	list := "forum|" + ageGroup + "|" + strings.Join(search.Words, " ")
	after, err := s.Cursors.Resume(cur, who.MemberID, list, s.now())
	if err != nil {
		return cursor.Page[Post]{}, err
	}
	var posts []Post
	var next string
	if q != "" {
		posts, next, err = s.Store.SearchPosts(ctx, ageGroup, search, after, limit)
	} else {
		posts, next, err = s.Store.ListPosts(ctx, ageGroup, after, limit)
	}
	if err != nil {
		return cursor.Page[Post]{}, err
	}
	return cursor.NewPage(s.Cursors, who.MemberID, list, posts, next, s.now())
}

// PostWithReplies is a post with a page of its replies (oldest first).
type PostWithReplies struct {
	Post
	Replies cursor.Page[Reply] `json:"replies"`
}

// GetPost reads a post and a page of its replies.
func (s *Service) GetPost(ctx context.Context, who principal.Principal, ageGroup, postID, cur string, limit int) (PostWithReplies, error) {
	if err := CheckAgeGroup(ageGroup); err != nil {
		return PostWithReplies{}, err
	}
	p, err := s.post(ctx, ageGroup, postID)
	if err != nil {
		return PostWithReplies{}, err
	}
	list := "replies|" + postID
	after, err := s.Cursors.Resume(cur, who.MemberID, list, s.now())
	if err != nil {
		return PostWithReplies{}, err
	}
	replies, next, err := s.Store.ListReplies(ctx, postID, after, limit)
	if err != nil {
		return PostWithReplies{}, err
	}
	page, err := cursor.NewPage(s.Cursors, who.MemberID, list, replies, next, s.now())
	return PostWithReplies{Post: p, Replies: page}, err
}

func (s *Service) post(ctx context.Context, ageGroup, postID string) (Post, error) {
	if !school.ValidID(postID) {
		return Post{}, noPost()
	}
	p, ok, err := s.Store.GetPost(ctx, ageGroup, postID)
	if err != nil {
		return Post{}, err
	}
	if !ok {
		return Post{}, noPost()
	}
	return p, nil
}

// ownPost is the decision that the caller may change or delete the post: another's post
// is a 403 (posts are public within the forum, so their existence is no secret).
func ownPost(who principal.Principal, p *Post) error {
	if p.Author.MemberID != who.MemberID {
		return apperr.Forbidden("Only the author may change or delete a post.")
	}
	return nil
}

func postErr(err error) error {
	if errors.Is(err, ErrNoPost) {
		return noPost()
	}
	return err
}

// UpdatePost edits the caller's post.
func (s *Service) UpdatePost(ctx context.Context, who principal.Principal, ageGroup, postID string, patch PostPatch) (Post, error) {
	if err := CheckAgeGroup(ageGroup); err != nil {
		return Post{}, err
	}
	if err := patch.Validate(); err != nil {
		return Post{}, err
	}
	if !school.ValidID(postID) {
		return Post{}, noPost()
	}
	p, err := s.Store.UpdatePost(ctx, ageGroup, postID, func(p *Post) error {
		if err := ownPost(who, p); err != nil {
			return err
		}
		*p = p.Apply(patch, s.now())
		return nil
	})
	return p, postErr(err)
}

// DeletePost deletes a post, its index entries and its replies: the author's own (nothing
// recorded), or a moderator's removal (the NSO of the author's country, the CSS; see
// moderation.CanModerate), recorded with the reason and notified to the author in the
// same transaction. Anyone else gets 403 (posts are public within the forum).
func (s *Service) DeletePost(ctx context.Context, who principal.Principal, ageGroup, postID string, in moderation.RemovalInput) error {
	if err := CheckAgeGroup(ageGroup); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	p, err := s.post(ctx, ageGroup, postID)
	if err != nil {
		return err
	}
	var mod *moderation.Acting
	if p.Author.MemberID != who.MemberID {
		a, err := moderation.Authorize(ctx, s.Store, who, p.Author.MemberID, false,
			"Only the author, the NSO of the author's country or the Central Support Service may delete a post.")
		if err != nil {
			return err
		}
		mod = &a
	}
	return postErr(s.Store.DeletePost(ctx, ageGroup, postID, func(p *Post) (*moderation.Removal, error) {
		if mod == nil {
			return nil, ownPost(who, p)
		}
		if p.Author.MemberID != mod.AuthorID() { // authors never change; a safeguard
			return nil, apperr.Forbidden("The post changed author.")
		}
		return mod.Removal(moderation.Content{Kind: moderation.KindForumPost, ID: p.PostID,
			Where: moderation.Where{AgeGroup: ageGroup}, Excerpt: p.Title}, in.Text(), s.now()), nil
	}))
}

// CreateReply answers a post.
func (s *Service) CreateReply(ctx context.Context, who principal.Principal, ageGroup, postID string, in ReplyInput) (Reply, error) {
	if err := CheckAgeGroup(ageGroup); err != nil {
		return Reply{}, err
	}
	if err := in.Validate(); err != nil {
		return Reply{}, err
	}
	if !school.ValidID(postID) {
		return Reply{}, noPost()
	}
	a, err := s.author(ctx, who)
	if err != nil {
		return Reply{}, err
	}
	now := s.now()
	r := Reply{ReplyID: token.TimeID("r-", now), PostID: postID, Body: in.Body, Author: a, CreatedAt: now}
	if err := s.Store.CreateReply(ctx, ageGroup, r); err != nil {
		if errors.Is(err, ErrNoPost) {
			return Reply{}, noPost()
		}
		return Reply{}, err
	}
	return r, nil
}

// ownReply reads the caller's reply: another's is a 403, a missing one (or one of a
// missing post) 404.
func (s *Service) ownReply(ctx context.Context, who principal.Principal, ageGroup, postID, replyID string) (Reply, error) {
	r, err := s.reply(ctx, ageGroup, postID, replyID)
	if err != nil {
		return Reply{}, err
	}
	if r.Author.MemberID != who.MemberID {
		return Reply{}, apperr.Forbidden("Only the author may change or delete a reply.")
	}
	return r, nil
}

// reply reads a reply of a post (404 when either is missing).
func (s *Service) reply(ctx context.Context, ageGroup, postID, replyID string) (Reply, error) {
	if _, err := s.post(ctx, ageGroup, postID); err != nil {
		return Reply{}, err
	}
	if !school.ValidID(replyID) {
		return Reply{}, noReply()
	}
	r, ok, err := s.Store.GetReply(ctx, postID, replyID)
	if err != nil {
		return Reply{}, err
	}
	if !ok {
		return Reply{}, noReply()
	}
	return r, nil
}

func replyErr(err error) error {
	switch {
	case errors.Is(err, ErrNoPost):
		return noPost()
	case errors.Is(err, ErrNoReply):
		return noReply()
	}
	return err
}

// UpdateReply edits the caller's reply.
func (s *Service) UpdateReply(ctx context.Context, who principal.Principal, ageGroup, postID, replyID string, in ReplyInput) (Reply, error) {
	if err := CheckAgeGroup(ageGroup); err != nil {
		return Reply{}, err
	}
	if err := in.Validate(); err != nil {
		return Reply{}, err
	}
	r, err := s.ownReply(ctx, who, ageGroup, postID, replyID)
	if err != nil {
		return Reply{}, err
	}
	r.Body = in.Body
	t := s.now()
	r.UpdatedAt = &t
	if err := s.Store.UpdateReply(ctx, ageGroup, r); err != nil {
		return Reply{}, replyErr(err)
	}
	return r, nil
}

// DeleteReply deletes a reply: the author's own (nothing recorded), or a moderator's
// removal (as DeletePost), recorded and notified in the same transaction; anyone else
// gets 403.
func (s *Service) DeleteReply(ctx context.Context, who principal.Principal, ageGroup, postID, replyID string, in moderation.RemovalInput) error {
	if err := CheckAgeGroup(ageGroup); err != nil {
		return err
	}
	if err := in.Validate(); err != nil {
		return err
	}
	r, err := s.reply(ctx, ageGroup, postID, replyID)
	if err != nil {
		return err
	}
	var rm *moderation.Removal
	if r.Author.MemberID != who.MemberID {
		mod, err := moderation.Authorize(ctx, s.Store, who, r.Author.MemberID, false,
			"Only the author, the NSO of the author's country or the Central Support Service may delete a reply.")
		if err != nil {
			return err
		}
		rm = mod.Removal(moderation.Content{Kind: moderation.KindForumReply, ID: r.ReplyID,
			Where: moderation.Where{AgeGroup: ageGroup, PostID: postID}, Excerpt: r.Body}, in.Text(), s.now())
	}
	return replyErr(s.Store.DeleteReply(ctx, ageGroup, r, rm))
}

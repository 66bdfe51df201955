package forum

import (
	"context"
	"net/http"

	"etwin/shared/httpapi"
	"etwin/shared/principal"
)

// HandleList serves GET /v1/forums/{ageGroup}/posts?q=&limit=&cursor=.
func (s *Service) HandleList(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	ag, err := forumOf(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	limit, err := httpapi.Limit(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	page, err := s.ListPosts(ctx, who, ag, httpapi.Query(req, "q"), httpapi.Query(req, "cursor"), limit)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, page)
}

// HandleCreate serves POST /v1/forums/{ageGroup}/posts.
func (s *Service) HandleCreate(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	ag, err := forumOf(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	var in NewPost
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	p, err := s.CreatePost(ctx, who, ag, in)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, map[string]string{"postId": p.PostID})
}

// HandleGet serves GET /v1/forums/{ageGroup}/posts/{postId}?limit=&cursor= (the cursor
// pages through the replies).
func (s *Service) HandleGet(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	ag, err := forumOf(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	limit, err := httpapi.Limit(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	out, err := s.GetPost(ctx, who, ag, httpapi.PathParam(req, "postId"), httpapi.Query(req, "cursor"), limit)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, out)
}

// HandleUpdate serves PATCH /v1/forums/{ageGroup}/posts/{postId}.
func (s *Service) HandleUpdate(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	ag, err := forumOf(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	var patch PostPatch
	if err := httpapi.Decode(req, &patch); err != nil {
		return httpapi.Response{}, err
	}
	p, err := s.UpdatePost(ctx, who, ag, httpapi.PathParam(req, "postId"), patch)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, p)
}

// HandleDelete serves DELETE /v1/forums/{ageGroup}/posts/{postId}.
func (s *Service) HandleDelete(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	ag, err := forumOf(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := s.DeletePost(ctx, who, ag, httpapi.PathParam(req, "postId")); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent()
}

// HandleReplyCreate serves POST /v1/forums/{ageGroup}/posts/{postId}/replies.
func (s *Service) HandleReplyCreate(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	ag, err := forumOf(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	var in ReplyInput
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	r, err := s.CreateReply(ctx, who, ag, httpapi.PathParam(req, "postId"), in)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, map[string]string{"replyId": r.ReplyID})
}

// HandleReplyUpdate serves PATCH /v1/forums/{ageGroup}/posts/{postId}/replies/{replyId}.
func (s *Service) HandleReplyUpdate(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	ag, err := forumOf(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	var in ReplyInput
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	r, err := s.UpdateReply(ctx, who, ag, httpapi.PathParam(req, "postId"), httpapi.PathParam(req, "replyId"), in)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, r)
}

// HandleReplyDelete serves DELETE /v1/forums/{ageGroup}/posts/{postId}/replies/{replyId}.
func (s *Service) HandleReplyDelete(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	ag, err := forumOf(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	if err := s.DeleteReply(ctx, who, ag, httpapi.PathParam(req, "postId"), httpapi.PathParam(req, "replyId")); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent()
}

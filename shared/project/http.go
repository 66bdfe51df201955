package project

import (
	"context"
	"net/http"

	"etwin/shared/httpapi"
	"etwin/shared/principal"
)

// HandleCreate serves POST /v1/projects.
func (s *Service) HandleCreate(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	var in CreateInput
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	p, err := s.Create(ctx, who, in)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, p)
}

// HandleList serves GET /v1/projects.
func (s *Service) HandleList(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	limit, err := httpapi.Limit(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	page, err := s.List(ctx, who, httpapi.Query(req, "cursor"), limit)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, page)
}

// HandleGet serves GET /v1/projects/{projectId}.
func (s *Service) HandleGet(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	p, err := s.Get(ctx, who, httpapi.PathParam(req, "projectId"))
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, p)
}

// HandleUpdate serves PATCH /v1/projects/{projectId}.
func (s *Service) HandleUpdate(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	var in PatchInput
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	p, err := s.Update(ctx, who, httpapi.PathParam(req, "projectId"), in)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, p)
}

// HandleWithdraw serves DELETE /v1/projects/{projectId}.
func (s *Service) HandleWithdraw(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	if err := s.Withdraw(ctx, who, httpapi.PathParam(req, "projectId")); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent()
}

// HandleCofounderDecision serves POST /v1/projects/{projectId}/cofounder-decision.
func (s *Service) HandleCofounderDecision(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	var in CofounderDecisionInput
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	p, err := s.CofounderDecision(ctx, who, httpapi.PathParam(req, "projectId"), in)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, p)
}

// HandleNSODecision serves POST /v1/projects/{projectId}/nso-decision.
func (s *Service) HandleNSODecision(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	var in NSODecisionInput
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	p, err := s.NSODecision(ctx, who, httpapi.PathParam(req, "projectId"), in)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, p)
}

// HandleNSOQueue serves GET /v1/nso/projects?status=awaiting_nso.
func (s *Service) HandleNSOQueue(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	limit, err := httpapi.Limit(req)
	if err != nil {
		return httpapi.Response{}, err
	}
	page, err := s.NSOQueue(ctx, who, httpapi.Query(req, "status"), httpapi.Query(req, "cursor"), limit)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, page)
}

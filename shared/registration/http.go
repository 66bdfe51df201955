package registration

import (
	"context"
	"net/http"

	"etwin/shared/httpapi"
)

// HandleStart serves POST /v1/registrations.
func (s *Service) HandleStart(ctx context.Context, req *httpapi.Request) (httpapi.Response, error) {
	var in StartInput
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	if err := s.Start(ctx, in); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusAccepted, map[string]string{"status": "pending"})
}

// HandleRead serves GET /v1/registrations/{token}.
func (s *Service) HandleRead(ctx context.Context, req *httpapi.Request) (httpapi.Response, error) {
	v, err := s.Read(ctx, httpapi.PathParam(req, "token"))
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, v)
}

// HandleComplete serves POST /v1/registrations/{token}/complete.
func (s *Service) HandleComplete(ctx context.Context, req *httpapi.Request) (httpapi.Response, error) {
	var in CompleteInput
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	out, err := s.Complete(ctx, httpapi.PathParam(req, "token"), in)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, out)
}

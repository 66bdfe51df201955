package account

import (
	"context"
	"net/http"

	"etwin/shared/httpapi"
	"etwin/shared/principal"
	"etwin/shared/school"
)

// HandleLogin serves POST /v1/sessions.
func (s *Service) HandleLogin(ctx context.Context, req *httpapi.Request) (httpapi.Response, error) {
	var in LoginInput
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	out, err := s.Login(ctx, in)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, out)
}

// HandleLogout serves DELETE /v1/sessions/current.
func (s *Service) HandleLogout(ctx context.Context, _ *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	if err := s.Logout(ctx, who); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent()
}

// HandleGetMe serves GET /v1/me.
func (s *Service) HandleGetMe(ctx context.Context, _ *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	me, err := s.GetMe(ctx, who)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, me)
}

// HandleUpdateMe serves PATCH /v1/me.
func (s *Service) HandleUpdateMe(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	var p MePatch
	if err := httpapi.Decode(req, &p); err != nil {
		return httpapi.Response{}, err
	}
	me, err := s.UpdateMe(ctx, who, p)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusOK, me)
}

// HandleAddSchool serves POST /v1/me/schools.
func (s *Service) HandleAddSchool(ctx context.Context, req *httpapi.Request, who principal.Principal) (httpapi.Response, error) {
	var form school.Form
	if err := httpapi.Decode(req, &form); err != nil {
		return httpapi.Response{}, err
	}
	out, err := s.AddSchool(ctx, who, form)
	if err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusCreated, out)
}

// HandleRequestReset serves POST /v1/password-resets.
func (s *Service) HandleRequestReset(ctx context.Context, req *httpapi.Request) (httpapi.Response, error) {
	var in ResetRequest
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	if err := s.RequestReset(ctx, in); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.JSON(http.StatusAccepted, map[string]string{"status": "sent if the address has an account"})
}

// HandleConfirmReset serves POST /v1/password-resets/{token}.
func (s *Service) HandleConfirmReset(ctx context.Context, req *httpapi.Request) (httpapi.Response, error) {
	var in ResetConfirm
	if err := httpapi.Decode(req, &in); err != nil {
		return httpapi.Response{}, err
	}
	if err := s.ConfirmReset(ctx, httpapi.PathParam(req, "token"), in); err != nil {
		return httpapi.Response{}, err
	}
	return httpapi.NoContent()
}

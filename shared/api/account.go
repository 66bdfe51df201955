package api

import (
	"net/http"

	"etwin/shared/account"
	"etwin/shared/app"
	"etwin/shared/httpapi"
	"etwin/shared/registration"
)

// pending is the answer of a request whose effect arrives by e-mail.
type pending struct {
	Status string `json:"status"`
}

// RegistrationStart serves POST /v1/registrations.
var RegistrationStart = app.Route{Function: "registration-start", Public: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Registration()
	return httpapi.WithBody(http.StatusAccepted, func(c ctx, _ httpapi.Call, in registration.StartInput) (pending, error) {
		return pending{"pending"}, s.Start(c, in)
	})
}}

// RegistrationRead serves GET /v1/registrations/{token}.
var RegistrationRead = app.Route{Function: "registration-read", Public: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Registration()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (registration.View, error) { return s.Read(c, r.Path("token")) })
}}

// RegistrationComplete serves POST /v1/registrations/{token}/complete.
var RegistrationComplete = app.Route{Function: "registration-complete", Public: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Registration()
	return httpapi.WithBody(http.StatusCreated, func(c ctx, r httpapi.Call, in registration.CompleteInput) (registration.Completed, error) {
		return s.Complete(c, r.Path("token"), in)
	})
}}

// SessionCreate serves POST /v1/sessions (login). Its answer holds the session token, which
// is never stored for replay: a retried login just signs in again.
var SessionCreate = app.Route{Function: "session-create", Public: true, NoReplay: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Account()
	return httpapi.WithBody(http.StatusCreated, func(c ctx, _ httpapi.Call, in account.LoginInput) (account.LoginResult, error) {
		return s.Login(c, in)
	})
}}

// SessionDelete serves DELETE /v1/sessions/current (logout).
var SessionDelete = app.Route{Function: "session-delete", Pupils: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Account()
	return httpapi.NoBody(http.StatusNoContent, func(c ctx, r httpapi.Call) (httpapi.Empty, error) { return done(s.Logout(c, r.Who)) })
}}

// MeGet serves GET /v1/me.
var MeGet = app.Route{Function: "me-get", Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Account()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (account.Me, error) { return s.GetMe(c, r.Who) })
}}

// MeUpdate serves PATCH /v1/me.
var MeUpdate = app.Route{Function: "me-update", Handler: func(d *app.Deps) httpapi.Handler {
	return mine(http.StatusOK, d.Account().UpdateMe)
}}

// MeSchoolAdd serves POST /v1/me/schools.
var MeSchoolAdd = app.Route{Function: "me-school-add", Handler: func(d *app.Deps) httpapi.Handler {
	return mine(http.StatusCreated, d.Account().AddSchool)
}}

// PasswordResetRequest serves POST /v1/password-resets. The answer is the same whether or
// not the address has an account.
var PasswordResetRequest = app.Route{Function: "password-reset-request", Public: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Account()
	return httpapi.WithBody(http.StatusAccepted, func(c ctx, _ httpapi.Call, in account.ResetRequest) (pending, error) {
		return pending{"sent if the address has an account"}, s.RequestReset(c, in)
	})
}}

// PasswordResetConfirm serves POST /v1/password-resets/{token}.
var PasswordResetConfirm = app.Route{Function: "password-reset-confirm", Public: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Account()
	return httpapi.WithBody(http.StatusNoContent, func(c ctx, r httpapi.Call, in account.ResetConfirm) (httpapi.Empty, error) {
		return done(s.ConfirmReset(c, r.Path("token"), in))
	})
}}

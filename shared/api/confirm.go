package api

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"etwin/shared/app"
	"etwin/shared/apperr"
	"etwin/shared/confirm"
	"etwin/shared/httpapi"
	"etwin/shared/mail"
	"etwin/shared/optout"
	"etwin/shared/page"
	"etwin/shared/principal"
)

// The confirmation pages (GET/HEAD/POST /confirm/{token}) and their JSON twin
// (/v1/confirmations/{token}): deciding from an e-mailed link, without signing in.
// GET and HEAD change nothing, whoever opens the link (a mail scanner included); only
// the page's POST decides, through the same use case as the API route.

// ConfirmPage serves GET and HEAD /confirm/{token}: what the link decides, with one
// button per choice (or what became of it).
var ConfirmPage = app.Route{Function: "confirm-page", Public: true, NoReplay: true, Identify: true, Handler: func(d *app.Deps) httpapi.Handler {
	s, portal := d.Confirmations(), d.PortalURL
	return pageHandler(func(c ctx, req *httpapi.Request) page.Page {
		who, _ := principal.From(c)
		v, err := s.Look(c, who, httpapi.PathParam(req, "token"))
		logLink(c, req, v, err)
		return confirmationPage(v, err, portal)
	})
}}

// ConfirmDecide serves POST /confirm/{token}: the form's choice, decided once; a second
// POST shows the first outcome.
var ConfirmDecide = app.Route{Function: "confirm-decide", Public: true, NoReplay: true, Identify: true, Handler: func(d *app.Deps) httpapi.Handler {
	s, portal := d.Confirmations(), d.PortalURL
	return pageHandler(func(c ctx, req *httpapi.Request) page.Page {
		form, err := httpapi.Form(req, "choice")
		if err != nil {
			return problemPage(err, "", portal)
		}
		who, _ := principal.From(c)
		v, err := s.Decide(c, who, httpapi.PathParam(req, "token"), form["choice"])
		logLink(c, req, v, err)
		return confirmationPage(v, err, portal)
	})
}}

// ConfirmationGet serves GET /v1/confirmations/{token}: the same as JSON, for a portal
// that draws its own page. Used → 409 with the outcome; expired or superseded → 410.
var ConfirmationGet = app.Route{Function: "confirmation-get", Public: true, Identify: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Confirmations()
	return httpapi.NoBody(http.StatusOK, func(c ctx, r httpapi.Call) (confirm.View, error) {
		return asJSON(s.Look(c, r.Who, r.Path("token")))
	})
}}

// ConfirmationPost serves POST /v1/confirmations/{token} {choice}: 200 with the outcome.
var ConfirmationPost = app.Route{Function: "confirmation-post", Public: true, Identify: true, Handler: func(d *app.Deps) httpapi.Handler {
	s := d.Confirmations()
	return httpapi.WithBody(http.StatusOK, func(c ctx, r httpapi.Call, in confirm.ChoiceInput) (confirm.View, error) {
		if err := in.Validate(); err != nil {
			return confirm.View{}, err
		}
		return asJSON(s.Decide(c, r.Who, r.Path("token"), in.Choice))
	})
}}

// UnsubscribePage serves GET and HEAD /unsubscribe/{token}: a page with the button that
// POSTs the one-click form.
var UnsubscribePage = app.Route{Function: "unsubscribe-page", Public: true, NoReplay: true, Handler: func(d *app.Deps) httpapi.Handler {
	s, portal := d.OptOuts(), d.PortalURL
	return pageHandler(func(c ctx, req *httpapi.Request) page.Page {
		sub, err := s.Read(c, principal.Principal{}, httpapi.PathParam(req, "token"))
		return unsubscribePage(sub, err, false, portal)
	})
}}

// Unsubscribe serves POST /unsubscribe/{token}, RFC 8058's one-click unsubscribe (body
// List-Unsubscribe=One-Click): 200, no redirect; that kind's e-mails are off.
var Unsubscribe = app.Route{Function: "unsubscribe", Public: true, NoReplay: true, Handler: func(d *app.Deps) httpapi.Handler {
	s, portal := d.OptOuts(), d.PortalURL
	return pageHandler(func(c ctx, req *httpapi.Request) page.Page {
		form, err := httpapi.Form(req, "List-Unsubscribe")
		if err == nil && form["List-Unsubscribe"] != "One-Click" {
			err = apperr.BadRequest("The form must be List-Unsubscribe=One-Click.",
				apperr.FieldError{Field: "List-Unsubscribe", Message: "must be One-Click"})
		}
		if err != nil {
			return problemPage(err, "", portal)
		}
		sub, err := s.Unsubscribe(c, principal.Principal{}, httpapi.PathParam(req, "token"))
		return unsubscribePage(sub, err, true, portal)
	})
}}

// The page routes are NoReplay: a browser's form sends no Idempotency-Key, and a page is
// no JSON answer to replay (a second POST shows the first outcome anyway).

// pageHandler serves the page build makes, with the pages' headers. A page handler never
// answers problem+json: its errors are pages too.
func pageHandler(build func(ctx, *httpapi.Request) page.Page) httpapi.Handler {
	return func(c ctx, req *httpapi.Request) (httpapi.Response, error) {
		p := build(c, req)
		body, err := page.Render(p)
		if err != nil {
			slog.ErrorContext(c, "a page did not render", "error", err.Error())
			p = page.Page{Status: http.StatusInternalServerError, Title: page.T("title_error"), Paras: []page.Text{page.T("error")}}
			if body, err = page.Render(p); err != nil {
				return httpapi.Response{}, err
			}
		}
		return httpapi.HTML(p.Status, body, page.Headers()), nil
	}
}

// asJSON is a link's view as the JSON routes answer it.
func asJSON(v confirm.View, err error) (confirm.View, error) {
	if err != nil {
		return v, err
	}
	switch v.State {
	case confirm.Used:
		return v, apperr.Conflict("This link was used already.").With("outcome", v.Outcome).With("state", v.State)
	case confirm.Expired:
		return v, apperr.Gone("This link has expired; decide in the portal instead.").With("state", v.State)
	case confirm.Superseded:
		return v, apperr.Gone("This was decided another way; the link no longer works.").With("state", v.State).With("settled", v.Settled)
	}
	return v, nil
}

// confirmationPage is the page of a link's view (or of the error that stopped it).
func confirmationPage(v confirm.View, err error, portal string) page.Page {
	if v.Purpose == "" { // nothing known about the link
		return problemPage(err, "", portal)
	}
	from := personName(v.From)
	p := page.Page{Lang: v.Lang, Status: http.StatusOK, Title: page.T("title_" + v.Purpose),
		Notes: []page.Text{page.T("for", "For", personName(v.For))}}
	if v.Subject.Type == "project" || v.Subject.Type == "room" {
		p.Quote = &page.Quote{Title: v.Subject.Title, Summary: v.Subject.Summary}
	}
	if err != nil {
		switch apperr.StatusOf(err) {
		case http.StatusForbidden: // signed in as someone else: say whom it is for, change nothing
			p.Status, p.Paras, p.Notes, p.Portal = http.StatusForbidden, []page.Text{page.T("not_yours", "For", personName(v.For))}, nil, portal
			return p
		case http.StatusUnprocessableEntity: // a choice the page does not offer: offer them again
			p.Status, p.Paras = http.StatusUnprocessableEntity, []page.Text{page.T("bad_choice"), page.T("ask_"+v.Purpose, "From", from)}
			p.Buttons = choiceButtons(v.Choices)
			return p
		}
		q := problemPage(err, v.Lang, portal)
		return q
	}
	done := page.T("done_"+v.Purpose+"_"+v.Outcome, "From", from)
	switch v.State {
	case confirm.Open:
		p.Paras = []page.Text{page.T("ask_"+v.Purpose, "From", from)}
		p.Buttons = choiceButtons(v.Choices)
		p.Notes = append(p.Notes, page.T("expires", "Expires", mail.Date(v.ExpiresAt, v.Lang, "")))
	case confirm.Done:
		p.Title, p.Paras = page.T("title_done"), []page.Text{done}
	case confirm.Used:
		p.Title, p.Paras, p.Portal = page.T("title_used"), []page.Text{page.T("used"), done}, portal
	case confirm.Superseded:
		p.Status, p.Title, p.Paras, p.Portal = http.StatusGone, page.T("title_superseded"), []page.Text{page.T("settled_" + v.Settled)}, portal
	default: // expired
		p.Status, p.Title, p.Paras, p.Portal = http.StatusGone, page.T("title_expired"), []page.Text{page.T("expired")}, portal
		p.Quote = nil
	}
	return p
}

func choiceButtons(choices []string) []page.Button {
	out := make([]page.Button, len(choices))
	for i, c := range choices {
		out[i] = page.Button{Name: "choice", Value: c, Label: page.T("choice_" + c), Secondary: i > 0}
	}
	return out
}

func personName(p confirm.Person) string {
	name := strings.TrimSpace(p.FirstName + " " + p.LastName)
	if p.Country != "" {
		name += " (" + p.Country + ")"
	}
	return name
}

// problemPage is the page of an error: 404 for an unknown link, 400/413/415 for a form
// that could not be read, 500/503 otherwise (logged; nothing was changed).
func problemPage(err error, lang, portal string) page.Page {
	status := apperr.StatusOf(err)
	if _, ok := apperr.As(err); !ok {
		status = http.StatusInternalServerError
	}
	p := page.Page{Lang: lang, Status: status, Title: page.T("title_error"), Portal: portal}
	switch status {
	case http.StatusNotFound:
		p.Title, p.Paras = page.T("title_unknown"), []page.Text{page.T("unknown")}
	case http.StatusRequestEntityTooLarge:
		p.Paras = []page.Text{page.T("too_large")}
	case http.StatusBadRequest, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		p.Paras = []page.Text{page.T("bad_request")}
	default:
		p.Paras = []page.Text{page.T("error")}
	}
	return p
}

// unsubscribePage is the unsubscribe link's page: the button (GET), or done (POST, or
// GET once done).
func unsubscribePage(sub optout.Subscription, err error, posted bool, portal string) page.Page {
	if err != nil {
		if apperr.StatusOf(err) == http.StatusNotFound {
			return page.Page{Status: http.StatusNotFound, Title: page.T("title_unknown"), Paras: []page.Text{page.T("unknown_unsubscribe")}, Portal: portal}
		}
		return problemPage(err, "", portal)
	}
	kind := page.Text{Key: "", Refs: map[string]string{"Kind": "kind_" + sub.Kind}}
	p := page.Page{Lang: sub.Language, Status: http.StatusOK}
	if posted || sub.Muted {
		kind.Key = "unsubscribed"
		p.Title, p.Paras, p.Portal = page.T("title_unsubscribed"), []page.Text{kind}, portal
		return p
	}
	kind.Key = "unsubscribe_ask"
	p.Title, p.Paras = page.T("title_unsubscribe"), []page.Text{kind}
	p.Hidden = []page.Field{{Name: "List-Unsubscribe", Value: "One-Click"}}
	p.Buttons = []page.Button{{Label: page.T("unsubscribe_button")}}
	return p
}

// logLink logs one use of a confirmation link, without the token: what it is for, its
// state, the user agent's class and the link's age (scanners open links within seconds
// of delivery, with automated agents, and with HEAD).
func logLink(c ctx, req *httpapi.Request, v confirm.View, err error) {
	state := v.State
	if err != nil {
		state = "error " + http.StatusText(apperr.StatusOf(err))
	}
	slog.InfoContext(c, "confirmation link", "method", req.RequestContext.HTTP.Method, "purpose", v.Purpose,
		"state", state, "outcome", v.Outcome, "agent", agentClass(req.RequestContext.HTTP.UserAgent),
		"linkAgeSeconds", int64(v.Age/time.Second))
}

// agentClass sorts a user agent into none, automated (scanners, link previews, scripts,
// headless browsers), browser, or other.
func agentClass(ua string) string {
	l := strings.ToLower(ua)
	switch {
	case l == "":
		return "none"
	case containsAny(l, "bot", "crawl", "spider", "preview", "scan", "proofpoint", "mimecast", "barracuda",
		"safelinks", "urldefense", "curl", "wget", "python", "go-http-client", "java/", "okhttp", "headless", "axios", "node-fetch"):
		return "automated"
	case strings.HasPrefix(l, "mozilla/"):
		return "browser"
	}
	return "other"
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

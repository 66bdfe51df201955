package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"etwin/shared/apperr"
)

// Handler is what every HTTP use case implements.
type Handler func(ctx context.Context, req *Request) (Response, error)

// Handle adapts h to the Lambda signature: it maps errors to problem+json, turns panics
// into a 500 without leaking details, and logs one line per request (route, status,
// duration; never bodies, tokens or addresses).
func Handle(h Handler) func(context.Context, Request) (Response, error) {
	return func(ctx context.Context, req Request) (resp Response, _ error) {
		start := time.Now()
		defer func() {
			if p := recover(); p != nil {
				slog.ErrorContext(ctx, "panic", "panic", p, "stack", string(debug.Stack()))
				resp = secure(ProblemResponse(errors.New("panic")))
			}
			level := slog.LevelInfo
			if resp.StatusCode >= 500 {
				level = slog.LevelError
			}
			slog.Log(ctx, level, "request", "route", req.RouteKey, "status", resp.StatusCode,
				"ms", time.Since(start).Milliseconds())
		}()
		r, err := h(ctx, &req)
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				slog.ErrorContext(ctx, "unexpected error", "route", req.RouteKey, "error", err.Error())
			}
			r = ProblemResponse(err)
		}
		return secure(r), nil
	}
}

// secure adds the headers every answer carries: the body is exactly the type it says.
func secure(r Response) Response {
	if r.Headers == nil {
		r.Headers = map[string]string{}
	}
	r.Headers["X-Content-Type-Options"] = "nosniff"
	return r
}

// JSON answers status with v as the body.
func JSON(status int, v any) (Response, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return Response{}, err
	}
	return Response{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json", "Cache-Control": "no-store"},
		Body:       string(b),
	}, nil
}

// NoContent answers 204.
func NoContent() (Response, error) {
	return Response{StatusCode: http.StatusNoContent, Headers: map[string]string{"Cache-Control": "no-store"}}, nil
}

// problem is the RFC 9457 document.
type problem struct {
	Type   string              `json:"type"`
	Title  string              `json:"title"`
	Status int                 `json:"status"`
	Detail string              `json:"detail,omitempty"`
	Errors []apperr.FieldError `json:"errors,omitempty"`
}

// ProblemResponse maps any error to its problem+json reply; errors that are not
// *apperr.Error become a 500 whose body says nothing about the cause.
func ProblemResponse(err error) Response {
	e, ok := apperr.As(err)
	if !ok {
		e = &apperr.Error{Status: http.StatusInternalServerError, Title: http.StatusText(http.StatusInternalServerError),
			Detail: "Something went wrong on our side; nothing was changed twice. Please try again."}
	}
	doc := map[string]any{}
	base, _ := json.Marshal(problem{Type: problemType(e.Status), Title: e.Title, Status: e.Status, Detail: e.Detail, Errors: e.Fields})
	_ = json.Unmarshal(base, &doc)
	for k, v := range e.Extra {
		if _, taken := doc[k]; !taken {
			doc[k] = v
		}
	}
	body, _ := json.Marshal(doc)
	headers := map[string]string{"Content-Type": "application/problem+json", "Cache-Control": "no-store"}
	for k, v := range e.Headers {
		headers[k] = v
	}
	return Response{StatusCode: e.Status, Headers: headers, Body: string(body)}
}

func problemType(status int) string {
	if status >= 500 {
		return "about:blank"
	}
	return "https://etwinning.local/problems/" + strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "-")
}

// Limit reads ?limit= (default 20, 1..100; anything else is a 400 naming "limit").
func Limit(req *Request) (int, error) {
	s, ok := req.QueryStringParameters["limit"]
	if !ok || s == "" {
		return 20, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 100 {
		return 0, apperr.BadRequest("limit must be an integer from 1 to 100.", apperr.FieldError{Field: "limit", Message: "must be an integer from 1 to 100"})
	}
	return n, nil
}

// Query returns a query-string parameter ("" when absent).
func Query(req *Request, name string) string { return req.QueryStringParameters[name] }

// PathParam returns a path parameter ("" when absent).
func PathParam(req *Request, name string) string { return req.PathParameters[name] }

package httpapi

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"

	"etwin/shared/apperr"
	"etwin/shared/principal"
)

// Call is what a use case gets from a request besides its body: who asks (the zero
// Principal on a public route) and the path and query parameters.
type Call struct {
	Who principal.Principal
	req *Request
}

// Path returns a path parameter ("" when absent).
func (c Call) Path(name string) string { return c.req.PathParameters[name] }

// Query returns a query-string parameter ("" when absent).
func (c Call) Query(name string) string { return c.req.QueryStringParameters[name] }

// QueryNames lists the query-string parameters the request carries.
func (c Call) QueryNames() []string {
	names := make([]string, 0, len(c.req.QueryStringParameters))
	for k := range c.req.QueryStringParameters {
		names = append(names, k)
	}
	return names
}

func callOf(ctx context.Context, req *Request) Call {
	who, _ := principal.From(ctx)
	return Call{Who: who, req: req}
}

// PageQuery is the ?limit= and ?cursor= of a list, parsed once for every list route.
type PageQuery struct {
	Cursor string
	Limit  int
}

// Empty is the output of a use case that answers no body (a 204).
type Empty struct{}

// WithBody adapts a use case that takes a JSON body: the body is decoded strictly into an
// In (every bad field named), run is called, and its Out answers with status.
func WithBody[In, Out any](status int, run func(context.Context, Call, In) (Out, error)) Handler {
	return withInput(status, Decode, run)
}

// WithOptionalBody is WithBody for a body that may be left out (the DELETE routes'
// optional reason): an empty body is the zero In; a body that is there is decoded as
// strictly as WithBody's.
func WithOptionalBody[In, Out any](status int, run func(context.Context, Call, In) (Out, error)) Handler {
	return withInput(status, decodeOptional, run)
}

func decodeOptional(req *Request, dst any) error {
	raw, err := Body(req)
	if err != nil || len(bytes.TrimSpace(raw)) == 0 {
		return err
	}
	return DecodeBytes(raw, dst)
}

// withInput decodes the request into an In with decode, runs run and answers its Out
// with status.
func withInput[In, Out any](status int, decode func(*Request, any) error, run func(context.Context, Call, In) (Out, error)) Handler {
	return func(ctx context.Context, req *Request) (Response, error) {
		var in In
		if err := decode(req, &in); err != nil {
			return Response{}, err
		}
		out, err := run(ctx, callOf(ctx, req), in)
		if err != nil {
			return Response{}, err
		}
		return answer(status, out)
	}
}

// NoBody adapts a use case that takes no body (its input is the path, the query and who
// asks); its Out answers with status.
func NoBody[Out any](status int, run func(context.Context, Call) (Out, error)) Handler {
	return func(ctx context.Context, req *Request) (Response, error) {
		out, err := run(ctx, callOf(ctx, req))
		if err != nil {
			return Response{}, err
		}
		return answer(status, out)
	}
}

// List adapts a list use case: ?limit= (default 20, 1..100) and ?cursor= are parsed once
// here, and the page answers 200.
func List[Out any](run func(context.Context, Call, PageQuery) (Out, error)) Handler {
	return func(ctx context.Context, req *Request) (Response, error) {
		limit, err := Limit(req)
		if err != nil {
			return Response{}, err
		}
		out, err := run(ctx, callOf(ctx, req), PageQuery{Cursor: Query(req, "cursor"), Limit: limit})
		if err != nil {
			return Response{}, err
		}
		return answer(http.StatusOK, out)
	}
}

// Cached sets Cache-Control on h's successful answers (public lists that change rarely).
func Cached(value string, h Handler) Handler {
	return func(ctx context.Context, req *Request) (Response, error) {
		resp, err := h(ctx, req)
		if err == nil && resp.StatusCode < 300 {
			resp.Headers["Cache-Control"] = value
		}
		return resp, err
	}
}

func answer(status int, out any) (Response, error) {
	if status == http.StatusNoContent {
		return NoContent()
	}
	return JSON(status, out)
}

// Before runs check ahead of h: an authorization or path check that must answer before
// the body is read or the use case runs.
func Before(check func(Call) error, h Handler) Handler {
	return func(ctx context.Context, req *Request) (Response, error) {
		if err := check(callOf(ctx, req)); err != nil {
			return Response{}, err
		}
		return h(ctx, req)
	}
}

// OnlyQuery is a check (for Before) refusing query parameters other than names: a 400
// naming each unknown one.
func OnlyQuery(names ...string) func(Call) error {
	return func(c Call) error {
		var bad []apperr.FieldError
		for _, k := range c.QueryNames() {
			if !slices.Contains(names, k) {
				bad = append(bad, apperr.FieldError{Field: k, Message: "unknown parameter; allowed: " + strings.Join(names, ", ")})
			}
		}
		if len(bad) > 0 {
			slices.SortFunc(bad, func(a, b apperr.FieldError) int { return strings.Compare(a.Field, b.Field) })
			return apperr.BadRequest("Unknown query parameter.", bad...)
		}
		return nil
	}
}

// QueryMap is the whole query string (for searches that take many parameters).
func (c Call) QueryMap() map[string]string { return c.req.QueryStringParameters }

// Package apperr holds the errors a use case returns to its caller. Each carries the HTTP
// status it maps to; httpapi turns them into RFC 9457 problem+json. It imports nothing
// beyond the standard library so domain packages can use it freely.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
)

// FieldError names one bad input field as a dot path ("school.country").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is a failure the client can act on.
type Error struct {
	Status int
	Title  string
	Detail string
	Fields []FieldError
	// Extra members added to the problem document (for example "schoolId" on a duplicate).
	Extra map[string]any
	// Headers added to the response (for example Retry-After).
	Headers map[string]string
}

func (e *Error) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("%d %s: %s", e.Status, e.Title, e.Detail)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Title)
}

// As returns the *Error inside err, if any.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// StatusOf is the HTTP status err maps to (500 for anything that is not an *Error).
func StatusOf(err error) int {
	if e, ok := As(err); ok {
		return e.Status
	}
	return http.StatusInternalServerError
}

func newErr(status int, detail string) *Error {
	return &Error{Status: status, Title: http.StatusText(status), Detail: detail}
}

// Invalid is a 422 naming every bad field.
func Invalid(fields ...FieldError) *Error {
	e := newErr(http.StatusUnprocessableEntity, "The request has invalid fields.")
	e.Fields = fields
	return e
}

// BadRequest is a 400 (malformed JSON, unknown or mistyped fields, bad query parameters).
func BadRequest(detail string, fields ...FieldError) *Error {
	e := newErr(http.StatusBadRequest, detail)
	e.Fields = fields
	return e
}

func Unauthorized(detail string) *Error { return newErr(http.StatusUnauthorized, detail) }
func Forbidden(detail string) *Error    { return newErr(http.StatusForbidden, detail) }
func NotFound(detail string) *Error     { return newErr(http.StatusNotFound, detail) }
func Gone(detail string) *Error         { return newErr(http.StatusGone, detail) }
func TooLarge(detail string) *Error     { return newErr(http.StatusRequestEntityTooLarge, detail) }
func Unsupported(detail string) *Error  { return newErr(http.StatusUnsupportedMediaType, detail) }
func Unavailable(detail string) *Error  { return newErr(http.StatusServiceUnavailable, detail) }

// Conflict is a 409; fields may name what clashed.
func Conflict(detail string, fields ...FieldError) *Error {
	e := newErr(http.StatusConflict, detail)
	e.Fields = fields
	return e
}

// TooMany is a 429 with a Retry-After in seconds.
func TooMany(detail string, retryAfterSeconds int) *Error {
	e := newErr(http.StatusTooManyRequests, detail)
	e.Headers = map[string]string{"Retry-After": fmt.Sprint(retryAfterSeconds)}
	return e
}

// With adds an extra member to the problem document and returns e.
func (e *Error) With(key string, value any) *Error {
	if e.Extra == nil {
		e.Extra = map[string]any{}
	}
	e.Extra[key] = value
	return e
}

// Fields collects field errors while validating a request.
type Fields []FieldError

// Add records a problem with field.
func (f *Fields) Add(field, format string, args ...any) {
	*f = append(*f, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Err is nil when nothing was recorded, else a 422 naming every field.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return Invalid(f...)
}

// FieldNames lists the fields err names, in order (none when err is not an *Error).
func FieldNames(err error) []string {
	e, ok := As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

// NoSession is the 401 every request without a usable session gets: a missing, malformed,
// unknown or expired bearer token, or a session whose member is gone.
func NoSession() *Error {
	e := Unauthorized("A valid session token is required (Authorization: Bearer <token>).")
	e.Headers = map[string]string{"WWW-Authenticate": `Bearer realm="etwinning"`}
	return e
}

// Busy is a 409 for a write that lost against concurrent ones more times than it retries:
// nothing was written, and the same request may simply be sent again (Retry-After: 1, so
// an Idempotency-Key does not keep this answer).
func Busy(detail string) *Error {
	e := Conflict(detail)
	e.Headers = map[string]string{"Retry-After": "1"}
	return e
}

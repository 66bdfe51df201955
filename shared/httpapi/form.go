package httpapi

import (
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/url"
	"slices"
	"strings"

	"etwin/shared/apperr"
)

// MaxForm is the largest HTML form body accepted (the pages' forms post a field or two).
const MaxForm = 2 << 10

// Form reads an HTML form body (application/x-www-form-urlencoded, or multipart/form-data
// as RFC 8058's one-click unsubscribe may send; base64-decoded when the gateway encoded
// it, as the HTTP API does for form bodies) strictly: at most MaxForm bytes (413), those
// content types only (415), text fields only, every field among allowed and given once
// (400 naming each bad field). A missing field is "" (the use case says whether that is
// wrong).
func Form(req *Request, allowed ...string) (map[string]string, error) {
	mt, params, err := mime.ParseMediaType(header(req, "content-type"))
	if err != nil || (mt != "application/x-www-form-urlencoded" && mt != "multipart/form-data") {
		return nil, apperr.Unsupported("The form must be sent as application/x-www-form-urlencoded or multipart/form-data.")
	}
	raw := req.Body
	if req.IsBase64Encoded {
		if base64.StdEncoding.DecodedLen(len(raw)) > MaxForm+3 {
			return nil, formTooLarge()
		}
		dec, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			return nil, apperr.BadRequest("The form is not valid base64.")
		}
		raw = string(dec)
	}
	if len(raw) > MaxForm {
		return nil, formTooLarge()
	}
	var values url.Values
	if mt == "multipart/form-data" {
		values, err = multipartValues(raw, params["boundary"])
	} else {
		values, err = url.ParseQuery(raw)
	}
	if err != nil {
		return nil, apperr.BadRequest("The form is not valid " + mt + " data.")
	}
	out := make(map[string]string, len(values))
	var bad []apperr.FieldError
	for name, vs := range values {
		switch {
		case !slices.Contains(allowed, name):
			bad = append(bad, apperr.FieldError{Field: clipName(name), Message: "unknown field; allowed: " + strings.Join(allowed, ", ")})
		case len(vs) != 1:
			bad = append(bad, apperr.FieldError{Field: name, Message: "given more than once"})
		default:
			out[name] = vs[0]
		}
	}
	if len(bad) > 0 {
		slices.SortFunc(bad, func(a, b apperr.FieldError) int { return strings.Compare(a.Field, b.Field) })
		return nil, apperr.BadRequest("The form has fields it may not have.", bad...)
	}
	return out, nil
}

// multipartValues reads the text fields of a multipart/form-data body (a file part is an
// error).
func multipartValues(raw, boundary string) (url.Values, error) {
	if boundary == "" {
		return nil, errors.New("no boundary")
	}
	r := multipart.NewReader(strings.NewReader(raw), boundary)
	out := url.Values{}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if p.FileName() != "" || p.FormName() == "" {
			return nil, errors.New("not a text field")
		}
		b, err := io.ReadAll(io.LimitReader(p, MaxForm+1))
		if err != nil {
			return nil, err
		}
		out.Add(p.FormName(), string(b))
	}
}

func formTooLarge() error {
	return apperr.TooLarge("The form is larger than 2048 bytes.")
}

// clipName bounds a field name echoed back in an error.
func clipName(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// HTML answers status with an HTML page and its headers.
func HTML(status int, body string, headers map[string]string) Response {
	h := make(map[string]string, len(headers))
	for k, v := range headers {
		h[k] = v
	}
	return Response{StatusCode: status, Headers: h, Body: body}
}

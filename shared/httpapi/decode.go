// Package httpapi is the one way requests are decoded, errors are mapped to problem+json,
// and protected routes are authenticated. Every function's handler goes through it.
package httpapi

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"reflect"
	"strconv"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"etwin/shared/apperr"
)

// MaxBody is the largest request body any endpoint accepts (64 KiB).
const MaxBody = 64 << 10

// Request and Response are the API Gateway HTTP API (payload 2.0) event and reply.
type (
	Request  = events.APIGatewayV2HTTPRequest
	Response = events.APIGatewayV2HTTPResponse
)

// Body returns the raw request body, base64-decoded when the gateway encoded it, and
// refuses bodies over MaxBody (413) and non-JSON content types (415).
func Body(req *Request) ([]byte, error) {
	if ct := header(req, "content-type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, apperr.Unsupported("The request body must be application/json.")
		}
	}
	raw := []byte(req.Body)
	if req.IsBase64Encoded {
		if base64.StdEncoding.DecodedLen(len(raw)) > MaxBody+3 {
			return nil, tooLarge()
		}
		dec, err := base64.StdEncoding.DecodeString(req.Body)
		if err != nil {
			return nil, apperr.BadRequest("The request body is not valid base64.")
		}
		raw = dec
	}
	if len(raw) > MaxBody {
		return nil, tooLarge()
	}
	return raw, nil
}

func tooLarge() error {
	return apperr.TooLarge(fmt.Sprintf("The request body is larger than %d bytes.", MaxBody))
}

// Decode reads the JSON body of req into dst (a pointer to a struct) strictly: the body
// must be one JSON object, without duplicate keys, without fields dst does not declare
// (names match exactly, including case), and with the right JSON types. Every problem
// comes back as a 400 problem naming the field as a dot path.
func Decode(req *Request, dst any) error {
	raw, err := Body(req)
	if err != nil {
		return err
	}
	return DecodeBytes(raw, dst)
}

// DecodeBytes is Decode for a body already read.
func DecodeBytes(raw []byte, dst any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return apperr.BadRequest("A JSON request body is required.", apperr.FieldError{Field: "body", Message: "required"})
	}
	if len(raw) > MaxBody {
		return tooLarge()
	}
	if err := checkStructure(raw); err != nil {
		return err
	}
	var generic any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&generic); err != nil {
		return malformed(err)
	}
	if _, ok := generic.(map[string]any); !ok {
		return apperr.BadRequest("The request body must be a JSON object.", apperr.FieldError{Field: "body", Message: "must be a JSON object"})
	}
	var unknown []apperr.FieldError
	findUnknown(generic, reflect.TypeOf(dst), "", &unknown)
	if len(unknown) > 0 {
		return apperr.BadRequest("The request has fields this endpoint does not accept.", unknown...)
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			field := te.Field
			if field == "" {
				field = "body"
			}
			return apperr.BadRequest("A field has the wrong type.", apperr.FieldError{Field: field, Message: "must be " + jsonKind(te.Type)})
		}
		return malformed(err)
	}
	return nil
}

func malformed(err error) error {
	msg := "The request body is not valid JSON."
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg = fmt.Sprintf("The request body is not valid JSON (at byte %d).", se.Offset)
	}
	return apperr.BadRequest(msg, apperr.FieldError{Field: "body", Message: "malformed JSON"})
}

// checkStructure walks the tokens once: valid JSON, a single value, no duplicate keys.
func checkStructure(raw []byte) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := walkValue(d, ""); err != nil {
		return err
	}
	if _, err := d.Token(); err != io.EOF {
		return apperr.BadRequest("The request body must hold exactly one JSON value.", apperr.FieldError{Field: "body", Message: "trailing data"})
	}
	return nil
}

func walkValue(d *json.Decoder, path string) error {
	tok, err := d.Token()
	if err != nil {
		return malformed(err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '{':
		seen := map[string]bool{}
		for d.More() {
			kt, err := d.Token()
			if err != nil {
				return malformed(err)
			}
			key, _ := kt.(string)
			p := join(path, key)
			if seen[key] {
				return apperr.BadRequest("The request body repeats a key.", apperr.FieldError{Field: p, Message: "duplicate key"})
			}
			seen[key] = true
			if err := walkValue(d, p); err != nil {
				return err
			}
		}
	case '[':
		for i := 0; d.More(); i++ {
			if err := walkValue(d, join(path, strconv.Itoa(i))); err != nil {
				return err
			}
		}
	}
	if _, err := d.Token(); err != nil { // the closing delimiter
		return malformed(err)
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// findUnknown reports keys of v that t does not declare, matching JSON names exactly.
func findUnknown(v any, t reflect.Type, path string, out *[]apperr.FieldError) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch val := v.(type) {
	case map[string]any:
		switch t.Kind() {
		case reflect.Struct:
			fields := jsonFields(t)
			for k, child := range val {
				ft, ok := fields[k]
				if !ok {
					*out = append(*out, apperr.FieldError{Field: join(path, k), Message: "unknown field"})
					continue
				}
				findUnknown(child, ft, join(path, k), out)
			}
		case reflect.Map:
			for k, child := range val {
				findUnknown(child, t.Elem(), join(path, k), out)
			}
		}
	case []any:
		if t.Kind() == reflect.Slice || t.Kind() == reflect.Array {
			for i, child := range val {
				findUnknown(child, t.Elem(), join(path, strconv.Itoa(i)), out)
			}
		}
	}
}

// jsonFields maps the JSON names of t's exported fields (embedded structs flattened).
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}

func header(req *Request, name string) string {
	for k, v := range req.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Header returns a request header, whatever its case.
func Header(req *Request, name string) string { return header(req, name) }

// Package httpapi is the one way requests are decoded, errors are mapped to problem+json,
// and protected routes are authenticated. Every function's handler goes through it.
package httpapi

import (
	"encoding/base64"
	"fmt"
	"mime"
	"strings"

	"etwin/shared/apperr"
	"etwin/shared/strictjson"
)

// MaxBody is the largest request body any endpoint accepts (64 KiB).
const MaxBody = strictjson.MaxSize

// MaxDepth and MaxNamedFields are strictjson's limits (see there).
const (
	MaxDepth       = strictjson.MaxDepth
	MaxNamedFields = strictjson.MaxNamedFields
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
// must be one JSON object, without duplicate keys, nested at most MaxDepth levels, without
// fields dst does not declare (names match exactly, including case), and with the right
// JSON types. Every problem comes back as a 400 problem naming the field as a dot path;
// see DecodeBytes for how several bad fields are named at once.
func Decode(req *Request, dst any) error {
	raw, err := Body(req)
	if err != nil {
		return err
	}
	return DecodeBytes(raw, dst)
}

// DecodeBytes is Decode for a body already read (strictjson.Decode).
func DecodeBytes(raw []byte, dst any) error { return strictjson.Decode(raw, dst) }

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

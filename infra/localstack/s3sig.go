package localstack

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// presignCheck stands in front of gofakes3 (which checks no signature) and verifies
// presigned requests (X-Amz-Signature in the query) as S3 does: SigV4 over the method,
// path, query, the signed headers and UNSIGNED-PAYLOAD, with the local credentials
// (local/local), and the expiry. So a presigned PUT sent with another Content-Type or
// Content-Length than it was signed with is refused (403 SignatureDoesNotMatch), as in
// AWS. Requests signed in the Authorization header (the SDK's own calls) pass unchecked.
func presignCheck(next http.Handler, secret string, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("X-Amz-Signature") == "" {
			next.ServeHTTP(w, r)
			return
		}
		if code, msg := verifyPresigned(r, secret, now()); code != "" {
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>` + msg + `</Message></Error>`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func verifyPresigned(r *http.Request, secret string, now time.Time) (code, msg string) {
	q := r.URL.Query()
	if q.Get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" {
		return "AuthorizationQueryParametersError", "X-Amz-Algorithm must be AWS4-HMAC-SHA256"
	}
	date, err := time.Parse("20060102T150405Z", q.Get("X-Amz-Date"))
	expires, err2 := strconv.Atoi(q.Get("X-Amz-Expires"))
	if err != nil || err2 != nil || expires < 1 || expires > 604800 {
		return "AuthorizationQueryParametersError", "bad X-Amz-Date or X-Amz-Expires"
	}
	if now.After(date.Add(time.Duration(expires) * time.Second)) {
		return "AccessDenied", "Request has expired"
	}
	cred := strings.SplitN(q.Get("X-Amz-Credential"), "/", 2)
	if len(cred) != 2 {
		return "AuthorizationQueryParametersError", "bad X-Amz-Credential"
	}
	scope := cred[1]

	// The canonical query: every parameter but the signature, sorted, RFC 3986-encoded.
	var pairs []string
	for k, vs := range q {
		if k == "X-Amz-Signature" {
			continue
		}
		for _, v := range vs {
			pairs = append(pairs, awsEscape(k)+"="+awsEscape(v))
		}
	}
	sort.Strings(pairs)
	path, _, _ := strings.Cut(r.RequestURI, "?")
	signed := strings.Split(q.Get("X-Amz-SignedHeaders"), ";")
	var headers strings.Builder
	for _, h := range signed {
		var v string
		switch h {
		case "host":
			v = r.Host
		case "content-length":
			v = strconv.FormatInt(r.ContentLength, 10)
		default:
			v = strings.Join(r.Header.Values(h), ",")
		}
		headers.WriteString(h + ":" + strings.TrimSpace(v) + "\n")
	}
	payload := r.Header.Get("X-Amz-Content-Sha256")
	if payload == "" {
		payload = "UNSIGNED-PAYLOAD"
	}
	canonical := strings.Join([]string{r.Method, path, strings.Join(pairs, "&"), headers.String(),
		q.Get("X-Amz-SignedHeaders"), payload}, "\n")
	sum := sha256.Sum256([]byte(canonical))
	toSign := "AWS4-HMAC-SHA256\n" + q.Get("X-Amz-Date") + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
	key := []byte("AWS4" + secret)
	for _, part := range strings.Split(scope, "/") {
		key = hmacSHA256(key, part)
	}
	want := hex.EncodeToString(hmacSHA256(key, toSign))
	if !hmac.Equal([]byte(want), []byte(q.Get("X-Amz-Signature"))) {
		return "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."
	}
	return "", ""
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// awsEscape is SigV4's URI encoding: everything but A-Z a-z 0-9 - _ . ~ as %XX.
func awsEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
		} else {
			b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
		}
	}
	return b.String()
}

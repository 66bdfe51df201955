package httpapi

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"etwin/shared/apperr"
)

func formRequest(body, contentType string, b64 bool) *Request {
	if b64 {
		body = base64.StdEncoding.EncodeToString([]byte(body))
	}
	return &Request{Headers: map[string]string{"content-type": contentType}, Body: body, IsBase64Encoded: b64}
}

func TestForm(t *testing.T) {
	for _, b64 := range []bool{false, true} {
		got, err := Form(formRequest("choice=accept", "application/x-www-form-urlencoded", b64), "choice")
		if err != nil || got["choice"] != "accept" || len(got) != 1 {
			t.Errorf("base64 %v: %v %v", b64, got, err)
		}
	}
	mp := "--XyZ\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XyZ--\r\n"
	for _, b64 := range []bool{false, true} {
		got, err := Form(formRequest(mp, "multipart/form-data; boundary=XyZ", b64), "List-Unsubscribe")
		if err != nil || got["List-Unsubscribe"] != "One-Click" || len(got) != 1 {
			t.Errorf("multipart, base64 %v: %v %v", b64, got, err)
		}
	}
	file := "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\nx\r\n--XyZ--\r\n"
	if _, err := Form(formRequest(file, "multipart/form-data; boundary=XyZ", false), "f"); apperr.StatusOf(err) != http.StatusBadRequest {
		t.Errorf("a file part: %v", err)
	}
	if _, err := Form(formRequest(mp, "multipart/form-data", false), "List-Unsubscribe"); apperr.StatusOf(err) != http.StatusBadRequest {
		t.Errorf("multipart without a boundary: %v", err)
	}
	if got, err := Form(formRequest("", "application/x-www-form-urlencoded; charset=utf-8", false), "choice"); err != nil || len(got) != 0 {
		t.Errorf("an empty form: %v %v", got, err)
	}
	cases := []struct {
		body, ct string
		status   int
		fields   []string
	}{
		{"choice=accept", "application/json", http.StatusUnsupportedMediaType, nil},
		{"choice=accept", "", http.StatusUnsupportedMediaType, nil},
		{"choice=accept&x=1&y=2", "application/x-www-form-urlencoded", http.StatusBadRequest, []string{"x", "y"}},
		{"choice=a&choice=b", "application/x-www-form-urlencoded", http.StatusBadRequest, []string{"choice"}},
		{"choice=%zz", "application/x-www-form-urlencoded", http.StatusBadRequest, nil},
		{"choice=" + strings.Repeat("a", MaxForm), "application/x-www-form-urlencoded", http.StatusRequestEntityTooLarge, nil},
	}
	for _, c := range cases {
		_, err := Form(formRequest(c.body, c.ct, false), "choice")
		if apperr.StatusOf(err) != c.status {
			t.Errorf("%.40q as %q: %v, want %d", c.body, c.ct, err, c.status)
			continue
		}
		if got := apperr.FieldNames(err); strings.Join(got, ",") != strings.Join(c.fields, ",") {
			t.Errorf("%.40q: fields %v, want %v", c.body, got, c.fields)
		}
	}
	huge := formRequest(strings.Repeat("a", 4*MaxForm), "application/x-www-form-urlencoded", true)
	if _, err := Form(huge, "choice"); apperr.StatusOf(err) != http.StatusRequestEntityTooLarge {
		t.Errorf("an oversized base64 form: %v", err)
	}
}

// FuzzDecodeForm: no form body makes Form panic or answer anything but a 4xx problem,
// and what it accepts holds only allowed fields.
func FuzzDecodeForm(f *testing.F) {
	for _, s := range []string{"choice=accept", "List-Unsubscribe=One-Click", "a=1&a=2", "%", "choice=%00", strings.Repeat("&", 100)} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Add("--b\r\nContent-Disposition: form-data; name=\"choice\"\r\n\r\nx\r\n--b--\r\n", false)
	f.Fuzz(func(t *testing.T, body string, b64 bool) {
		ct := "application/x-www-form-urlencoded"
		if strings.HasPrefix(body, "--") {
			ct = "multipart/form-data; boundary=b"
		}
		got, err := Form(formRequest(body, ct, b64), "choice", "List-Unsubscribe")
		if err != nil {
			if s := apperr.StatusOf(err); s < 400 || s > 499 {
				t.Fatalf("status %d for %q", s, body)
			}
			return
		}
		for k := range got {
			if k != "choice" && k != "List-Unsubscribe" {
				t.Fatalf("accepted field %q", k)
			}
		}
	})
}

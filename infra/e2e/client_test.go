package e2e

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"etwin/infra/apicontract"
	"etwin/infra/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

var (
	contractOnce sync.Once
	contract     *apicontract.Contract
	contractErr  error
)

// reply is an HTTP answer with its decoded JSON body.
type reply struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

// call sends a request through the local gateway and checks the answer against the
// OpenAPI contract (schema of that operation and status).
func call(t *testing.T, method, path, tok string, body any) reply {
	t.Helper()
	return callWith(t, method, path, tok, body, nil)
}

// callWith is call with extra request headers.
func callWith(t *testing.T, method, path, tok string, body any, headers map[string]string) reply {
	t.Helper()
	return callAt(t, testenv.APIURL(), method, path, tok, body, headers)
}

// callAt sends a request to the gateway at base and checks the answer against the
// OpenAPI contract.
func callAt(t *testing.T, base, method, path, tok string, body any, headers map[string]string) reply {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.JSON)
	}
	checkContract(t, method, path, resp, raw)
	// Every refusal of our functions is problem+json (the gateway's own 404 for an unknown
	// route is {"message": ...}, as on AWS).
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode >= 400 && r.JSON["message"] == nil && !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s %s → %d with content type %q, want problem+json", method, path, resp.StatusCode, ct)
	}
	return r
}

// checkContract checks an answer against the OpenAPI contract (schema of that operation
// and status).
func checkContract(t *testing.T, method, path string, resp *http.Response, raw []byte) {
	t.Helper()
	contractOnce.Do(func() { contract, contractErr = apicontract.Load() })
	if contractErr != nil {
		t.Fatalf("loading the OpenAPI contract: %v", contractErr)
	}
	u, _ := url.Parse(path)
	if err := contract.CheckResponse(method, u.Path, resp.StatusCode, resp.Header, raw); err != nil {
		t.Errorf("%s %s → %d does not match docs/openapi.yaml: %v\n%.300s", method, path, resp.StatusCode, err, raw)
	}
}

func expect(t *testing.T, r reply, status int) reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// fieldsOf lists the fields a problem names.
func fieldsOf(r reply) []string {
	var out []string
	errs, _ := r.JSON["errors"].([]any)
	for _, e := range errs {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m["field"].(string))
		}
	}
	return out
}

var tokenInLink = regexp.MustCompile(`token=([A-Za-z0-9_-]{43})`)

// linkToken waits for the newest e-mail to addr and returns the token of its link.
func linkToken(t *testing.T, addr string, since time.Time) (subject, tok string) {
	t.Helper()
	m := testenv.WaitMail(t, addr, since)
	match := tokenInLink.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("the e-mail to %s has no token link: %s", addr, m.Text)
	}
	return m.Subject, match[1]
}

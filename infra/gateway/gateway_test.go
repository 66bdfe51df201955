package gateway

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// binDir holds the test functions testdata/<name> built as <binDir>/<name>/bootstrap.
var binDir string

// atExit runs after the tests (the stream tests stop their DynamoDB Local there).
var atExit []func()

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "gateway-test-")
	if err != nil {
		panic(err)
	}
	binDir = dir
	for _, name := range []string{"echo", "streamfn"} {
		cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-o", filepath.Join(dir, name, "bootstrap"), "./testdata/"+name)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building testdata/%s: %v\n%s", name, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	for _, f := range atExit {
		f()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

type testGateway struct {
	*Gateway
	URL  string
	logs *syncBuffer
}

func newTestGateway(t *testing.T, change func(*Options)) *testGateway {
	t.Helper()
	logs := &syncBuffer{}
	opts := Options{
		TemplatePath: "testdata/template.yaml",
		BinDir:       binDir,
		Parameters:   map[string]string{"P": "http://over.example", "Secret": "s3cret"},
		TableName:    func(id string) string { return "local-" + id },
		ExtraEnv:     map[string]string{"EXTRA": "extra"},
		FunctionLog:  logs,
	}
	if change != nil {
		change(&opts)
	}
	gw, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gw)
	t.Cleanup(func() {
		srv.Close()
		gw.Close()
		if t.Failed() {
			t.Logf("function log:\n%s", logs.String())
		}
	})
	return &testGateway{Gateway: gw, URL: srv.URL, logs: logs}
}

type echoReply struct {
	Event    events.APIGatewayV2HTTPRequest `json:"event"`
	PID      int                            `json:"pid"`
	Env      map[string]string              `json:"env"`
	Deadline int64                          `json:"deadlineMs"`
	Request  string                         `json:"requestId"`
	ARN      string                         `json:"arn"`
}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func getURL(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	return do(t, req)
}

func decodeEcho(t *testing.T, body []byte) echoReply {
	t.Helper()
	var r echoReply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("reply %q: %v", body, err)
	}
	return r
}

func TestEventFromRequest(t *testing.T) {
	gw := newTestGateway(t, nil)
	req, _ := http.NewRequest(http.MethodGet, gw.URL+"/v1/items/a%20b%2Fc?x=1&x=2&y=h%C3%A9", nil)
	req.Header.Add("X-Multi", "a")
	req.Header.Add("X-Multi", "b")
	req.Header.Set("User-Agent", "gateway-test")
	req.Header.Set("Cookie", "c1=v1; c2=v2")
	start := time.Now()
	resp, body := do(t, req)
	end := time.Now()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	r := decodeEcho(t, body)
	ev := r.Event
	var raw struct {
		Event struct {
			RequestContext map[string]any `json:"requestContext"`
		} `json:"event"`
	}
	json.Unmarshal(body, &raw)
	if _, ok := raw.Event.RequestContext["authentication"]; ok || raw.Event.RequestContext["http"] == nil {
		t.Errorf("requestContext %v", raw.Event.RequestContext)
	}

	checks := []struct{ name, got, want string }{
		{"version", ev.Version, "2.0"},
		{"routeKey", ev.RouteKey, "GET /v1/items/{itemId}"},
		{"rawPath", ev.RawPath, "/v1/items/a%20b%2Fc"},
		{"rawQueryString", ev.RawQueryString, "x=1&x=2&y=h%C3%A9"},
		{"pathParameters.itemId", ev.PathParameters["itemId"], "a b/c"},
		{"query x", ev.QueryStringParameters["x"], "1,2"},
		{"query y", ev.QueryStringParameters["y"], "hé"},
		{"header x-multi", ev.Headers["x-multi"], "a,b"},
		{"header user-agent", ev.Headers["user-agent"], "gateway-test"},
		// Behind the real HTTP API the client reached it over HTTPS on 443, and the
		// peer's address is in x-forwarded-for.
		{"header x-forwarded-proto", ev.Headers["x-forwarded-proto"], "https"},
		{"header x-forwarded-port", ev.Headers["x-forwarded-port"], "443"},
		{"header x-forwarded-for", ev.Headers["x-forwarded-for"], "127.0.0.1"},
		{"cookie header", ev.Headers["cookie"], ""},
		{"cookies", strings.Join(ev.Cookies, "|"), "c1=v1|c2=v2"},
		{"requestContext.routeKey", ev.RequestContext.RouteKey, "GET /v1/items/{itemId}"},
		{"stage", ev.RequestContext.Stage, "$default"},
		{"http.method", ev.RequestContext.HTTP.Method, "GET"},
		{"http.path", ev.RequestContext.HTTP.Path, "/v1/items/a%20b%2Fc"},
		{"http.sourceIp", ev.RequestContext.HTTP.SourceIP, "127.0.0.1"},
		{"http.userAgent", ev.RequestContext.HTTP.UserAgent, "gateway-test"},
		{"domainName", ev.RequestContext.DomainName, "127.0.0.1"},
		{"body", ev.Body, ""},
		{"TABLE_NAME", r.Env["TABLE_NAME"], "local-Table"},
		{"PARAM", r.Env["PARAM"], "http://over.example"},
		{"SUBBED", r.Env["SUBBED"], "http://over.example/eu-central-1/${Literal}"},
		{"EXTRA", r.Env["EXTRA"], "extra"},
		{"AWS_LAMBDA_FUNCTION_NAME", r.Env["AWS_LAMBDA_FUNCTION_NAME"], "EchoFunction"},
		{"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", r.Env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"], "256"},
		{"AWS_REGION", r.Env["AWS_REGION"], "eu-central-1"},
		{"AWS_LAMBDA_LOG_FORMAT", r.Env["AWS_LAMBDA_LOG_FORMAT"], "JSON"},
		{"_HANDLER", r.Env["_HANDLER"], "bootstrap"},
		{"arn", r.ARN, "arn:aws:lambda:eu-central-1:123456789012:function:EchoFunction"},
		{"response X-Echo", resp.Header.Get("X-Echo"), "yes"},
		{"response Content-Type", resp.Header.Get("Content-Type"), "application/json"},
		{"response Set-Cookie", strings.Join(resp.Header.Values("Set-Cookie"), "|"), "a=1; Path=/|b=2"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if ev.RequestContext.RequestID == "" || resp.Header.Get("Apigw-Requestid") != ev.RequestContext.RequestID {
		t.Errorf("requestId %q, header %q", ev.RequestContext.RequestID, resp.Header.Get("Apigw-Requestid"))
	}
	if ev.IsBase64Encoded {
		t.Error("isBase64Encoded without a body")
	}
	// The deadline is the template Timeout (5 s) from the start of the invocation,
	// which lies between sending the request and reading the answer (the deadline
	// is in whole milliseconds, hence the millisecond either side).
	deadline := time.UnixMilli(r.Deadline)
	if deadline.Before(start.Add(5*time.Second-time.Millisecond)) || deadline.After(end.Add(5*time.Second+time.Millisecond)) {
		t.Errorf("deadline %s after the request was sent, which took %s", deadline.Sub(start), end.Sub(start))
	}
	if r.Request == "" {
		t.Error("no request id in the Lambda context")
	}
	// The function's output reaches the log through a pipe: give it a moment (30 s at
	// most, a bound for a loaded machine, not a measure).
	for i := 0; !strings.Contains(gw.logs.String(), "[echo#1] handling GET /v1/items/{itemId}"); i++ {
		if i == 1500 {
			t.Errorf("function output not in the log with its prefix:\n%s", gw.logs.String())
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Behind the real HTTP API a function sees x-forwarded-proto https and
// x-forwarded-port 443 whatever the client sent, and the client's own
// X-Forwarded-For with the peer's address appended.
func TestForwardedHeaders(t *testing.T) {
	gw := newTestGateway(t, nil)
	req, _ := http.NewRequest(http.MethodGet, gw.URL+"/v1/items/x", nil)
	req.Header.Set("X-Forwarded-For", "203.0.113.7")
	req.Header.Set("X-Forwarded-Proto", "http")
	req.Header.Set("X-Forwarded-Port", "8080")
	resp, body := do(t, req)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	h := decodeEcho(t, body).Event.Headers
	if h["x-forwarded-for"] != "203.0.113.7, 127.0.0.1" || h["x-forwarded-proto"] != "https" || h["x-forwarded-port"] != "443" {
		t.Errorf("forwarded headers %q %q %q", h["x-forwarded-for"], h["x-forwarded-proto"], h["x-forwarded-port"])
	}
}

func TestRouteSelection(t *testing.T) {
	gw := newTestGateway(t, nil)
	cases := []struct {
		method, path, routeKey string
		params                 map[string]string
	}{
		{"GET", "/v1/items/special", "GET /v1/items/special", nil},
		{"GET", "/v1/items/other", "GET /v1/items/{itemId}", map[string]string{"itemId": "other"}},
		{"DELETE", "/v1/files/a/b%20c/d", "ANY /v1/files/{path+}", map[string]string{"path": "a/b c/d"}},
		{"GET", "/v1/files/x", "ANY /v1/files/{path+}", map[string]string{"path": "x"}},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, gw.URL+c.path, nil)
		resp, body := do(t, req)
		if resp.StatusCode != 200 {
			t.Errorf("%s %s: status %d", c.method, c.path, resp.StatusCode)
			continue
		}
		ev := decodeEcho(t, body).Event
		if ev.RouteKey != c.routeKey {
			t.Errorf("%s %s: routeKey %q, want %q", c.method, c.path, ev.RouteKey, c.routeKey)
		}
		for k, v := range c.params {
			if ev.PathParameters[k] != v {
				t.Errorf("%s %s: %s = %q, want %q", c.method, c.path, k, ev.PathParameters[k], v)
			}
		}
	}
}

func TestNotFound(t *testing.T) {
	gw := newTestGateway(t, nil)
	for _, c := range []struct{ method, path string }{
		{"GET", "/v1/nope"},
		{"POST", "/v1/slow"},       // known path, other method
		{"GET", "/v1/items"},       // only POST there
		{"GET", "/v1/items/a/b"},   // too long
		{"GET", "/v1/items/"},      // empty parameter
		{"GET", "/v1/files"},       // greedy needs a segment
		{"GET", "/v1/items/x/../"}, // no path cleaning
	} {
		req, _ := http.NewRequest(c.method, gw.URL+c.path, nil)
		resp, body := do(t, req)
		if resp.StatusCode != 404 || string(body) != `{"message":"Not Found"}` {
			t.Errorf("%s %s: %d %s", c.method, c.path, resp.StatusCode, body)
		}
	}
}

func TestRequestBodies(t *testing.T) {
	gw := newTestGateway(t, nil)
	cases := []struct {
		contentType string
		body        []byte
		base64      bool
	}{
		{"application/json", []byte(`{"a":"é"}`), false},
		{"application/problem+json; charset=utf-8", []byte(`{}`), false},
		{"text/plain", []byte("hello"), false},
		{"application/octet-stream", []byte{0, 1, 2, 255}, true},
		{"application/x-www-form-urlencoded", []byte("a=1&b=2"), true},
		{"", []byte("no type"), true},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(http.MethodPost, gw.URL+"/v1/items", bytes.NewReader(c.body))
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		resp, body := do(t, req)
		if resp.StatusCode != 200 {
			t.Fatalf("%q: status %d", c.contentType, resp.StatusCode)
		}
		ev := decodeEcho(t, body).Event
		if ev.IsBase64Encoded != c.base64 {
			t.Errorf("%q: isBase64Encoded = %v", c.contentType, ev.IsBase64Encoded)
		}
		got := []byte(ev.Body)
		if ev.IsBase64Encoded {
			got, _ = base64.StdEncoding.DecodeString(ev.Body)
		}
		if !bytes.Equal(got, c.body) {
			t.Errorf("%q: body %q, want %q", c.contentType, got, c.body)
		}
		if ev.Headers["content-length"] != fmt.Sprint(len(c.body)) {
			t.Errorf("%q: content-length %q", c.contentType, ev.Headers["content-length"])
		}
	}

	// Over the HTTP API's own 10 MB limit.
	big := bytes.Repeat([]byte("x"), 11<<20)
	req, _ := http.NewRequest(http.MethodPost, gw.URL+"/v1/items", bytes.NewReader(big))
	req.Header.Set("Content-Type", "text/plain")
	if resp, body := do(t, req); resp.StatusCode != 413 {
		t.Errorf("11 MB body: %d %s", resp.StatusCode, body)
	}
}

// Lambda takes at most 6 MB (6,291,456 bytes) of event in a synchronous invocation;
// API Gateway answers a request over it 413 {"message":"Request Entity Too Large"},
// and no function starts. The limit is on the event, so a binary body, which goes
// base64-encoded, is refused from about 4.5 MB; a text body just under 6 MB less the
// rest of the event passes.
func TestPayloadLimit(t *testing.T) {
	gw := newTestGateway(t, nil)
	tooLarge := func(name string, req *http.Request) {
		t.Helper()
		req.Header.Set("Content-Type", "text/plain")
		resp, body := do(t, req)
		if resp.StatusCode != 413 || string(body) != `{"message":"Request Entity Too Large"}` {
			t.Errorf("%s: %d %s", name, resp.StatusCode, body)
		}
	}
	// Declared length over the limit: refused unread.
	req, _ := http.NewRequest(http.MethodPost, gw.URL+"/v1/items?small=1",
		bytes.NewReader(bytes.Repeat([]byte("x"), maxPayloadBytes+1)))
	tooLarge("6 MB + 1 with Content-Length", req)

	// No declared length (chunked): read only up to the limit. The body is made as it
	// is sent, 64 MB of it, which the gateway must not hold.
	req, _ = http.NewRequest(http.MethodPost, gw.URL+"/v1/items?small=1", io.LimitReader(repeatReader('x'), 64<<20))
	if req.ContentLength != 0 || req.TransferEncoding != nil {
		t.Fatalf("request length %d %v: not chunked", req.ContentLength, req.TransferEncoding)
	}
	tooLarge("64 MB chunked", req)

	// 5 MB of binary is 6.7 MB of base64 in the event.
	req, _ = http.NewRequest(http.MethodPost, gw.URL+"/v1/items?small=1", bytes.NewReader(make([]byte, 5<<20)))
	req.Header.Set("Content-Type", "application/octet-stream")
	if resp, body := do(t, req); resp.StatusCode != 413 {
		t.Errorf("5 MB binary body: %d %s", resp.StatusCode, body)
	}

	// The direct Invoke has the same limit.
	if _, err := gw.Invoke(context.Background(), "EchoFunction", make([]byte, maxPayloadBytes+1)); !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("Invoke of 6 MB + 1: %v", err)
	}
	if s := gw.Stats()["EchoFunction"]; s.InstancesStarted != 0 {
		t.Errorf("a payload over the limit started the function: %+v", s)
	}

	// Within the limit: the function gets the whole body.
	within := maxPayloadBytes - 64<<10 // room for the rest of the event
	req, _ = http.NewRequest(http.MethodPost, gw.URL+"/v1/items?small=1", bytes.NewReader(bytes.Repeat([]byte("x"), within)))
	req.Header.Set("Content-Type", "text/plain")
	resp, body := do(t, req)
	if resp.StatusCode != 200 || string(body) != fmt.Sprint(within) {
		t.Errorf("%d-byte body: %d %s", within, resp.StatusCode, clip(body))
	}
}

// repeatReader is an endless stream of one byte.
type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func clip(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

func TestReplyMapping(t *testing.T) {
	gw := newTestGateway(t, nil)

	resp, _ := getURL(t, gw.URL+"/v1/items/x?status=418")
	if resp.StatusCode != 418 {
		t.Errorf("status=418: got %d", resp.StatusCode)
	}

	// A reply without statusCode is a 200 JSON answer with the reply as the body.
	resp, body := getURL(t, gw.URL+"/v1/items/x?raw=1")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("raw: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if r := decodeEcho(t, body); r.Event.RouteKey != "GET /v1/items/{itemId}" {
		t.Errorf("raw reply body not the function's reply: %s", body)
	}

	resp, body = getURL(t, gw.URL+"/v1/items/x?b64=1")
	if !bytes.Equal(body, []byte{0, 1, 2, 255}) || resp.Header.Get("Content-Type") != "application/octet-stream" {
		t.Errorf("b64: %q %q", body, resp.Header.Get("Content-Type"))
	}

	resp, body = getURL(t, gw.URL+"/v1/items/x?fail=1")
	if resp.StatusCode != 500 || string(body) != `{"message":"Internal Server Error"}` {
		t.Errorf("fail: %d %s", resp.StatusCode, body)
	}
}

// A function that returns an error (the Runtime API's /error) is a 500 for the HTTP
// API, but Lambda keeps its sandbox: the next request runs in the same process, with
// no new init.
func TestFunctionErrorKeepsInstance(t *testing.T) {
	gw := newTestGateway(t, nil)
	_, body := getURL(t, gw.URL+"/v1/items/x")
	first := decodeEcho(t, body).PID
	if resp, body := getURL(t, gw.URL+"/v1/items/x?fail=1"); resp.StatusCode != 500 || string(body) != `{"message":"Internal Server Error"}` {
		t.Errorf("fail: %d %s", resp.StatusCode, body)
	}
	_, body = getURL(t, gw.URL+"/v1/items/x")
	if pid := decodeEcho(t, body).PID; pid != first {
		t.Errorf("pid %d after a function error, was %d", pid, first)
	}
	if s := gw.Stats()["EchoFunction"]; s.InstancesStarted != 1 || s.Crashes != 0 {
		t.Errorf("stats %+v", s)
	}
}

func TestCORS(t *testing.T) {
	gw := newTestGateway(t, nil)
	req, _ := http.NewRequest(http.MethodOptions, gw.URL+"/v1/items", nil)
	req.Header.Set("Origin", "http://localhost:5173")
	req.Header.Set("Access-Control-Request-Method", "POST")
	resp, _ := do(t, req)
	h := resp.Header
	if resp.StatusCode != 204 || h.Get("Access-Control-Allow-Origin") != "http://localhost:5173" ||
		h.Get("Access-Control-Allow-Methods") != "GET,POST" ||
		h.Get("Access-Control-Allow-Headers") != "authorization,content-type" ||
		h.Get("Access-Control-Max-Age") != "600" {
		t.Errorf("preflight: %d %v", resp.StatusCode, h)
	}

	req.Header.Set("Origin", "http://evil.example")
	resp, _ = do(t, req)
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", resp.StatusCode, resp.Header)
	}

	// The parameter-valued origin works too, and actual requests (not only the
	// preflight) get Access-Control-Allow-Origin and the template's ExposeHeaders,
	// without which a browser script cannot read Retry-After or Idempotent-Replayed.
	req, _ = http.NewRequest(http.MethodGet, gw.URL+"/v1/items/x", nil)
	req.Header.Set("Origin", "http://over.example")
	resp, _ = do(t, req)
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://over.example" ||
		resp.Header.Get("Access-Control-Expose-Headers") != "Retry-After,Idempotent-Replayed,X-Echo" {
		t.Errorf("GET with Origin: %v", resp.Header)
	}

	// With CORS configured, API Gateway ignores the CORS headers a function returns:
	// the template's answer replaces them, and a disallowed origin gets none.
	req, _ = http.NewRequest(http.MethodGet, gw.URL+"/v1/items/x?cors=1", nil)
	req.Header.Set("Origin", "http://localhost:5173")
	resp, _ = do(t, req)
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://localhost:5173" ||
		resp.Header.Get("Access-Control-Expose-Headers") != "Retry-After,Idempotent-Replayed,X-Echo" {
		t.Errorf("function's CORS headers, allowed origin: %v", resp.Header)
	}
	req.Header.Set("Origin", "http://evil.example")
	resp, _ = do(t, req)
	for name := range resp.Header {
		if strings.HasPrefix(name, "Access-Control-") {
			t.Errorf("function's CORS headers, other origin: %s: %q", name, resp.Header.Get(name))
		}
	}
}

func TestConcurrentRequestsUseSeveralInstances(t *testing.T) {
	gw := newTestGateway(t, nil)
	const n = 6
	pids := map[int]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, body := getURL(t, gw.URL+"/v1/items/x?sleep=500")
			if resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
				return
			}
			mu.Lock()
			pids[decodeEcho(t, body).PID] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(pids) < 2 {
		t.Errorf("%d parallel requests ran on %d instance(s)", n, len(pids))
	}
	s := gw.Stats()["EchoFunction"]
	if s.InstancesStarted != len(pids) || len(s.InitDurations) != len(pids) || len(s.InvokeDurations) != n {
		t.Errorf("stats %+v for %d instances", s, len(pids))
	}
	for _, d := range s.InitDurations {
		if d <= 0 || d > 10*time.Second {
			t.Errorf("init duration %s", d)
		}
	}
	for _, d := range s.InvokeDurations {
		if d < 500*time.Millisecond {
			t.Errorf("invoke duration %s below the handler's sleep", d)
		}
	}

	// Warm instances are reused: no new start.
	getURL(t, gw.URL+"/v1/items/x")
	if got := gw.Stats()["EchoFunction"].InstancesStarted; got != len(pids) {
		t.Errorf("a warm request started an instance (%d → %d)", len(pids), got)
	}
}

func TestPoolLimitQueues(t *testing.T) {
	gw := newTestGateway(t, func(o *Options) { o.MaxInstancesPerFunction = 2 })
	var wg sync.WaitGroup
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if resp, _ := getURL(t, gw.URL+"/v1/items/x?sleep=200"); resp.StatusCode != 200 {
				t.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	if s := gw.Stats()["EchoFunction"]; s.InstancesStarted > 2 || len(s.InvokeDurations) != 6 {
		t.Errorf("stats %+v", s)
	}
}

// A function that runs past its Timeout is stopped by Lambda (Sandbox.Timedout), and
// the HTTP API answers the failed integration 500 {"message":"Internal Server
// Error"}, not 504. Lambda resets the sandbox: the process is gone, and the next
// request runs a fresh init in a new one.
func TestTimeoutKillsInstance(t *testing.T) {
	gw := newTestGateway(t, nil)
	_, body := getURL(t, gw.URL+"/v1/slow") // SlowFunction: Timeout 1
	first := decodeEcho(t, body).PID
	start := time.Now()
	resp, body := getURL(t, gw.URL+"/v1/slow?sleep=60000") // on the same, warm instance
	if resp.StatusCode != 500 || string(body) != `{"message":"Internal Server Error"}` {
		t.Errorf("status %d %s", resp.StatusCode, body)
	}
	// Answered at the 1 s Timeout, long before the handler's 60 s.
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("timeout answered after %s", d)
	}
	waitGone(t, first)
	resp, body = getURL(t, gw.URL+"/v1/slow")
	if resp.StatusCode != 200 {
		t.Fatalf("after a timeout: %d %s", resp.StatusCode, body)
	}
	r := decodeEcho(t, body)
	if r.PID == first {
		t.Errorf("same pid %d after the timeout", r.PID)
	}
	if r.Env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] != "512" {
		t.Errorf("memory size %q", r.Env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"])
	}
	s := gw.Stats()["SlowFunction"]
	if s.Timeouts != 1 || s.InstancesStarted != 2 || len(s.InitDurations) != 2 {
		t.Errorf("stats %+v", s)
	}

	_, err := gw.Invoke(context.Background(), "SlowFunction", []byte(`{"routeKey":"x","queryStringParameters":{"sleep":"60000"}}`))
	var fe *FunctionError
	if !errors.As(err, &fe) || !fe.Timeout() {
		t.Errorf("Invoke past the timeout: %v", err)
	}
}

// waitGone waits until process pid has exited and been reaped.
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for syscall.Kill(pid, 0) == nil {
		if time.Now().After(deadline) {
			t.Errorf("process %d still there", pid)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestCrashIsReplaced(t *testing.T) {
	gw := newTestGateway(t, nil)
	_, body := getURL(t, gw.URL+"/v1/items/x")
	first := decodeEcho(t, body).PID

	// A process that exits during an invocation (Runtime.ExitError) is a 500 too,
	// and Lambda resets the sandbox: the next request gets a fresh process.
	resp, body := getURL(t, gw.URL+"/v1/items/x?crash=1")
	if resp.StatusCode != 500 || string(body) != `{"message":"Internal Server Error"}` {
		t.Errorf("crash: %d %s", resp.StatusCode, body)
	}
	waitGone(t, first)
	resp, body = getURL(t, gw.URL+"/v1/items/x")
	if resp.StatusCode != 200 {
		t.Fatalf("after a crash: %d %s", resp.StatusCode, body)
	}
	if pid := decodeEcho(t, body).PID; pid == first {
		t.Errorf("same pid %d after the crash", pid)
	}
	if s := gw.Stats()["EchoFunction"]; s.Crashes != 1 || s.InstancesStarted != 2 {
		t.Errorf("stats %+v", s)
	}

	// A function that dies during init answers 500 too.
	resp, body = getURL(t, gw.URL+"/v1/broken")
	if resp.StatusCode != 500 || string(body) != `{"message":"Internal Server Error"}` {
		t.Errorf("broken init: %d %s", resp.StatusCode, body)
	}
}

func TestInvokeScheduled(t *testing.T) {
	gw := newTestGateway(t, nil)
	def := gw.Template().FunctionByName("SlowFunction")
	if len(def.Schedules) != 1 || def.Schedules[0].Expression != "cron(0 2 * * ? *)" || def.Schedules[0].Type != "ScheduleV2" {
		t.Fatalf("schedules %+v", def.Schedules)
	}
	reply, err := gw.Invoke(context.Background(), "SlowFunction", ScheduledEvent(def, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Event events.EventBridgeEvent `json:"event"`
	}
	if err := json.Unmarshal(reply, &r); err != nil {
		t.Fatal(err)
	}
	if r.Event.DetailType != "Scheduled Event" || r.Event.Source != "aws.events" || r.Event.Region != "eu-central-1" ||
		len(r.Event.Resources) != 1 || !strings.HasSuffix(r.Event.Resources[0], ":rule/SlowFunctionNightly") {
		t.Errorf("event %+v", r.Event)
	}
	if _, err := gw.Invoke(context.Background(), "NoSuchFunction", nil); err == nil {
		t.Error("Invoke of an unknown function succeeded")
	}
}

func TestCloseLeavesNoProcess(t *testing.T) {
	gw := newTestGateway(t, nil)
	_, body := getURL(t, gw.URL+"/v1/items/x")
	pid := decodeEcho(t, body).PID
	gw.Close()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("instance %d still there after Close: %v", pid, err)
	}
	// The function registered for SIGTERM (lambda.WithEnableSIGTERM) and got it.
	if !strings.Contains(gw.logs.String(), "[echo#1] got SIGTERM") {
		t.Errorf("no SIGTERM before the kill:\n%s", gw.logs.String())
	}
	if strings.Contains(gw.logs.String(), "Failed to register internal extension") {
		t.Errorf("extension registration failed:\n%s", gw.logs.String())
	}
	if _, err := gw.Invoke(context.Background(), "EchoFunction", []byte(`{}`)); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: %v", err)
	}
}

func TestMissingBinary(t *testing.T) {
	gw := newTestGateway(t, func(o *Options) { o.BinDir = t.TempDir() })
	resp, _ := getURL(t, gw.URL+"/v1/items/x")
	if resp.StatusCode != 500 || !strings.Contains(gw.logs.String(), "make build") {
		t.Errorf("status %d, log %q", resp.StatusCode, gw.logs.String())
	}
}

// syncBuffer is a bytes.Buffer safe for the gateway's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// API Gateway throttles each route with a token bucket: it holds ThrottlingBurstLimit
// requests, refills at ThrottlingRateLimit per second, and a request that finds it
// empty gets 429 {"message":"Too Many Requests"} without reaching the function. The
// limits come from DefaultRouteSettings, and a route's RouteSettings override them
// (testdata/throttle.yaml). The clock is the test's, so nothing here depends on how
// fast the requests go.
func TestThrottling(t *testing.T) {
	clock := &fakeClock{now: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	gw := newTestGateway(t, func(o *Options) {
		o.TemplatePath = "testdata/throttle.yaml"
		o.Now = clock.Now
	})
	passed := 0
	expect := func(path string, want ...int) {
		t.Helper()
		for i, code := range want {
			resp, body := getURL(t, gw.URL+path+"?small=1")
			if resp.StatusCode != code {
				t.Errorf("%s, request %d: %d %s, want %d", path, i+1, resp.StatusCode, body, code)
			}
			if code == 429 && string(body) != `{"message":"Too Many Requests"}` {
				t.Errorf("%s, request %d: body %s", path, i+1, body)
			}
			if resp.StatusCode == 200 {
				passed++
			}
		}
	}

	// DefaultRouteSettings: burst 2, rate 1/s.
	expect("/v1/a", 200, 200, 429, 429)
	expect("/v1/b", 200, 200, 429) // each route has its own bucket
	clock.Advance(time.Second)
	expect("/v1/a", 200, 429) // one token back per second
	clock.Advance(500 * time.Millisecond)
	expect("/v1/a", 429) // half a token is not a request
	clock.Advance(time.Hour)
	expect("/v1/a", 200, 200, 429) // refilled up to the burst, no further

	// RouteSettings: burst 1, rate 0.5/s.
	expect("/v1/slow-refill", 200, 429)
	clock.Advance(time.Second)
	expect("/v1/slow-refill", 429)
	clock.Advance(time.Second)
	expect("/v1/slow-refill", 200, 429)

	// Limits of 0 block the route.
	expect("/v1/closed", 429, 429)
	clock.Advance(time.Hour)
	expect("/v1/closed", 429)

	// Its own burst of 4 with the default rate; the event's RouteSettings: burst 3.
	expect("/v1/big-burst", 200, 200, 200, 200, 429)
	clock.Advance(time.Second)
	expect("/v1/big-burst", 200, 429)
	expect("/v1/event", 200, 200, 200, 429)

	// Throttled requests never reached the function.
	if s := gw.Stats()["EchoFunction"]; len(s.InvokeDurations) != passed {
		t.Errorf("%d invocations for %d requests let through", len(s.InvokeDurations), passed)
	}

	// Without throttling (benchmarks), the same template lets everything through.
	free := newTestGateway(t, func(o *Options) {
		o.TemplatePath = "testdata/throttle.yaml"
		o.Now = clock.Now
		o.NoThrottling = true
	})
	for i := range 3 {
		if resp, body := getURL(t, free.URL+"/v1/closed?small=1"); resp.StatusCode != 200 {
			t.Errorf("NoThrottling, request %d: %d %s", i+1, resp.StatusCode, body)
		}
	}
}

// The access log names routes, never the path parameters or queries (tokens of e-mailed
// links live there).
func TestAccessLogHoldsNoPathValues(t *testing.T) {
	access := &syncBuffer{}
	g := newTestGateway(t, func(o *Options) { o.AccessLog = access })
	for _, path := range []string{"/v1/items/secret-token-1?token=secret-token-2", "/nowhere/secret-token-3"} {
		req, _ := http.NewRequest("GET", g.URL+path, nil)
		do(t, req)
	}
	log := access.String()
	if strings.Contains(log, "secret-token") || !strings.Contains(log, "GET /v1/items/{itemId} -> 200") || !strings.Contains(log, "GET /nowhere/… (none) -> 404") {
		t.Errorf("access log:\n%s", log)
	}
}

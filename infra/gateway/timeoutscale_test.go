package gateway

import (
	"net/http"
	"testing"
	"time"
)

// TestTimeoutScale: test stacks (local exec, testenv) stretch every function's
// Timeout; the function is given the stretched deadline and runs past the template's.
func TestTimeoutScale(t *testing.T) {
	gw := newTestGateway(t, func(o *Options) { o.TimeoutScale = 4 })
	if def := gw.Template().FunctionByName("SlowFunction"); def.Timeout != 4*time.Second {
		t.Fatalf("SlowFunction's timeout %s, want 1 s × 4", def.Timeout)
	}
	start := time.Now()
	resp, body := getURL(t, gw.URL+"/v1/slow?sleep=1500") // past the template's 1 s
	end := time.Now()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d %s", resp.StatusCode, body)
	}
	// The invocation started between start and end; its deadline is 4 s after that
	// (to the millisecond).
	deadline := time.UnixMilli(decodeEcho(t, body).Deadline)
	if deadline.Before(start.Add(4*time.Second-time.Millisecond)) || deadline.After(end.Add(4*time.Second)) {
		t.Errorf("deadline %s after the request was sent, %s after it was answered", deadline.Sub(start), deadline.Sub(end))
	}
	if s := gw.Stats()["SlowFunction"]; s.Timeouts != 0 {
		t.Errorf("stats %+v", s)
	}
}

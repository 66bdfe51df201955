package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// SESFaults stands in front of the local SES (every request passes through to it) and can
// answer SES's own throttling error for a number of sends, as SES does when the account's
// sending rate is exceeded: HTTP 429, TooManyRequestsException. Tests turn it on through
// its control path, so that it works whether the stack runs in the test process or in
// `local exec`:
//
//	POST /_faults/throttle {"sends": 30}   the next 30 SendEmail calls are throttled
//	GET  /_faults                          {"throttle": <left>, "throttled": <so far>}
type SESFaults struct {
	URL string // what the functions and tests use as the SES endpoint

	mu        sync.Mutex
	left      int // SendEmail calls still to throttle
	throttled int // SendEmail calls throttled so far
	srv       *http.Server
}

// sendPath is SES v2's SendEmail (POST /v2/email/outbound-emails).
const sendPath = "/v2/email/outbound-emails"

// StartSESFaults listens on addr ("" or a port 0 address: a free port) and forwards to
// the SES at target.
func StartSESFaults(addr, target string) (*SESFaults, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	f := &SESFaults{URL: "http://" + ln.Addr().String()}
	proxy := httputil.NewSingleHostReverseProxy(u)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /_faults/throttle", func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Sends int `json:"sends"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&in); err != nil || in.Sends < 0 {
			http.Error(w, `want {"sends": n}`, http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.left = in.Sends
		f.mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /_faults", func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		defer f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]int{"throttle": f.left, "throttled": f.throttled})
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.TrimRight(r.URL.Path, "/") == sendPath && f.take() {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-Amzn-Errortype", "TooManyRequestsException")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"message":"Maximum sending rate exceeded."}`)
			return
		}
		proxy.ServeHTTP(w, r)
	})
	f.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := f.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Println("localstack: SES faults:", err)
		}
	}()
	return f, nil
}

// take uses up one throttled send, if any are left.
func (f *SESFaults) take() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.left == 0 {
		return false
	}
	f.left--
	f.throttled++
	return true
}

// Stop closes it.
func (f *SESFaults) Stop() {
	if f == nil || f.srv == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	f.srv.Shutdown(ctx)
}

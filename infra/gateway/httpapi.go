package gateway

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// This file is the HTTP side: route matching, route throttling, the payload limit,
// the payload 2.0 event, the reply mapping and CORS, as API Gateway's HTTP API does
// them.

type route struct {
	Route
	fn       *function
	segments []string // the path's segments after the leading "/"
	throttle *bucket  // nil: not throttled
}

func newRoute(r Route, f *function) *route {
	rt := &route{Route: r, fn: f}
	if r.Path != "" {
		rt.segments = strings.Split(strings.TrimPrefix(r.Path, "/"), "/")
	}
	return rt
}

// Segment kinds, in order of preference when several routes match.
const (
	segGreedy  = 1 // {proxy+}
	segParam   = 2 // {name}
	segLiteral = 3
)

// match checks the request path (split, still escaped) against the route. It
// returns the path parameters (decoded) and a rank: higher is more specific.
func (rt *route) match(method string, reqSegs []string) (params map[string]string, rank []int, ok bool) {
	if rt.Path == "" { // $default matches everything, last
		return nil, []int{0}, true
	}
	if rt.Method != "ANY" && rt.Method != method {
		return nil, nil, false
	}
	params = map[string]string{}
	for i, seg := range rt.segments {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "+}") {
			if i >= len(reqSegs) {
				return nil, nil, false
			}
			value, err := url.PathUnescape(strings.Join(reqSegs[i:], "/"))
			if err != nil || value == "" {
				return nil, nil, false
			}
			params[seg[1:len(seg)-2]] = value
			rank = append(rank, segGreedy)
			return params, rank, true
		}
		if i >= len(reqSegs) {
			return nil, nil, false
		}
		value, err := url.PathUnescape(reqSegs[i])
		if err != nil {
			return nil, nil, false
		}
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			if value == "" {
				return nil, nil, false
			}
			params[seg[1:len(seg)-1]] = value
			rank = append(rank, segParam)
			continue
		}
		if value != seg {
			return nil, nil, false
		}
		rank = append(rank, segLiteral)
	}
	if len(reqSegs) != len(rt.segments) {
		return nil, nil, false
	}
	// An exact method beats ANY on the same path.
	if rt.Method == "ANY" {
		rank = append(rank, 0)
	} else {
		rank = append(rank, 1)
	}
	return params, rank, true
}

func better(a, b []int) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return a[i] > b[i]
		}
	}
	return len(a) > len(b)
}

func (g *Gateway) findRoute(method, escapedPath string) (*route, map[string]string) {
	reqSegs := strings.Split(strings.TrimPrefix(escapedPath, "/"), "/")
	var best *route
	var bestParams map[string]string
	var bestRank []int
	for _, rt := range g.routes {
		params, rank, ok := rt.match(method, reqSegs)
		if ok && (best == nil || better(rank, bestRank)) {
			best, bestParams, bestRank = rt, params, rank
		}
	}
	return best, bestParams
}

// ServeHTTP serves the template's HTTP API.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	requestID := newRequestID()
	w.Header().Set("Apigw-Requestid", requestID)
	status, routeKey := g.serve(w, r, requestID)
	if g.accessLog != nil {
		// The route key, not the path: paths hold tokens (e-mailed links), which no log
		// keeps (as the template's access log format does on AWS).
		what := routeKey
		if strings.HasPrefix(routeKey, "(") { // no route: its first path segments only
			segs := strings.SplitN(strings.TrimPrefix(r.URL.EscapedPath(), "/"), "/", 3)
			n := 1
			if segs[0] == "v1" {
				n = 2 // /v1/<collection>
			}
			what = r.Method + " /" + strings.Join(segs[:min(n, len(segs))], "/") + "/… " + routeKey
		}
		fmt.Fprintf(g.accessLog, "%s %s -> %d (%s)\n", start.Format("15:04:05.000"), what,
			status, time.Since(start).Round(time.Millisecond))
	}
}

func (g *Gateway) serve(w http.ResponseWriter, r *http.Request, requestID string) (int, string) {
	origin := r.Header.Get("Origin")
	// With a CorsConfiguration, API Gateway answers every preflight itself.
	if g.tmpl.Cors != nil && r.Method == http.MethodOptions && origin != "" &&
		r.Header.Get("Access-Control-Request-Method") != "" {
		g.preflight(w, origin)
		return http.StatusNoContent, "(preflight)"
	}
	rt, params := g.findRoute(r.Method, r.URL.EscapedPath())
	if rt == nil {
		return writeMessage(w, http.StatusNotFound, "Not Found"), "(none)"
	}
	// Route throttling (the template's DefaultRouteSettings and RouteSettings) comes
	// before the integration: a throttled request reaches no function.
	if rt.throttle != nil && !rt.throttle.take(g.opts.Now()) {
		return writeMessage(w, http.StatusTooManyRequests, "Too Many Requests"), rt.RouteKey()
	}
	// Lambda takes at most 6 MB of event, so a body over that is refused unread when
	// its length is declared, and read no further than the limit when it is not.
	if r.ContentLength > maxPayloadBytes {
		return writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large"), rt.RouteKey()
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayloadBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large"), rt.RouteKey()
		}
		return writeMessage(w, http.StatusBadRequest, "Bad Request"), rt.RouteKey()
	}
	event := buildEvent(r, rt.RouteKey(), params, body, requestID)
	payload, err := json.Marshal(wireEvent{event, wireContext{APIGatewayV2HTTPRequestContext: event.RequestContext}})
	if err != nil {
		return writeMessage(w, http.StatusInternalServerError, "Internal Server Error"), rt.RouteKey()
	}
	reply, err := rt.fn.invoke(r.Context(), payload)
	if errors.Is(err, ErrPayloadTooLarge) {
		// The body fits but the event does not (a binary body grows by a third in
		// base64): Lambda refuses the invocation.
		return writeMessage(w, http.StatusRequestEntityTooLarge, "Request Entity Too Large"), rt.RouteKey()
	}
	if err != nil {
		// A function error, a crash and a timeout alike are an integration failure to
		// the HTTP API, which answers them all with a bare 500. (Its own 30 s
		// integration timeout is another matter, and no route's Timeout reaches it.)
		var fe *FunctionError
		if errors.As(err, &fe) && !fe.Timeout() { // the runtime logs timeouts itself
			g.logf("%s: %s %s failed: %s: %s", rt.fn.def.Folder, r.Method, r.URL.Path, fe.Type, fe.Message)
		}
		return writeMessage(w, http.StatusInternalServerError, "Internal Server Error"), rt.RouteKey()
	}
	status, err := writeReply(w, reply, func(h http.Header) { g.corsHeaders(h, origin) })
	if err != nil {
		g.logf("%s: unusable reply: %v", rt.fn.def.Folder, err)
		return writeMessage(w, http.StatusInternalServerError, "Internal Server Error"), rt.RouteKey()
	}
	return status, rt.RouteKey()
}

// wireEvent is the event as it goes to the function. It only hides
// requestContext.authentication, which the events type always writes but the HTTP
// API sends only for mutual TLS.
type wireEvent struct {
	events.APIGatewayV2HTTPRequest
	RequestContext wireContext `json:"requestContext"`
}

type wireContext struct {
	events.APIGatewayV2HTTPRequestContext
	Authentication *struct{} `json:"authentication,omitempty"`
}

// buildEvent makes the payload 2.0 event as the HTTP API does.
func buildEvent(r *http.Request, routeKey string, params map[string]string, body []byte, requestID string) events.APIGatewayV2HTTPRequest {
	now := time.Now().UTC()
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	host := r.Host
	hostname := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		hostname = h
	}

	// Header names lower-cased, repeated headers joined with commas; cookies go to
	// their own field and not into headers.
	headers := map[string]string{}
	var cookies []string
	for name, values := range r.Header {
		lname := strings.ToLower(name)
		if lname == "cookie" {
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		}
		headers[lname] = strings.Join(values, ",")
	}
	headers["host"] = host
	headers["content-length"] = strconv.Itoa(len(body))
	// As behind the real HTTP API: the client reached it over HTTPS on 443 (whatever
	// it claims), and the peer's address is appended to any X-Forwarded-For it sent.
	if xff := headers["x-forwarded-for"]; xff != "" {
		headers["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		headers["x-forwarded-for"] = sourceIP
	}
	headers["x-forwarded-proto"] = "https"
	headers["x-forwarded-port"] = "443"
	headers["x-amzn-trace-id"] = strings.SplitN(traceID(), ";", 2)[0]

	var query map[string]string
	if r.URL.RawQuery != "" {
		values, _ := url.ParseQuery(r.URL.RawQuery)
		query = map[string]string{}
		for k, vs := range values {
			query[k] = strings.Join(vs, ",")
		}
	}
	if len(params) == 0 {
		params = nil
	}

	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		PathParameters:        params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     routeKey,
			AccountID:    accountID,
			Stage:        "$default",
			RequestID:    requestID,
			APIID:        "local",
			DomainName:   hostname,
			DomainPrefix: strings.SplitN(hostname, ".", 2)[0],
			Time:         now.Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.EscapedPath(),
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if len(body) > 0 {
		if isTextual(r.Header.Get("Content-Type")) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// isTextual says whether the HTTP API passes a body of this type as text; any other
// body (including one without a type) arrives base64-encoded.
func isTextual(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		mt == "application/json", strings.HasSuffix(mt, "+json"),
		mt == "application/xml", strings.HasSuffix(mt, "+xml"),
		mt == "application/javascript":
		return true
	}
	return false
}

// writeReply maps a function's reply (payload 2.0 response) onto w; last calls
// finish on the headers just before they are sent.
func writeReply(w http.ResponseWriter, reply []byte, last func(http.Header)) (int, error) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(reply, &fields) != nil || fields["statusCode"] == nil {
		// No statusCode: the HTTP API assumes 200, JSON, and the reply as the body.
		if !json.Valid(reply) {
			return 0, errors.New("reply is not JSON")
		}
		w.Header().Set("Content-Type", "application/json")
		last(w.Header())
		w.WriteHeader(http.StatusOK)
		w.Write(reply)
		return http.StatusOK, nil
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(reply, &resp); err != nil {
		return 0, err
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return 0, fmt.Errorf("statusCode %d", resp.StatusCode)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		var err error
		if body, err = base64.StdEncoding.DecodeString(resp.Body); err != nil {
			return 0, fmt.Errorf("body is not base64: %w", err)
		}
	}
	h := w.Header()
	// No Content-Type from the function means none in the answer: keep net/http from
	// sniffing one, so a missing header shows up locally as it would deployed.
	h["Content-Type"] = nil
	for name, values := range resp.MultiValueHeaders {
		for _, v := range values {
			h.Add(name, v)
		}
	}
	for name, v := range resp.Headers {
		h.Set(name, v)
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	last(h)
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
	return resp.StatusCode, nil
}

func writeMessage(w http.ResponseWriter, status int, message string) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	data, _ := json.Marshal(map[string]string{"message": message})
	w.Write(data)
	return status
}

func (g *Gateway) originAllowed(origin string) string {
	c := g.tmpl.Cors
	if c == nil || origin == "" {
		return ""
	}
	for _, o := range c.AllowOrigins {
		if o == "*" {
			return "*"
		}
		if strings.EqualFold(o, origin) {
			return origin
		}
	}
	return ""
}

func (g *Gateway) preflight(w http.ResponseWriter, origin string) {
	h := w.Header()
	if allowed := g.originAllowed(origin); allowed != "" {
		c := g.tmpl.Cors
		h.Set("Access-Control-Allow-Origin", allowed)
		if len(c.AllowMethods) > 0 {
			h.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
		}
		if len(c.AllowHeaders) > 0 {
			h.Set("Access-Control-Allow-Headers", strings.ToLower(strings.Join(c.AllowHeaders, ",")))
		}
		if c.MaxAge > 0 {
			h.Set("Access-Control-Max-Age", strconv.Itoa(c.MaxAge))
		}
		if c.AllowCredentials {
			h.Set("Access-Control-Allow-Credentials", "true")
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// corsHeaders adds the CORS answer headers to an ordinary response, as the HTTP API
// does when CORS is configured: it ignores the CORS headers the function set, and
// answers an allowed origin with its own, Access-Control-Expose-Headers included.
func (g *Gateway) corsHeaders(h http.Header, origin string) {
	c := g.tmpl.Cors
	if c == nil {
		return
	}
	for name := range h {
		if strings.HasPrefix(http.CanonicalHeaderKey(name), "Access-Control-") {
			delete(h, name)
		}
	}
	allowed := g.originAllowed(origin)
	if allowed == "" {
		return
	}
	h.Set("Access-Control-Allow-Origin", allowed)
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
	if c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	h.Add("Vary", "Origin")
}

// newRequestID looks like API Gateway's (16 characters of base64).
func newRequestID() string {
	b := make([]byte, 12)
	rand.Read(b)
	return strings.NewReplacer("+", "A", "/", "B").Replace(base64.StdEncoding.EncodeToString(b))
}

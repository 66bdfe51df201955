// Package gateway is the local stand-in for API Gateway (HTTP API) and Lambda: it reads
// template.yaml, serves the template's HttpApi routes, turns each request into a
// payload 2.0 event, and runs the function's own built bootstrap binary against a
// Lambda Runtime API it serves itself. What runs locally is what deploys.
package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Options configure a Gateway.
type Options struct {
	// TemplatePath is the SAM template (template.yaml).
	TemplatePath string
	// BinDir holds the built functions as <BinDir>/<folder>/bootstrap.
	BinDir string
	// Parameters override template parameter Defaults (and give the ones without).
	Parameters map[string]string
	// TableName maps a table logical ID to its local name; nil keeps the logical ID.
	TableName func(logicalID string) string
	// ExtraEnv is added to every function's environment last, e.g.
	// AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_SESV2 for the local services.
	ExtraEnv map[string]string
	// FunctionLog receives the functions' stdout and stderr, each line prefixed with
	// [folder#instance], and the gateway's own notes about them; nil means os.Stderr.
	FunctionLog io.Writer
	// AccessLog, if set, gets one line per HTTP request.
	AccessLog io.Writer
	// MaxInstancesPerFunction caps each function's pool; beyond it requests queue.
	// 0 means 10.
	MaxInstancesPerFunction int
	// InitTimeout bounds a cold start (process start to its first /next call);
	// 0 means 10 s, as in Lambda.
	InitTimeout time.Duration
	// NoThrottling turns the template's route throttling off, for benchmarks that
	// measure the functions rather than API Gateway's limits.
	NoThrottling bool
	// Now is the clock the route throttles read; nil means time.Now. Tests set it to
	// control the buckets' refill.
	Now func() time.Time
	// TimeoutScale, above 1, multiplies every function's Timeout (the deadline it is
	// given and when it is stopped) and InitTimeout: headroom for test stacks on a
	// loaded machine (local exec, testenv). 0 or 1 keeps the template's, as in Lambda.
	TimeoutScale float64
	// DynamoEndpoint is the DynamoDB (Local) whose table streams the functions'
	// DynamoDB events read, e.g. http://127.0.0.1:8000. When set, New starts a poller
	// per enabled DynamoDB event (the local event source mapping, see streams.go) and
	// Close stops them; "" runs none.
	DynamoEndpoint string
	// DeadLetterDir, if set, also gets every on-failure record of the stream event
	// sources, as a line of <DeadLetterDir>/<queue logical ID>.jsonl (see DeadLetters).
	DeadLetterDir string
}

// FunctionStats are measurements of one function, for benchmarks.
type FunctionStats struct {
	InstancesStarted int
	// InitDurations: process start to its first /next call, one per instance.
	InitDurations []time.Duration
	// InvokeDurations: event handed over to reply received, one per completed
	// invocation (a function error reply counts; timeouts and crashes do not).
	InvokeDurations []time.Duration
	Timeouts        int
	Crashes         int
}

// Gateway is the local API Gateway and Lambda service. It is an http.Handler for the
// template's HTTP API.
type Gateway struct {
	opts        Options
	tmpl        *Template
	functions   map[string]*function // by logical ID
	routes      []*route
	functionLog io.Writer // serialised: many instances write to it
	accessLog   io.Writer

	mu      sync.Mutex
	servers []*http.Server

	// The stream event sources (streams.go).
	streamCancel context.CancelFunc
	streamWG     sync.WaitGroup
	dlMu         sync.Mutex
	deadLetters  map[string][]json.RawMessage // on-failure records by queue logical ID
}

// New reads the template and prepares the functions. No function starts until its
// first invocation. With DynamoEndpoint set, the pollers of the DynamoDB events start.
func New(opts Options) (*Gateway, error) {
	if opts.MaxInstancesPerFunction <= 0 {
		opts.MaxInstancesPerFunction = 10
	}
	if opts.InitTimeout <= 0 {
		opts.InitTimeout = 10 * time.Second
	}
	if opts.FunctionLog == nil {
		opts.FunctionLog = os.Stderr
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	tmpl, err := LoadTemplate(opts.TemplatePath, TemplateOptions{Parameters: opts.Parameters, TableName: opts.TableName})
	if err != nil {
		return nil, err
	}
	if opts.TimeoutScale > 1 {
		for _, def := range tmpl.Functions {
			def.Timeout = time.Duration(float64(def.Timeout) * opts.TimeoutScale)
		}
		opts.InitTimeout = time.Duration(float64(opts.InitTimeout) * opts.TimeoutScale)
	}
	g := &Gateway{
		opts:        opts,
		tmpl:        tmpl,
		functions:   map[string]*function{},
		functionLog: &lockedWriter{w: opts.FunctionLog},
	}
	if opts.AccessLog != nil {
		g.accessLog = &lockedWriter{w: opts.AccessLog}
	}
	seen := map[string]string{}
	for _, def := range tmpl.Functions {
		f := &function{def: def, gw: g, all: map[*instance]bool{}}
		g.functions[def.LogicalID] = f
		for _, r := range def.Routes {
			key := r.RouteKey()
			if other, dup := seen[key]; dup {
				return nil, fmt.Errorf("gateway: route %q is served by both %s and %s", key, other, def.LogicalID)
			}
			seen[key] = def.LogicalID
			rt := newRoute(r, f)
			if th, ok := tmpl.Throttles[key]; ok && !opts.NoThrottling {
				rt.throttle = newBucket(th)
			}
			g.routes = append(g.routes, rt)
		}
	}
	if opts.DynamoEndpoint != "" {
		g.startStreams(opts.DynamoEndpoint)
	}
	return g, nil
}

// Template returns the template as the gateway read it.
func (g *Gateway) Template() *Template { return g.tmpl }

// Serve serves the HTTP API on l until Close.
func (g *Gateway) Serve(l net.Listener) error {
	srv := &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second}
	g.mu.Lock()
	g.servers = append(g.servers, srv)
	g.mu.Unlock()
	err := srv.Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Invoke runs a function (by logical ID or folder name) once with the given event,
// as a schedule or a direct Lambda invoke would, and returns its reply. A function
// error, timeout or crash is a *FunctionError; a payload over Lambda's 6 MB is
// ErrPayloadTooLarge, and no function runs.
func (g *Gateway) Invoke(ctx context.Context, name string, payload []byte) ([]byte, error) {
	def := g.tmpl.FunctionByName(name)
	if def == nil {
		return nil, fmt.Errorf("gateway: no function %q in the template", name)
	}
	return g.functions[def.LogicalID].invoke(ctx, payload)
}

// Stats returns a copy of the measurements so far, by function logical ID.
func (g *Gateway) Stats() map[string]FunctionStats {
	out := map[string]FunctionStats{}
	for id, f := range g.functions {
		f.mu.Lock()
		s := f.stats
		s.InitDurations = append([]time.Duration(nil), s.InitDurations...)
		s.InvokeDurations = append([]time.Duration(nil), s.InvokeDurations...)
		f.mu.Unlock()
		out[id] = s
	}
	return out
}

// ResetStats clears the measurements (instances keep running).
func (g *Gateway) ResetStats() {
	for _, f := range g.functions {
		f.mu.Lock()
		f.stats = FunctionStats{}
		f.mu.Unlock()
	}
}

// Close stops serving and the stream pollers, stops every function instance (SIGTERM
// first for those that asked for it, as Lambda does) and waits for them. A batch in
// flight is abandoned, neither retried nor given up.
func (g *Gateway) Close() error {
	g.stopStreams()
	defer g.streamWG.Wait()
	g.mu.Lock()
	servers := g.servers
	g.servers = nil
	g.mu.Unlock()
	for _, srv := range servers {
		srv.Close()
	}
	var running []*instance
	for _, f := range g.functions {
		f.mu.Lock()
		f.closed = true
		for _, w := range f.waiters {
			w <- nil // they see closed and return ErrClosed
		}
		f.waiters = nil
		for inst := range f.all {
			running = append(running, inst)
		}
		f.mu.Unlock()
	}
	var wg sync.WaitGroup
	for _, inst := range running {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst.stop(500 * time.Millisecond) // Lambda's grace for SIGTERM handlers
			<-inst.exited
		}()
	}
	wg.Wait()
	return nil
}

// environment is exactly what the template gives the function, plus what Lambda
// itself sets, plus ExtraEnv.
func (g *Gateway) environment(def *Function, runtimeAPI string) []string {
	env := map[string]string{}
	for k, v := range def.Env {
		env[k] = v
	}
	region := pseudoParameters["AWS::Region"]
	lambda := map[string]string{
		"AWS_LAMBDA_RUNTIME_API":          runtimeAPI,
		"AWS_REGION":                      region,
		"AWS_DEFAULT_REGION":              region,
		"AWS_ACCESS_KEY_ID":               "local",
		"AWS_SECRET_ACCESS_KEY":           "local",
		"AWS_LAMBDA_FUNCTION_NAME":        def.LogicalID,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": strconv.Itoa(def.MemoryMB),
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"AWS_LAMBDA_LOG_FORMAT":           def.LogFormat,
		"AWS_LAMBDA_LOG_LEVEL":            def.LogLevel,
		"_HANDLER":                        "bootstrap",
		"TZ":                              ":UTC", // Lambda runs in UTC whatever this machine's zone
		"PATH":                            os.Getenv("PATH"),
	}
	for k, v := range lambda {
		env[k] = v
	}
	for k, v := range g.opts.ExtraEnv {
		env[k] = v
	}
	keys := make([]string, 0, len(env))
	for k := range env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, k+"="+env[k])
	}
	return out
}

// ScheduledEvent is the event a function's schedule sends: the schedule's Input if it
// has one, else an EventBridge "Scheduled Event".
func ScheduledEvent(def *Function, now time.Time) []byte {
	name := def.LogicalID
	if len(def.Schedules) > 0 {
		s := def.Schedules[0]
		if s.Input != "" {
			return []byte(s.Input)
		}
		name += s.Name
	}
	region := pseudoParameters["AWS::Region"]
	ev := events.EventBridgeEvent{
		Version:    "0",
		ID:         newUUID(),
		DetailType: "Scheduled Event",
		Source:     "aws.events",
		AccountID:  accountID,
		Time:       now.UTC().Truncate(time.Second),
		Region:     region,
		Resources:  []string{"arn:aws:events:" + region + ":" + accountID + ":rule/" + name},
		Detail:     json.RawMessage(`{}`),
	}
	data, _ := json.Marshal(ev)
	return data
}

func (g *Gateway) logf(format string, args ...any) {
	fmt.Fprintf(g.functionLog, "[gateway] "+format+"\n", args...)
}

// lockedWriter serialises writes from many goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// prefixWriter writes whole lines, each with a prefix. exec copies a process's
// stdout and stderr through one goroutine when both are the same writer.
type prefixWriter struct {
	w      io.Writer
	prefix []byte
	buf    []byte
}

func newPrefixWriter(w io.Writer, prefix string) *prefixWriter {
	return &prefixWriter{w: w, prefix: []byte(prefix)}
}

func (p *prefixWriter) Write(data []byte) (int, error) {
	p.buf = append(p.buf, data...)
	for {
		i := bytes.IndexByte(p.buf, '\n')
		if i < 0 {
			break
		}
		p.w.Write(append(append([]byte{}, p.prefix...), p.buf[:i+1]...))
		p.buf = p.buf[i+1:]
	}
	return len(data), nil
}

// Flush writes a last line that had no newline.
func (p *prefixWriter) Flush() {
	if len(p.buf) > 0 {
		p.Write([]byte("\n"))
	}
}

package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// This file is the Lambda side: a pool of instances per function, each instance being
// the function's own bootstrap binary talking to a Lambda Runtime API that the gateway
// serves for it (one small HTTP server per instance, so a /next call says by its port
// which instance asks).

// Lambda's limits for a synchronous invocation: 6 MB of request payload (the event)
// and 6 MB of response payload.
const (
	maxPayloadBytes  = 6 << 20
	maxResponseBytes = 6 << 20
)

// ErrPayloadTooLarge is the error of an invocation whose event is over Lambda's 6 MB
// synchronous payload limit; Lambda refuses it (RequestEntityTooLargeException)
// before any function runs.
var ErrPayloadTooLarge = errors.New("gateway: request payload over Lambda's 6 MB limit")

// FunctionError is how an invocation failed: the function's own error reply
// (errorType and errorMessage, as the Lambda Invoke API reports them), a timeout
// ("Sandbox.Timedout"), a crash ("Runtime.ExitError") or a failed start.
type FunctionError struct {
	Function string
	Type     string
	Message  string
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("%s: %s: %s", e.Function, e.Type, e.Message)
}

// Timeout reports whether the invocation was stopped at the function's Timeout.
func (e *FunctionError) Timeout() bool { return e.Type == "Sandbox.Timedout" }

// ErrClosed is returned by invocations after Close.
var ErrClosed = errors.New("gateway: closed")

// function is the pool of instances of one template function.
type function struct {
	def *Function
	gw  *Gateway

	mu      sync.Mutex
	idle    []*instance        // ready, waiting in /next for work
	live    int                // instances started and not yet exited
	waiters []chan *instance   // callers waiting for an instance; nil means "a slot is free"
	all     map[*instance]bool // every live instance, for Close
	closed  bool
	started int // instances ever started, numbers them
	stats   FunctionStats
}

type instance struct {
	fn      *function
	num     int
	cmd     *exec.Cmd
	srv     *http.Server
	started time.Time
	logs    *prefixWriter

	// invocations carries at most one invocation: an instance is only handed work
	// while it is idle.
	invocations chan *invocation
	exited      chan struct{} // closed once the process has exited and been reaped

	mu        sync.Mutex
	ready     bool // it has made its first /next call
	extension bool // it registered an (internal) extension: it gets SIGTERM before SIGKILL
	current   *invocation
	initError *FunctionError // from /runtime/init/error
	exitErr   error
}

type invocation struct {
	id        string
	payload   []byte
	deadline  time.Time     // set by /next before delivered is closed
	delivered chan struct{} // closed when the instance has taken the invocation
	done      chan result   // the /response or /error reply; buffered
}

type result struct {
	body []byte
	err  *FunctionError
}

// invoke runs one invocation on an instance of f, starting one if none is idle and
// the pool is not full, and waiting for one otherwise.
func (f *function) invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f.invokeID(ctx, payload, newUUID())
}

// invokeID is invoke with the request ID given.
func (f *function) invokeID(ctx context.Context, payload []byte, requestID string) ([]byte, error) {
	if len(payload) > maxPayloadBytes {
		return nil, ErrPayloadTooLarge
	}
	inst, err := f.acquire(ctx)
	if err != nil {
		return nil, err
	}
	inv := &invocation{
		id:        requestID,
		payload:   payload,
		delivered: make(chan struct{}),
		done:      make(chan result, 1),
	}
	inst.invocations <- inv // never blocks: the instance was idle

	// Phase 1: the instance takes the invocation. On a cold start this includes its
	// init, which Lambda bounds separately from the function's Timeout.
	initTimer := time.NewTimer(f.gw.opts.InitTimeout)
	defer initTimer.Stop()
	select {
	case <-inv.delivered:
	case <-inst.exited:
		return nil, f.failed(inst, inv)
	case <-initTimer.C:
		inst.kill()
		f.record(func(s *FunctionStats) { s.Timeouts++ })
		f.gw.logf("%s: instance #%d did not finish init within %s; killed", f.def.Folder, inst.num, f.gw.opts.InitTimeout)
		return nil, &FunctionError{f.def.LogicalID, "Sandbox.Timedout",
			fmt.Sprintf("init did not finish within %s", f.gw.opts.InitTimeout)}
	}

	// Phase 2: the handler runs until it replies, crashes or reaches the Timeout.
	start := time.Now()
	timer := time.NewTimer(time.Until(inv.deadline))
	defer timer.Stop()
	select {
	case res := <-inv.done:
		d := time.Since(start)
		f.record(func(s *FunctionStats) { s.InvokeDurations = append(s.InvokeDurations, d) })
		f.release(inst)
		if res.err != nil {
			return nil, res.err
		}
		return res.body, nil
	case <-inst.exited:
		return nil, f.failed(inst, inv)
	case <-timer.C:
		inst.kill()
		f.record(func(s *FunctionStats) { s.Timeouts++ })
		f.gw.logf("%s: request %s timed out after %s; instance #%d killed", f.def.Folder, inv.id, f.def.Timeout, inst.num)
		return nil, &FunctionError{f.def.LogicalID, "Sandbox.Timedout",
			fmt.Sprintf("Task timed out after %.2f seconds", f.def.Timeout.Seconds())}
	}
}

// failed builds the error for an invocation whose instance exited under it.
func (f *function) failed(inst *instance, inv *invocation) error {
	// A reply may have raced with the exit: it wins.
	select {
	case res := <-inv.done:
		if res.err != nil {
			return res.err
		}
	default:
	}
	inst.mu.Lock()
	defer inst.mu.Unlock()
	if inst.initError != nil {
		return inst.initError
	}
	f.record(func(s *FunctionStats) { s.Crashes++ })
	return &FunctionError{f.def.LogicalID, "Runtime.ExitError",
		fmt.Sprintf("RequestId: %s Error: Runtime exited: %v", inv.id, inst.exitErr)}
}

// acquire returns an idle instance, or a new one if the pool may grow, or waits.
func (f *function) acquire(ctx context.Context) (*instance, error) {
	for {
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			return nil, ErrClosed
		}
		for len(f.idle) > 0 {
			inst := f.idle[len(f.idle)-1]
			f.idle = f.idle[:len(f.idle)-1]
			if !inst.hasExited() {
				f.mu.Unlock()
				return inst, nil
			}
		}
		if f.live < f.gw.opts.MaxInstancesPerFunction {
			f.live++
			f.started++
			num := f.started
			f.mu.Unlock()
			inst, err := f.startInstance(num)
			if err != nil {
				f.mu.Lock()
				f.live--
				f.wakeOneLocked()
				f.mu.Unlock()
				return nil, err
			}
			return inst, nil
		}
		wait := make(chan *instance, 1)
		f.waiters = append(f.waiters, wait)
		f.mu.Unlock()

		select {
		case inst := <-wait:
			if inst != nil && !inst.hasExited() {
				return inst, nil
			}
			// nil: an instance went away, so a slot is free; try again.
		case <-ctx.Done():
			f.mu.Lock()
			for i, w := range f.waiters {
				if w == wait {
					f.waiters = append(f.waiters[:i], f.waiters[i+1:]...)
					break
				}
			}
			f.mu.Unlock()
			// Whatever was handed over meanwhile is passed on: an instance goes back
			// to the pool, a free slot goes to the next waiter.
			select {
			case inst := <-wait:
				if inst != nil {
					f.release(inst)
				} else {
					f.mu.Lock()
					f.wakeOneLocked()
					f.mu.Unlock()
				}
			default:
			}
			return nil, ctx.Err()
		}
	}
}

// release returns a finished instance to the pool, or hands it to a waiting caller.
func (f *function) release(inst *instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.waiters) > 0 {
		w := f.waiters[0]
		f.waiters = f.waiters[1:]
		w <- inst
		return
	}
	f.idle = append(f.idle, inst)
}

// wakeOneLocked tells the first waiting caller that a slot is free.
func (f *function) wakeOneLocked() {
	if len(f.waiters) > 0 {
		w := f.waiters[0]
		f.waiters = f.waiters[1:]
		w <- nil
	}
}

func (f *function) record(change func(*FunctionStats)) {
	f.mu.Lock()
	change(&f.stats)
	f.mu.Unlock()
}

func (f *function) startInstance(num int) (*instance, error) {
	bin := filepath.Join(f.gw.opts.BinDir, f.def.Folder, "bootstrap")
	if _, err := os.Stat(bin); err != nil {
		f.gw.logf("%s: no binary at %s (run `make build`)", f.def.Folder, bin)
		return nil, &FunctionError{f.def.LogicalID, "Runtime.InvalidEntrypoint", "no bootstrap binary at " + bin}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	inst := &instance{
		fn:          f,
		num:         num,
		invocations: make(chan *invocation, 1),
		exited:      make(chan struct{}),
		logs:        newPrefixWriter(f.gw.functionLog, fmt.Sprintf("[%s#%d] ", f.def.Folder, num)),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", inst.next)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", inst.response)
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", inst.invocationError)
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", inst.initErr)
	mux.HandleFunc("POST /2020-01-01/extension/register", inst.registerExtension)
	mux.HandleFunc("GET /2020-01-01/extension/event/next", inst.extensionNext)
	inst.srv = &http.Server{Handler: mux}

	cmd := exec.Command(bin)
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = f.gw.environment(f.def, ln.Addr().String())
	cmd.Stdout = inst.logs
	cmd.Stderr = inst.logs
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // Ctrl-C in a terminal goes to us, not straight to functions
		Pdeathsig: syscall.SIGKILL, // the gateway's process died: so do its functions
	}
	inst.cmd = cmd
	inst.started = time.Now()
	if err := cmd.Start(); err != nil {
		ln.Close()
		return nil, &FunctionError{f.def.LogicalID, "Runtime.InvalidEntrypoint", err.Error()}
	}
	// Serving starts only now, so the handlers see cmd and started; a /next that
	// comes first waits in the listener's backlog.
	go inst.srv.Serve(ln)
	f.mu.Lock()
	f.all[inst] = true
	f.stats.InstancesStarted++
	if f.closed {
		inst.kill() // Close ran while this one was starting
	}
	f.mu.Unlock()
	go inst.wait()
	return inst, nil
}

// wait reaps the process and takes the instance out of the pool.
func (inst *instance) wait() {
	err := inst.cmd.Wait()
	inst.logs.Flush()
	inst.srv.Close() // ends a /next long poll still open
	inst.mu.Lock()
	inst.exitErr = err
	inst.mu.Unlock()

	f := inst.fn
	f.mu.Lock()
	delete(f.all, inst)
	for i, idle := range f.idle {
		if idle == inst {
			f.idle = append(f.idle[:i], f.idle[i+1:]...)
			break
		}
	}
	f.live--
	closed := f.closed
	f.wakeOneLocked()
	f.mu.Unlock()
	close(inst.exited)
	if !closed {
		f.gw.logf("%s: instance #%d exited (%v)", f.def.Folder, inst.num, err)
	}
}

func (inst *instance) kill() {
	if inst.cmd.Process != nil {
		_ = syscall.Kill(-inst.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// stop ends the instance as Lambda does when it retires a sandbox: SIGTERM first if
// the function registered an extension (aws-lambda-go's WithEnableSIGTERM does),
// SIGKILL after grace.
func (inst *instance) stop(grace time.Duration) {
	inst.mu.Lock()
	term := inst.extension
	inst.mu.Unlock()
	if term && inst.cmd.Process != nil {
		_ = inst.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-inst.exited:
			return
		case <-time.After(grace):
		}
	}
	inst.kill()
}

func (inst *instance) hasExited() bool {
	select {
	case <-inst.exited:
		return true
	default:
		return false
	}
}

// GET /2018-06-01/runtime/invocation/next: long poll for the next invocation.
func (inst *instance) next(w http.ResponseWriter, r *http.Request) {
	inst.mu.Lock()
	if !inst.ready {
		inst.ready = true
		d := time.Since(inst.started)
		inst.fn.record(func(s *FunctionStats) { s.InitDurations = append(s.InitDurations, d) })
	}
	inst.mu.Unlock()

	select {
	case inv := <-inst.invocations:
		def := inst.fn.def
		inv.deadline = time.Now().Add(def.Timeout)
		inst.mu.Lock()
		inst.current = inv
		inst.mu.Unlock()
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Lambda-Runtime-Aws-Request-Id", inv.id)
		h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
		h.Set("Lambda-Runtime-Invoked-Function-Arn", functionARN(def.LogicalID))
		h.Set("Lambda-Runtime-Trace-Id", traceID())
		w.WriteHeader(http.StatusOK)
		w.Write(inv.payload)
		close(inv.delivered)
	case <-r.Context().Done():
	}
}

// POST /2018-06-01/runtime/invocation/{id}/response
func (inst *instance) response(w http.ResponseWriter, r *http.Request) {
	inv := inst.take(w, r)
	if inv == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxResponseBytes+1))
	if err != nil {
		inv.done <- result{err: &FunctionError{inst.fn.def.LogicalID, "Runtime.ResponseError", err.Error()}}
		return
	}
	if len(body) > maxResponseBytes {
		inv.done <- result{err: &FunctionError{inst.fn.def.LogicalID, "Function.ResponseSizeTooLarge",
			fmt.Sprintf("response payload exceeds %d bytes", maxResponseBytes)}}
		writeRuntimeStatus(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge")
		return
	}
	inv.done <- result{body: body}
	writeRuntimeStatus(w, http.StatusAccepted, "")
}

// POST /2018-06-01/runtime/invocation/{id}/error
func (inst *instance) invocationError(w http.ResponseWriter, r *http.Request) {
	inv := inst.take(w, r)
	if inv == nil {
		return
	}
	inv.done <- result{err: inst.readError(r)}
	writeRuntimeStatus(w, http.StatusAccepted, "")
}

// POST /2018-06-01/runtime/init/error: the function could not start. Lambda stops
// the instance; the invocation waiting for it fails with this error.
func (inst *instance) initErr(w http.ResponseWriter, r *http.Request) {
	fe := inst.readError(r)
	inst.mu.Lock()
	inst.initError = fe
	inst.mu.Unlock()
	inst.fn.gw.logf("%s: instance #%d init error: %s: %s", inst.fn.def.Folder, inst.num, fe.Type, fe.Message)
	writeRuntimeStatus(w, http.StatusAccepted, "")
	inst.kill()
}

// POST /2020-01-01/extension/register: the Extensions API, just enough for
// aws-lambda-go's internal extension (lambda.WithEnableSIGTERM).
func (inst *instance) registerExtension(w http.ResponseWriter, r *http.Request) {
	inst.mu.Lock()
	inst.extension = true
	inst.mu.Unlock()
	def := inst.fn.def
	w.Header().Set("Lambda-Extension-Identifier", newUUID())
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{
		"functionName": def.LogicalID, "functionVersion": "$LATEST", "handler": "bootstrap",
	})
}

// GET /2020-01-01/extension/event/next: an extension that subscribed to no events
// waits here for good.
func (inst *instance) extensionNext(w http.ResponseWriter, r *http.Request) {
	<-r.Context().Done()
}

// take returns the current invocation if the path names it, and clears it.
func (inst *instance) take(w http.ResponseWriter, r *http.Request) *invocation {
	id := r.PathValue("id")
	inst.mu.Lock()
	inv := inst.current
	if inv == nil || inv.id != id {
		inst.mu.Unlock()
		writeRuntimeStatus(w, http.StatusBadRequest, "InvalidRequestID")
		return nil
	}
	inst.current = nil
	inst.mu.Unlock()
	return inv
}

func (inst *instance) readError(r *http.Request) *FunctionError {
	var body struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}
	data, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	_ = json.Unmarshal(data, &body)
	fe := &FunctionError{Function: inst.fn.def.LogicalID, Type: body.ErrorType, Message: body.ErrorMessage}
	if fe.Type == "" {
		fe.Type = r.Header.Get("Lambda-Runtime-Function-Error-Type")
	}
	if fe.Type == "" {
		fe.Type = "Unhandled"
	}
	return fe
}

func writeRuntimeStatus(w http.ResponseWriter, code int, errorType string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	if errorType == "" {
		w.Write([]byte(`{"status":"OK"}`))
		return
	}
	fmt.Fprintf(w, `{"errorMessage":%q,"errorType":%q}`, errorType, errorType)
}

func functionARN(name string) string {
	return "arn:aws:lambda:" + pseudoParameters["AWS::Region"] + ":" + accountID + ":function:" + name
}

func traceID() string {
	b := make([]byte, 20)
	rand.Read(b)
	h := hex.EncodeToString(b)
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), h[:24], h[24:40])
}

func newUUID() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

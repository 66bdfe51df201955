// Package localstack starts the local stand-ins for the AWS services this backend uses
// (DynamoDB Local and aws-ses-v2-local) as child processes, and creates the DynamoDB
// tables that template.yaml declares.
//
// Every service runs in its own process group with Pdeathsig set, so Stop can kill the
// whole group (a JVM or node may fork helpers) and a parent that dies without calling
// Stop still takes its children with it.
package localstack

import (
	"context"
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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// Region is the region every local client and function uses.
const Region = "eu-central-1"

// Options configure one local service.
type Options struct {
	// Port to listen on; 0 picks a free one.
	Port int
	// DataDir is where DynamoDB Local keeps its data (-dbPath). Ignored by SES.
	DataDir string
	// InMemory makes DynamoDB Local keep nothing on disk (-inMemory). It is also the
	// default when DataDir is empty.
	InMemory bool
	// LogWriter receives the service's stdout and stderr; nil discards them.
	LogWriter io.Writer
	// Root is the repository root; empty means FindRoot().
	Root string
	// ReadyTimeout bounds the wait for the service to answer; 0 means 60 s.
	ReadyTimeout time.Duration
	// JavaOptions are extra JVM options for DynamoDB Local (e.g. -XX:+UseParallelGC for a
	// bulk load: about 13% more writes a second here than the default G1).
	JavaOptions []string
}

// Service is a running local service.
type Service struct {
	Name string
	Port int
	// URL is the service's base URL, e.g. http://127.0.0.1:8000.
	URL string

	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has been waited for
	err    error         // the process's exit error, valid after exited is closed
	tail   *tailBuffer   // the end of the process's output, for error messages
}

var errExitedEarly = errors.New("exited before it was ready")

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// FindRoot returns the repository root: the nearest directory, from the working
// directory up, that holds both go.mod and template.yaml.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if fileExists(filepath.Join(dir, "go.mod")) && fileExists(filepath.Join(dir, "template.yaml")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("localstack: no directory with go.mod and template.yaml above the working directory")
		}
		dir = parent
	}
}

// FreePort asks the kernel for a free TCP port on 127.0.0.1.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// NewDynamoClient returns a DynamoDB client for a local endpoint such as
// http://127.0.0.1:8000, with static credentials and the local region.
func NewDynamoClient(endpoint string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:       Region,
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
		// DynamoDB Local sends no CRC32 header on error replies; without this the SDK
		// logs a warning for every error it gets.
		DisableValidateResponseChecksum: true,
	})
}

// StartDynamo starts DynamoDB Local from .tools/dynamodb (see `make tools`) and waits
// until it answers ListTables.
func StartDynamo(ctx context.Context, opts Options) (*Service, error) {
	root, err := rootOf(opts)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, ".tools", "dynamodb")
	jar := filepath.Join(dir, "DynamoDBLocal.jar")
	if !fileExists(jar) {
		return nil, fmt.Errorf("localstack: %s is missing: run `make tools`", jar)
	}
	if opts.DataDir != "" && !opts.InMemory {
		if err := os.MkdirAll(opts.DataDir, 0o755); err != nil {
			return nil, err
		}
	}
	command := func(port int) *exec.Cmd {
		args := append(append([]string{}, opts.JavaOptions...),
			"-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"),
			"-jar", jar,
			// Without -sharedDb every access key and region gets its own private tables.
			"-sharedDb",
			"-disableTelemetry",
			"-port", strconv.Itoa(port),
		)
		if opts.DataDir == "" || opts.InMemory {
			args = append(args, "-inMemory")
		} else {
			args = append(args, "-dbPath", opts.DataDir)
		}
		cmd := exec.Command("java", args...)
		// DynamoDB Local writes dynamodb-local-metadata.json into its working directory:
		// keep it beside the jar, not in whatever folder the tests run in.
		cmd.Dir = dir
		return cmd
	}
	ready := func(svc *Service) func(context.Context) bool {
		client := NewDynamoClient(svc.URL)
		return func(ctx context.Context) bool {
			_, err := client.ListTables(ctx, &dynamodb.ListTablesInput{Limit: aws.Int32(1)})
			return err == nil
		}
	}
	return launch(ctx, "dynamodb", opts, command, ready)
}

// StartSES starts aws-ses-v2-local from infra/tools/node_modules (see `make tools`)
// and waits until GET /health-check answers 200.
func StartSES(ctx context.Context, opts Options) (*Service, error) {
	root, err := rootOf(opts)
	if err != nil {
		return nil, err
	}
	cli := filepath.Join(root, "infra", "tools", "node_modules", "aws-ses-v2-local", "dist", "cli.js")
	if !fileExists(cli) {
		return nil, fmt.Errorf("localstack: %s is missing: run `make tools`", cli)
	}
	command := func(port int) *exec.Cmd {
		// node runs the CLI directly (not through the .bin shim or npx), so the process
		// we start is the server itself.
		return exec.Command("node", cli, "--host", "127.0.0.1", "--port", strconv.Itoa(port))
	}
	httpClient := &http.Client{Timeout: 2 * time.Second}
	ready := func(svc *Service) func(context.Context) bool {
		return func(ctx context.Context) bool {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, svc.URL+"/health-check", nil)
			resp, err := httpClient.Do(req)
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == http.StatusOK
		}
	}
	return launch(ctx, "ses", opts, command, ready)
}

// launchAttempts bounds how often launch tries a fresh port. A port FreePort found free
// can be taken (by another test package's server, or as a client connection's local
// port) before the service binds it; the service then exits on "address in use".
const launchAttempts = 3

// launch starts the service on opts.Port, or on a free port, and waits until ready
// answers. When the port was ours to choose and the process exits before it is ready,
// it tries again on another port; the last error carries the tail of the service's
// output, so a failure says why.
func launch(ctx context.Context, name string, opts Options, command func(port int) *exec.Cmd,
	ready func(*Service) func(context.Context) bool) (*Service, error) {
	var lastErr error
	for range launchAttempts {
		port, err := portFor(opts)
		if err != nil {
			return nil, err
		}
		svc, err := start(name, command(port), port, opts.LogWriter)
		if err != nil {
			return nil, err
		}
		err = svc.waitReady(ctx, opts.ReadyTimeout, ready(svc))
		if err == nil {
			return svc, nil
		}
		svc.Stop()
		lastErr = err
		if opts.Port != 0 || !errors.Is(err, errExitedEarly) {
			break
		}
	}
	return nil, lastErr
}

// Stop ends the service's whole process group: SIGTERM first (DynamoDB Local closes its
// files), SIGKILL if it has not exited after 5 s. It waits for the process.
func (s *Service) Stop() error {
	if s == nil || s.cmd == nil || s.cmd.Process == nil {
		return nil
	}
	select {
	case <-s.exited:
		return nil
	default:
	}
	pgid := s.cmd.Process.Pid // Setpgid makes the child the leader of its own group
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-s.exited
	}
	// Anything the service forked and left behind in its group goes too.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	return nil
}

// Exited is closed when the service's process has ended (for whatever reason).
func (s *Service) Exited() <-chan struct{} { return s.exited }

func rootOf(opts Options) (string, error) {
	if opts.Root != "" {
		return opts.Root, nil
	}
	return FindRoot()
}

func portFor(opts Options) (int, error) {
	if opts.Port == 0 {
		return FreePort()
	}
	if !portFree(opts.Port) {
		// A server already on the port would answer our readiness probe while our own
		// process dies on "address in use"; refuse early and say why.
		return 0, fmt.Errorf("localstack: port %d is already in use (is another local stack running?)", opts.Port)
	}
	return opts.Port, nil
}

func start(name string, cmd *exec.Cmd, port int, logs io.Writer) (*Service, error) {
	if logs == nil {
		logs = io.Discard
	}
	tail := &tailBuffer{max: 2048}
	cmd.Stdout = io.MultiWriter(logs, tail)
	cmd.Stderr = cmd.Stdout
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Setpgid:   true,            // own group: Stop kills it whole; Ctrl-C in a terminal does not reach it
		Pdeathsig: syscall.SIGKILL, // the parent died without Stop: no orphan
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("localstack: start %s: %w", name, err)
	}
	svc := &Service{
		Name:   name,
		Port:   port,
		URL:    "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:    cmd,
		exited: make(chan struct{}),
		tail:   tail,
	}
	go func() {
		svc.err = cmd.Wait()
		close(svc.exited)
	}()
	return svc, nil
}

func (s *Service) waitReady(ctx context.Context, timeout time.Duration, ready func(context.Context) bool) error {
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		probe, cancelProbe := context.WithTimeout(ctx, 2*time.Second)
		ok := ready(probe)
		cancelProbe()
		if ok {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("localstack: %s on port %d %w: %v; its last output: %q",
				s.Name, s.Port, errExitedEarly, s.err, s.tail.String())
		case <-ctx.Done():
			return fmt.Errorf("localstack: %s not ready on port %d: %w", s.Name, s.Port, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func portFree(port int) bool {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// Pid is the service's process id.
func (s *Service) Pid() int { return s.cmd.Process.Pid }

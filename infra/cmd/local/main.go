// Command local runs the whole backend on this machine, with no AWS account and no
// Docker: DynamoDB Local, a local SES, and the local API Gateway running the
// functions' own binaries, all read from template.yaml.
//
//	local run                      the stack on fixed ports, in the foreground (make run)
//	local exec -- <command...>     the stack on free ports, in memory, around a command (make test)
//	local invoke <function>        run a function once against the running `local run` stack
//
// Each first rebuilds the function binaries that are missing or older than their code
// (as `make build` would, in one go build; with nothing stale it costs one go list), so
// no command runs stale binaries; -build=false refuses to start with them instead.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/infra/demo"
	"etwin/infra/gateway"
	"etwin/infra/lambdabuild"
	"etwin/infra/localstack"
	"etwin/shared/ddb"
)

const usage = `usage:
  local run [flags]                 start the stack on fixed ports and stay in the foreground
  local exec [flags] -- command...  run a command against a fresh stack on free ports
  local invoke [flags] <function>   run one function (folder or logical ID) against the running stack
Run "local <command> -h" for its flags.
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	stopWithParent()
	root, err := localstack.FindRoot()
	if err != nil {
		fail(err)
	}
	args := os.Args[2:]
	switch os.Args[1] {
	case "run":
		err = run(root, args)
	case "exec":
		var code int
		code, err = execCommand(root, args)
		if err == nil {
			os.Exit(code)
		}
	case "invoke":
		err = invoke(root, args)
	default:
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fail(err)
	}
}

// stopWithParent asks the kernel to send us SIGTERM when our parent dies. Under
// `make run` the parent is `go run`, which dies of a SIGTERM (make passes it on)
// without passing it to us; this way we still stop everything we started.
func stopWithParent() {
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_PDEATHSIG, uintptr(syscall.SIGTERM), 0)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "local:", err)
	os.Exit(1)
}

// run: make run.
func run(root string, args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	apiAddr := fs.String("api", "127.0.0.1:3000", "API listen address")
	ddbPort := fs.Int("ddb-port", 8000, "DynamoDB Local port")
	sesPort := fs.Int("ses-port", 8005, "local SES port")
	ssmPort := fs.Int("ssm-port", 8006, "local SSM (Parameter Store) port")
	s3Port := fs.Int("s3-port", 8007, "local S3 port (gofakes3; 8006 is the SSM's)")
	binDir := fs.String("bin", filepath.Join(root, ".local", "bin"), "built functions, <dir>/<folder>/bootstrap")
	dataDir := fs.String("data", filepath.Join(root, ".local", "ddb"), "DynamoDB Local data folder")
	logDir := fs.String("logs", filepath.Join(root, ".local", "logs"), "log folder")
	build := buildFlag(fs)
	fs.Parse(args)

	if err := ensureBuilt(root, *binDir, *build); err != nil {
		return err
	}
	if err := os.MkdirAll(*logDir, 0o755); err != nil {
		return err
	}
	functionLog, err := os.Create(filepath.Join(*logDir, "functions.log"))
	if err != nil {
		return err
	}
	defer functionLog.Close()
	serviceLog, err := os.Create(filepath.Join(*logDir, "services.log"))
	if err != nil {
		return err
	}
	defer serviceLog.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	fmt.Println("starting DynamoDB Local and the local SES ...")
	stack, err := localstack.StartStack(ctx, localstack.StackOptions{
		Root:          root,
		DynamoPort:    *ddbPort,
		SESPort:       *sesPort,
		SSMPort:       *ssmPort,
		S3Port:        *s3Port,
		S3DataFile:    filepath.Join(root, ".local", "s3.db"),
		DynamoDataDir: *dataDir,
		ServiceLog:    serviceLog,
		Gateway: localstack.GatewayOptions{
			Addr:          *apiAddr,
			BinDir:        *binDir,
			FunctionLog:   functionLog,
			AccessLog:     os.Stdout,
			DeadLetterDir: *logDir, // <queue>.jsonl: what the stream event sources gave up
		},
	})
	if err != nil {
		return err
	}
	defer stack.Stop()

	// Demo staff accounts with the local-only password of the README.
	n, err := demo.LoadStaff(ctx, ddb.New(localstack.NewDynamoClient(stack.Dynamo.URL), stack.TableName("Table")))
	if err != nil {
		return fmt.Errorf("loading the demo staff accounts: %w", err)
	}
	if n > 0 {
		fmt.Printf("created %d demo staff accounts (password %q, local only)\n", n, demo.Password)
	}

	for _, f := range stack.Gateway.Template().Functions {
		if _, err := os.Stat(filepath.Join(*binDir, f.Folder, "bootstrap")); err != nil {
			fmt.Printf("warning: %s is not built (%s/%s/bootstrap missing): its routes answer 500\n", f.LogicalID, *binDir, f.Folder)
		}
	}
	fmt.Printf(`
  API            %s
  mail viewer    %s
  mail as JSON   %s/store
  DynamoDB       %s  (table %s, data in %s)
  SSM            %s  (a random cursor key at %s)
  S3             %s  (bucket %s, path-style, objects in %s)
  function logs  %s

Ctrl-C stops everything.
`, stack.APIURL, stack.SES.URL, stack.SES.URL, stack.Dynamo.URL, stack.TableName("Table"), *dataDir,
		stack.SSM.URL, localstack.CursorKeyParameter, stack.S3.URL, gateway.BucketName("FilesBucket"),
		filepath.Join(root, ".local", "s3.db"), functionLog.Name())

	select {
	case <-ctx.Done():
		fmt.Println("\nstopping ...")
		return nil
	case <-stack.Dynamo.Exited():
		return errors.New("DynamoDB Local exited; see " + serviceLog.Name())
	case <-stack.SES.Exited():
		return errors.New("the local SES exited; see " + serviceLog.Name())
	}
}

// execCommand: make test. It returns the command's exit code.
func execCommand(root string, args []string) (int, error) {
	fs := flag.NewFlagSet("exec", flag.ExitOnError)
	binDir := fs.String("bin", filepath.Join(root, ".local", "bin"), "built functions, <dir>/<folder>/bootstrap")
	logDir := fs.String("logs", filepath.Join(root, ".local", "logs"), "log folder")
	build := buildFlag(fs)
	timeoutScale := fs.Float64("timeout-scale", 3 /* as testenv.TimeoutScale */, "multiply every function's Timeout (and the init timeout) by this: tests on a loaded machine must not fail on AWS's time limits")
	fs.Parse(args)
	command := fs.Args()
	if len(command) == 0 {
		return 0, errors.New("exec: no command (local exec -- go test ./...)")
	}
	if err := ensureBuilt(root, *binDir, *build); err != nil {
		return 0, err
	}

	if err := os.MkdirAll(*logDir, 0o755); err != nil {
		return 0, err
	}
	functionLog, err := os.Create(filepath.Join(*logDir, "exec-functions.log"))
	if err != nil {
		return 0, err
	}
	defer functionLog.Close()
	serviceLog, err := os.Create(filepath.Join(*logDir, "exec-services.log"))
	if err != nil {
		return 0, err
	}
	defer serviceLog.Close()

	// Signals are caught from here on, so a Ctrl-C during start-up still stops what
	// has started; during the command they are passed on to it.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-signals:
			cancel()
		case <-ctx.Done():
		}
	}()

	stack, err := localstack.StartStack(ctx, localstack.StackOptions{
		Root:       root,
		ServiceLog: serviceLog,
		Gateway: localstack.GatewayOptions{
			BinDir:        *binDir,
			FunctionLog:   functionLog,
			TimeoutScale:  *timeoutScale,
			DeadLetterDir: filepath.Join(*logDir, "exec-dead-letters"),
		},
	})
	if err != nil {
		return 0, err
	}
	defer stack.Stop()
	if ctx.Err() != nil {
		return 0, errors.New("interrupted")
	}
	fmt.Fprintf(os.Stderr, "local: stack up: API %s, DynamoDB %s, SES %s (function logs in %s)\n",
		stack.APIURL, stack.Dynamo.URL, stack.SES.URL, functionLog.Name())

	cmd := exec.Command(command[0], command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.Env = append(os.Environ(),
		"ETWIN_DDB_ENDPOINT="+stack.Dynamo.URL,
		"ETWIN_SES_ENDPOINT="+stack.SES.URL,
		"ETWIN_S3_ENDPOINT="+stack.S3.URL,
		"ETWIN_FILES_BUCKET="+gateway.BucketName("FilesBucket"),
		"ETWIN_API_URL="+stack.APIURL,
		"ETWIN_TABLE_NAME="+stack.TableName("Table"),
		"ETWIN_BIN_DIR="+*binDir,
		"ETWIN_DEAD_LETTER_DIR="+filepath.Join(*logDir, "exec-dead-letters"),
	)
	// If this process is killed outright, the command goes too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	signal.Stop(signals) // from now on the handler below forwards them
	forward := make(chan os.Signal, 1)
	signal.Notify(forward, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(forward)
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	for {
		select {
		case sig := <-forward:
			cmd.Process.Signal(sig)
		case err := <-waited:
			code := exitCode(cmd, err)
			if code != 0 {
				fmt.Fprintf(os.Stderr, "local: %s exited with %d; function logs in %s\n", command[0], code, functionLog.Name())
			}
			return code, nil
		}
	}
}

func exitCode(cmd *exec.Cmd, err error) int {
	if err == nil {
		return 0
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	if code := cmd.ProcessState.ExitCode(); code > 0 {
		return code
	}
	return 1
}

// invoke: make invoke FN=...
func invoke(root string, args []string) error {
	fs := flag.NewFlagSet("invoke", flag.ExitOnError)
	ddbPort := fs.Int("ddb-port", 8000, "port of the running DynamoDB Local")
	sesPort := fs.Int("ses-port", 8005, "port of the running local SES")
	ssmPort := fs.Int("ssm-port", 8006, "port of the running local SSM")
	binDir := fs.String("bin", filepath.Join(root, ".local", "bin"), "built functions, <dir>/<folder>/bootstrap")
	eventFile := fs.String("event", "", "event JSON file (- for stdin) instead of the schedule's event")
	build := buildFlag(fs)
	fs.Parse(args)
	if fs.NArg() != 1 {
		return errors.New("invoke: name one function (folder or logical ID)")
	}
	name := fs.Arg(0)
	if err := ensureBuilt(root, *binDir, *build); err != nil {
		return err
	}

	ddbURL := "http://127.0.0.1:" + strconv.Itoa(*ddbPort)
	sesURL := "http://127.0.0.1:" + strconv.Itoa(*sesPort)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	probe, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if _, err := localstack.NewDynamoClient(ddbURL).ListTables(probe, &dynamodb.ListTablesInput{}); err != nil {
		return fmt.Errorf("no DynamoDB Local at %s: start the stack with `make run` first (%v)", ddbURL, err)
	}

	// A gateway of our own, with no HTTP side, runs the function against the running
	// stack's services, exactly as `local run` would.
	gw, err := gateway.New(gateway.Options{
		TemplatePath: filepath.Join(root, "template.yaml"),
		BinDir:       *binDir,
		Parameters:   localstack.LocalParameters,
		ExtraEnv: map[string]string{
			"AWS_ENDPOINT_URL_DYNAMODB": ddbURL,
			"AWS_ENDPOINT_URL_SESV2":    sesURL,
			"AWS_ENDPOINT_URL_SES":      sesURL,
			"AWS_ENDPOINT_URL_SSM":      "http://127.0.0.1:" + strconv.Itoa(*ssmPort),
		},
		FunctionLog: os.Stderr,
	})
	if err != nil {
		return err
	}
	defer gw.Close()
	def := gw.Template().FunctionByName(name)
	if def == nil {
		return fmt.Errorf("no function %q in template.yaml", name)
	}

	var payload []byte
	switch {
	case *eventFile == "-":
		payload, err = io.ReadAll(os.Stdin)
	case *eventFile != "":
		payload, err = os.ReadFile(*eventFile)
	case len(def.Schedules) == 0:
		return fmt.Errorf("%s has no schedule; give an event with -event", def.LogicalID)
	default:
		payload = gateway.ScheduledEvent(def, time.Now())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "invoking %s with %s\n", def.LogicalID, payload)
	reply, err := gw.Invoke(ctx, def.LogicalID, payload)
	if err != nil {
		return err
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, reply, "", "  ") == nil {
		reply = pretty.Bytes()
	}
	fmt.Println(strings.TrimSpace(string(reply)))
	return nil
}

func buildFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("build", true, "rebuild the function binaries that are missing or older than their code; false: refuse to start with them")
}

// ensureBuilt keeps binDir in step with the code: the binaries lambdabuild.Stale
// reports (missing, built by another Go, older than a file they are built from) are
// rebuilt, or, with rebuild false, refused.
func ensureBuilt(root, binDir string, rebuild bool) error {
	ctx := context.Background()
	pkgs, err := lambdabuild.Packages(root)
	if err != nil {
		return err
	}
	start := time.Now()
	if !rebuild {
		stale, err := lambdabuild.Stale(ctx, root, binDir, pkgs)
		if err != nil {
			return err
		}
		if len(stale) > 0 {
			return fmt.Errorf("%d function binaries in %s are stale (%s); run `make build` or leave out -build=false", len(stale), binDir, staleText(stale))
		}
		return nil
	}
	stale, err := lambdabuild.Update(ctx, root, binDir, pkgs)
	if err != nil {
		return err
	}
	if len(stale) > 0 {
		fmt.Fprintf(os.Stderr, "local: rebuilt %d stale function binaries in %s (%s)\n", len(stale), time.Since(start).Round(time.Millisecond), staleText(stale))
	}
	return nil
}

// staleText names the first stale binaries and why.
func staleText(stale []lambdabuild.Reason) string {
	var parts []string
	for i, r := range stale {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(stale)-i))
			break
		}
		parts = append(parts, strings.TrimPrefix(r.Package, "./functions/")+": "+r.Why)
	}
	return strings.Join(parts, "; ")
}

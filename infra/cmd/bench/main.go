// Command bench measures every use case of template.yaml and writes a markdown report
// (default docs/benchmarks.md, and stdout):
//
//  1. DynamoDB calls, consumed capacity and DynamoDB time per request, in process;
//  2. latency and throughput of each route through the local API gateway;
//  3. the zipped size of each function (linux/arm64), next to a hello-world Lambda;
//  4. the init time of each function against the local Runtime API, next to that
//     hello-world Lambda;
//  5. the member search on large generated data sets;
//  6. e-mails through the outbox (the mail-sender on the local stream event source):
//     throughput, commit-to-send delay, and the cost model of the sweep's invitations;
//  8. the eligibility sweep on generated school summaries (10,000 and 100,000 schools):
//     calls, units, invitations, their growth, and the cost of a sweep at eTwinning's scale.
//
// Run it against the stack of the orchestrator (which sets ETWIN_DDB_ENDPOINT and
// ETWIN_SES_ENDPOINT):
//
//	go run ./infra/cmd/local exec -- go run ./infra/cmd/bench
//
// or alone: without those variables it starts DynamoDB Local and the local SES itself
// (in memory, free ports) and stops them at the end. It always builds the functions
// into a temporary folder and runs its own gateway, on a fresh table it deletes after.
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"etwin/infra/bench"
	"etwin/infra/localstack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	root, err := localstack.FindRoot()
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: go run ./infra/cmd/bench [flags]\n\n")
		fs.PrintDefaults()
	}
	n := fs.Int("n", 300, "requests per route through the gateway")
	conc := fs.Int("c", 4, "concurrent requests through the gateway")
	samples := fs.Int("samples", 100, "in-process requests per use case (DynamoDB calls and capacity)")
	cold := fs.Int("cold", 5, "cold starts per function for the init times (0: skip the init times, as -skip-init)")
	out := fs.String("out", filepath.Join(root, "docs", "benchmarks.md"), "markdown report to write (also printed to stdout); - for stdout only")
	logPath := fs.String("log", filepath.Join(root, ".local", "logs", "bench-functions.log"), "file for the functions' output")
	skipDDB := fs.Bool("skip-ddb", false, "skip the in-process DynamoDB benchmark")
	skipGateway := fs.Bool("skip-gateway", false, "skip the load through the gateway")
	skipSize := fs.Bool("skip-size", false, "skip the deployment package sizes")
	skipInit := fs.Bool("skip-init", false, "skip the init times")
	skipOutbox := fs.Bool("skip-outbox", false, "skip the outbox benchmark (e-mail throughput and commit-to-send delay)")
	outboxN := fs.Int("outbox-n", 300, "e-mails committed at once to the outbox (0: no burst)")
	outboxRate := fs.Float64("outbox-rate", 5, "e-mails per second committed in the outbox's steady run, below the mail-sender's pacing (0: no steady run)")
	outboxFor := fs.Duration("outbox-for", 20*time.Second, "how long the outbox's steady run commits")
	searchSizes := fs.String("search", "10000,100000", "sizes of the generated data sets the member search is measured on, comma-separated (\"\" to skip)")
	searchRounds := fs.Int("search-rounds", 3, "times each search query runs at each size")
	only := fs.String("only", "", "limit the use-case benchmarks to these functions, comma-separated (a quick run; \"\": all)")
	sweepFlag := fs.String("sweep", "10000,100000", "numbers of generated schools the eligibility sweep is measured on, each on a fresh table, comma-separated (\"\" to skip)")
	expiryRooms := fs.Int("expiry-rooms", 100000, "generated rooms the room-expiry job is measured on (0: skip; with -only, only when it names room-expiry)")
	fs.Parse(os.Args[1:])
	sizes, err := sizeList("-search", *searchSizes)
	if err != nil {
		return err
	}
	sweepSizes, err := sizeList("-sweep", *sweepFlag)
	if err != nil {
		return err
	}
	if *n < 1 || *conc < 1 || *samples < 1 || *cold < 0 {
		return fmt.Errorf("-n, -c and -samples must be at least 1, -cold at least 0")
	}
	if *cold == 0 {
		*skipInit = true
	}
	if *outboxN < 0 || *outboxRate < 0 || *outboxFor < 0 {
		return fmt.Errorf("-outbox-n, -outbox-rate and -outbox-for must not be negative")
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := os.MkdirAll(filepath.Dir(*logPath), 0o755); err != nil {
		return err
	}
	functionLog, err := os.Create(*logPath)
	if err != nil {
		return err
	}
	defer functionLog.Close()

	command := "go run ./infra/cmd/bench"
	if len(os.Args) > 1 {
		command += " " + strings.Join(os.Args[1:], " ")
	}
	cfg := bench.Config{
		Root: root, Template: filepath.Join(root, "template.yaml"),
		DDBEndpoint: os.Getenv("ETWIN_DDB_ENDPOINT"), SESEndpoint: os.Getenv("ETWIN_SES_ENDPOINT"),
		Requests: *n, Concurrency: *conc, Samples: *samples, ColdStarts: *cold,
		SkipDDB: *skipDDB, SkipGateway: *skipGateway, SkipSizes: *skipSize, SkipInit: *skipInit, SkipOutbox: *skipOutbox, Only: splitList(*only),
		OutboxBurst: *outboxN, OutboxRate: *outboxRate, OutboxSteady: *outboxFor,
		SearchSizes: sizes, SearchRounds: *searchRounds, SweepSizes: sweepSizes, ExpiryRooms: *expiryRooms,
		FunctionLog: functionLog, Progress: os.Stderr,
	}
	if cfg.DDBEndpoint != "" && cfg.SESEndpoint != "" {
		command = "go run ./infra/cmd/local exec -- " + command
	} else if !*skipDDB || !*skipGateway || len(sizes) > 0 || !*skipOutbox || len(sweepSizes) > 0 || *expiryRooms > 0 {
		// Alone: start the services ourselves (no tables: the run makes its own).
		fmt.Fprintln(os.Stderr, "bench: no ETWIN_DDB_ENDPOINT/ETWIN_SES_ENDPOINT: starting DynamoDB Local and the local SES")
		stack, err := localstack.StartStack(ctx, localstack.StackOptions{
			Root: root, SkipGateway: true, ServiceLog: functionLog,
			TableName: func(string) string { return "" },
		})
		if err != nil {
			return err
		}
		defer stack.Stop()
		cfg.DDBEndpoint, cfg.SESEndpoint = stack.Dynamo.URL, stack.SES.URL
	}
	cfg.Command = command

	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	var md bytes.Buffer
	rep.Markdown(&md)
	if *out != "-" {
		if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(*out, md.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "bench: report written to %s (function output in %s)\n", *out, *logPath)
	}
	_, err = io.Copy(os.Stdout, &md)
	return err
}

// sizeList parses a comma-separated list of sizes ("" for none).
func sizeList(name, list string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(list, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("%s: %q is not a size", name, f)
		}
		out = append(out, v)
	}
	return out, nil
}

// splitList is a comma-separated list's non-empty items.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Package bench measures the backend's use cases: DynamoDB calls and consumed capacity
// per request (in process, against DynamoDB Local), latency through the local API
// gateway, the size of each function's deployment package, and each function's
// cold-start init time next to baseline Go Lambdas (hello-world, the SDK floor).
// infra/cmd/bench runs it and writes docs/benchmarks.md. Results are reported, never
// asserted.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/infra/gateway"
	"etwin/infra/localstack"
	"etwin/shared/app"
	"etwin/shared/cursor"
	"etwin/shared/ddb"
	"etwin/shared/optout"
)

// Config is one benchmark run.
type Config struct {
	Root     string // repository root (go.mod, template.yaml)
	Template string // template.yaml

	// The local services; both are needed unless SkipDDB and SkipGateway.
	DDBEndpoint, SESEndpoint string

	Requests    int // per route through the gateway
	Concurrency int // concurrent requests through the gateway (and seeding workers)
	Samples     int // in-process requests per use case
	ColdStarts  int // cold starts per function

	SkipDDB, SkipGateway, SkipSizes, SkipInit, SkipOutbox bool
	// Only, when given, limits the use-case benchmarks to these functions (a quick run).
	Only []string

	// The outbox: OutboxBurst e-mails committed at once, then OutboxRate a second for
	// OutboxSteady (0: either run skipped).
	OutboxBurst  int
	OutboxRate   float64
	OutboxSteady time.Duration

	// SearchSizes are the sizes of generated data sets the member search is measured on
	// (none: skipped); SearchRounds is how often each query runs at each size.
	SearchSizes  []int
	SearchRounds int

	// SweepSizes are the numbers of schools the eligibility sweep is measured on, each on
	// a fresh table (none: skipped).
	SweepSizes []int

	// ExpiryRooms is how many generated rooms the room-expiry job is measured on (0:
	// skipped; with Only, only when Only names room-expiry).
	ExpiryRooms int

	FunctionLog io.Writer // the functions' output; nil discards it
	Progress    io.Writer // progress lines; nil discards them
	Command     string    // how the run was started, for the report
}

// Report is everything a run measured.
type Report struct {
	Config  Config
	Machine Machine
	Started time.Time
	Elapsed time.Duration
	Table   string // the DynamoDB table the run created (and deleted)
	Members int    // members seeded
	Schools int    // schools seeded

	DDB     []DDBResult
	Gateway []LoadResult
	Sizes   []SizeResult
	Init    []InitResult
	Inits   []PackageInit // slow package inits of the function binaries
	Search  []SearchScale
	Outbox  *OutboxResult // nil: not measured
	Sweep   []SweepScale
	Expiry  *ExpiryScale // nil: not measured
	Notes   []string
}

// nowhere is an endpoint that refuses connections: functions started without local
// services must never reach AWS.
const nowhere = "http://127.0.0.1:9"

// Run runs the benchmarks cfg asks for.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.FunctionLog == nil {
		cfg.FunctionLog = io.Discard
	}
	cfg.Concurrency = max(cfg.Concurrency, 1)
	rep := &Report{Config: cfg, Machine: machine(), Started: time.Now()}
	defer func() { rep.Elapsed = time.Since(rep.Started) }()
	progress := func(format string, args ...any) { fmt.Fprintf(cfg.Progress, "bench: "+format+"\n", args...) }

	needTable := !cfg.SkipDDB || !cfg.SkipGateway || len(cfg.SearchSizes) > 0
	measureExpiry := cfg.ExpiryRooms > 0 && (len(cfg.Only) == 0 || slices.Contains(cfg.Only, ExpiryFunction))
	needServices := needTable || !cfg.SkipOutbox || len(cfg.SweepSizes) > 0 || measureExpiry
	if needServices && (cfg.DDBEndpoint == "" || cfg.SESEndpoint == "") {
		return nil, fmt.Errorf("bench: the DynamoDB and SES endpoints are needed (or skip the DynamoDB, gateway, search, outbox and sweep benchmarks)")
	}
	ddbURL, sesURL := cfg.DDBEndpoint, cfg.SESEndpoint
	if ddbURL == "" {
		ddbURL = nowhere
	}
	if sesURL == "" {
		sesURL = nowhere
	}
	rep.Table = "bench-" + time.Now().UTC().Format("20060102-150405") + "-" + randomHex(3)
	tableName := func(logicalID string) string { return rep.Table + "-" + logicalID }

	tmpl, err := gateway.LoadTemplate(cfg.Template, gateway.TemplateOptions{Parameters: localstack.LocalParameters, TableName: tableName})
	if err != nil {
		return nil, err
	}
	fns := tmpl.Functions
	scs := scenarios()
	if len(cfg.Only) > 0 {
		scs = slices.DeleteFunc(scs, func(sc *scenario) bool { return !slices.Contains(cfg.Only, sc.Function) })
	}
	covered := map[string]bool{}
	for _, sc := range scs {
		covered[sc.Function] = true
	}
	for _, f := range fns {
		if f.Folder == outboxFunction {
			continue // the outbox benchmark (section 6)
		}
		if f.Folder == ExpiryFunction && measureExpiry {
			continue // the room-expiry job at scale (section 9)
		}
		if len(cfg.Only) == 0 && (!covered[f.Folder] || handlers[f.Folder] == nil) {
			rep.Notes = append(rep.Notes, fmt.Sprintf("`%s` (%s) has no benchmark scenario yet: add one in infra/bench/scenarios.go.", f.Folder, f.LogicalID))
		}
	}

	tmp, err := os.MkdirTemp("", "etwin-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	var pkgs, names []string
	for _, f := range fns {
		pkgs = append(pkgs, "./"+path.Clean(f.CodeURI))
		names = append(names, path.Base(f.CodeURI))
	}
	for _, b := range baselines {
		pkgs = append(pkgs, b.pkg())
		names = append(names, b.Folder)
	}

	// 3. Deployment packages, built as for Lambda.
	if !cfg.SkipSizes {
		progress("building %d functions and the baselines for linux/arm64", len(fns))
		dir := filepath.Join(tmp, "arm64")
		if err := build(ctx, cfg.Root, dir, "linux", "arm64", pkgs); err != nil {
			return nil, err
		}
		if rep.Sizes, err = sizes(dir, names); err != nil {
			return nil, err
		}
	}

	native := filepath.Join(tmp, "native")
	if !cfg.SkipInit || !cfg.SkipGateway {
		progress("building them for this machine (%s/%s)", runtime.GOOS, runtime.GOARCH)
		if err := build(ctx, cfg.Root, native, runtime.GOOS, runtime.GOARCH, pkgs); err != nil {
			return nil, err
		}
	} else if !cfg.SkipOutbox {
		// The outbox benchmark alone runs only the mail-sender.
		for _, f := range fns {
			if f.Folder != outboxFunction {
				continue
			}
			progress("building %s for this machine (%s/%s)", f.Folder, runtime.GOOS, runtime.GOARCH)
			if err := build(ctx, cfg.Root, native, runtime.GOOS, runtime.GOARCH, []string{"./" + path.Clean(f.CodeURI)}); err != nil {
				return nil, err
			}
		}
	}
	// The cursor signing key, in a local SSM of this run's own (the functions that page
	// lists read it at init, as in AWS).
	ssmStub, err := localstack.StartSSM("")
	if err != nil {
		return nil, err
	}
	defer ssmStub.Stop()
	cursorKey := localstack.NewCursorKey()
	ssmStub.Put(localstack.CursorKeyParameter, "SecureString", cursorKey)
	unsubscribeKey := localstack.NewCursorKey()
	ssmStub.Put(localstack.UnsubscribeKeyParameter, "SecureString", unsubscribeKey)
	gwOpts := gateway.Options{
		TemplatePath: cfg.Template,
		BinDir:       native,
		Parameters:   localstack.LocalParameters,
		TableName:    tableName,
		ExtraEnv: map[string]string{
			"AWS_ENDPOINT_URL_DYNAMODB": ddbURL,
			"AWS_ENDPOINT_URL_SESV2":    sesURL,
			"AWS_ENDPOINT_URL_SES":      sesURL,
			"AWS_ENDPOINT_URL_SSM":      ssmStub.URL,
		},
		FunctionLog:             cfg.FunctionLog,
		MaxInstancesPerFunction: cfg.Concurrency,
		// The load measures the functions; the template's route throttling (burst
		// 200, 100/s) would answer part of it 429.
		NoThrottling: true,
	}

	// 4. Init times, first, while the machine is quiet.
	if !cfg.SkipInit {
		progress("cold-starting each function %d times", cfg.ColdStarts)
		o := gwOpts
		o.MaxInstancesPerFunction = 1
		if rep.Init, err = measureInit(ctx, o, fns, tmp, cfg.ColdStarts, cfg.Progress); err != nil {
			return nil, err
		}
		if rep.Inits, err = traceInits(ctx, native, fns, o.ExtraEnv); err != nil {
			return nil, err
		}
	}
	if !needServices {
		return rep, nil
	}

	// 6. The outbox, on tables of its own, before the seeding loads the machine.
	if !cfg.SkipOutbox {
		if rep.Outbox, err = runOutbox(ctx, cfg, gwOpts, ddbURL, rep.Table, progress); err != nil {
			return nil, err
		}
	}
	// 8. The eligibility sweep, on fresh tables of its own.
	if len(cfg.SweepSizes) > 0 {
		if rep.Sweep, err = runSweepScale(ctx, cfg, ddbURL, rep.Table, progress); err != nil {
			return nil, err
		}
	}
	// 9. The room-expiry job at scale, on fresh tables of its own.
	if measureExpiry {
		sc, err := runExpiryScale(ctx, cfg, ddbURL, rep.Table, cfg.ExpiryRooms, progress)
		if err != nil {
			return nil, err
		}
		rep.Expiry = &sc
	}
	if !needTable {
		return rep, nil
	}

	// A fresh table from the template, and the community the use cases work on.
	seedClient := localstack.NewDynamoClient(ddbURL)
	if err := localstack.CreateTables(ctx, seedClient, cfg.Template, tableName); err != nil {
		return nil, err
	}
	defer func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, id := range tmpl.Tables {
			seedClient.DeleteTable(dctx, &dynamodb.DeleteTableInput{TableName: aws.String(tableName(id))})
		}
	}()
	env := functionEnv(fns)
	table := env["TABLE_NAME"]
	if table == "" {
		return nil, fmt.Errorf("bench: no function of the template has TABLE_NAME")
	}
	active := map[string]*gateway.Function{}
	for _, f := range fns {
		active[f.Folder] = f
	}
	needed := generalMembers
	for _, sc := range scs {
		if active[sc.Function] == nil {
			continue
		}
		if !cfg.SkipDDB {
			needed += sc.members(cfg.Samples + inProcessWarmup)
		}
		if !cfg.SkipGateway && sc.Gateway {
			needed += sc.members(cfg.Requests + cfg.Concurrency)
		}
	}
	needed = max(needed, 300)
	progress("seeding %d members and %d schools into table %s", needed, (needed+1)/2, table)
	seedStart := time.Now()
	ds, err := seed(ctx, ddb.New(seedClient, table), needed, cfg.Concurrency)
	if err != nil {
		return nil, err
	}
	ds.unsubscribes = optout.NewSigner(unsubscribeKey)
	rep.Members, rep.Schools = len(ds.members), len(ds.schools)
	progress("seeded in %s", time.Since(seedStart).Round(time.Millisecond))

	// 1. DynamoDB per request, in process.
	if !cfg.SkipDDB {
		m := &meter{}
		store := ddb.New(newMeteredClient(ddbURL, m), table).WithMeter(m.record)
		deps := &app.Deps{Store: store, PortalURL: env["PORTAL_URL"], Cursors: cursor.New(cursorKey), Unsubscribes: ds.unsubscribes}
		// The handlers log a line per request, as in Lambda; here only warnings matter.
		defer slog.SetDefault(slog.Default())
		slog.SetDefault(slog.New(slog.NewJSONHandler(cfg.FunctionLog, &slog.HandlerOptions{Level: slog.LevelWarn})))
		for _, sc := range scs {
			def := active[sc.Function]
			if def == nil {
				continue
			}
			r, err := runInProcess(ctx, def, sc, ds, deps, m, seedClient, cfg.Samples)
			if err != nil {
				return nil, err
			}
			progress("in process  %-48s %s; %.2f units (AWS rules %.2f)", sc.Name(), patternsText(r.Patterns), r.Units, r.UnitsAWS)
			rep.DDB = append(rep.DDB, r)
		}
	}

	// 2. Through the gateway, over HTTP.
	if !cfg.SkipGateway {
		gw, err := gateway.New(gwOpts)
		if err != nil {
			return nil, err
		}
		defer gw.Close()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		go gw.Serve(ln)
		base := "http://" + ln.Addr().String()
		client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
			MaxIdleConns: 2 * cfg.Concurrency, MaxIdleConnsPerHost: 2 * cfg.Concurrency, IdleConnTimeout: 30 * time.Second}}
		defer client.CloseIdleConnections()
		for _, sc := range scs {
			def := active[sc.Function]
			if def == nil || !sc.Gateway {
				continue
			}
			total := cfg.Requests + cfg.Concurrency
			own, err := ds.take(sc.members(total))
			if err != nil {
				return nil, err
			}
			reqs, err := sc.prepare(ctx, ds, own, total)
			if err != nil {
				return nil, fmt.Errorf("%s: preparing data: %w", sc.Name(), err)
			}
			r, err := runLoad(ctx, gw, client, base, def, sc, reqs, cfg.Concurrency, cfg.Concurrency)
			if err != nil {
				return nil, err
			}
			progress("gateway     %-48s %4.0f req/s, p50 %s, p99 %s, %d errors", sc.Name(), r.RPS(), fmtDur(r.Latency.P50), fmtDur(r.Latency.P99), r.Errors)
			rep.Gateway = append(rep.Gateway, r)
		}
	}

	// 5. The member search on large generated data sets, in tables of their own without
	// a stream (see scratchTables).
	if len(cfg.SearchSizes) > 0 {
		searchTable, plain, drop, err := scratchTables(ctx, cfg, ddbURL, "search-"+time.Now().UTC().Format("150405"))
		if err != nil {
			return nil, err
		}
		rep.Search, err = runSearchScale(ctx, plain, searchTable, cfg.SearchSizes, 4*runtime.NumCPU(), max(cfg.SearchRounds, 1), progress)
		drop()
		if err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// functionEnv is the environment the template gives the functions (merged: the
// values are the same wherever a name appears).
func functionEnv(fns []*gateway.Function) map[string]string {
	env := map[string]string{}
	for _, f := range fns {
		for k, v := range f.Env {
			env[k] = v
		}
	}
	return env
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

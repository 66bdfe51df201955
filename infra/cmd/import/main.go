// Command import loads a JSON Lines file into the table (docs/import.md):
//
//	go run ./infra/cmd/import -endpoint http://127.0.0.1:8000 -table Table data.jsonl
//
// (`make import FILE=data.jsonl` against the stack of `make run`). Without -endpoint it
// uses the AWS configuration of the environment (profile, region). The file is streamed and
// read several times (it must be a regular file, not a pipe). Rejected lines go to
// stderr as "line N: reason", with a progress line about once a second and a summary
// "N imported, M rejected"; the exit status is 1 when a line was rejected, 2 when the
// import could not run.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/gen"
	"etwin/infra/loader"
	"etwin/infra/loader/ddbjson"
	"etwin/infra/loader/progress"
	"etwin/infra/localstack"
	"etwin/shared/ddb"
)

func main() {
	endpoint := flag.String("endpoint", "", "DynamoDB endpoint (local stack: http://127.0.0.1:8000); empty: AWS")
	table := flag.String("table", "Table", "table name (the deployed stack's table on AWS)")
	workers := flag.Int("workers", 0, "parallel writers (default: 4 per CPU)")
	files := flag.String("ddbjson", "", "instead of writing to a table: write the items as DynamoDB JSON files for ImportTable into this new directory (docs/import.md)")
	generate := flag.Int("generate", 0, "instead of importing: write a generated file of N members (and their schools) to stdout")
	full := flag.Bool("full", false, "with -generate: a whole migration file (N/10 schools, N members, N/10 projects, their labels, N/2 activities)")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: import [-endpoint URL] [-table NAME] [-workers N] FILE.jsonl")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *generate > 0 {
		write := gen.WriteJSONL
		if *full {
			write = func(w io.Writer, seed uint64, n int) error { return gen.WriteFile(w, seed, n, gen.FullFile) }
		}
		if err := write(os.Stdout, 1, *generate); err != nil {
			fmt.Fprintln(os.Stderr, "generate:", err)
			os.Exit(2)
		}
		return
	}
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	rep, err := run(ctx, *endpoint, *table, flag.Arg(0), *workers, *files)
	for _, r := range rep.Rejected {
		fmt.Fprintln(os.Stderr, r)
	}
	fmt.Fprintf(os.Stderr, "%d imported, %d rejected (%d created, %d updated, %d unchanged)\n",
		rep.Imported, len(rep.Rejected), rep.Created, rep.Updated, rep.Imported-rep.Created-rep.Updated)
	if err != nil {
		fmt.Fprintln(os.Stderr, "import:", err)
		os.Exit(2)
	}
	if len(rep.Rejected) > 0 {
		os.Exit(1)
	}
}

func run(ctx context.Context, endpoint, table, path string, workers int, files string) (loader.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return loader.Report{}, err
	}
	defer f.Close()
	var store *ddb.Store
	switch {
	case files != "":
		store = ddb.New(nil, table) // (its item builders only: nothing is read or written)
	case endpoint != "":
		store = ddb.New(localstack.NewDynamoClient(endpoint), table)
	default:
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return loader.Report{}, err
		}
		store = ddb.New(ddb.NewClient(cfg), table)
	}
	opt := loader.Options{Workers: workers, Progress: progress.ForFile(os.Stderr)}
	var w *ddbjson.Writer
	if files != "" {
		if w, err = ddbjson.NewWriter(files); err != nil {
			return loader.Report{}, err
		}
		opt.Sink = ddbjsonSink{w}
	}
	start := time.Now()
	rep, err := loader.Load(ctx, store, f, opt)
	opt.Progress.Finish()
	if w != nil {
		if cerr := w.Close(); err == nil {
			err = cerr
		}
	}
	mode := "line by line (a table in use)"
	if rep.Bulk {
		mode = "bulk (a new table)"
		if files != "" {
			mode = "bulk, into " + files
		}
	}
	fmt.Fprintf(os.Stderr, "took %s, %s\n", time.Since(start).Round(time.Millisecond), mode)
	return rep, err
}

// ddbjsonSink hands the bulk path's items to the files.
type ddbjsonSink struct{ w *ddbjson.Writer }

func (s ddbjsonSink) Put(_ context.Context, items []map[string]types.AttributeValue) error {
	return s.w.Put(items...)
}

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
	"os"
	"os/signal"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"etwin/infra/gen"
	"etwin/infra/loader"
	"etwin/infra/localstack"
	"etwin/shared/ddb"
)

func main() {
	endpoint := flag.String("endpoint", "", "DynamoDB endpoint (local stack: http://127.0.0.1:8000); empty: AWS")
	table := flag.String("table", "Table", "table name (the deployed stack's table on AWS)")
	workers := flag.Int("workers", 0, "parallel writers (default: 4 per CPU)")
	generate := flag.Int("generate", 0, "instead of importing: write a generated file of N members (and their schools) to stdout")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: import [-endpoint URL] [-table NAME] [-workers N] FILE.jsonl")
		flag.PrintDefaults()
	}
	flag.Parse()
	if *generate > 0 {
		if err := gen.WriteJSONL(os.Stdout, 1, *generate); err != nil {
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
	rep, err := run(ctx, *endpoint, *table, flag.Arg(0), *workers)
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

func run(ctx context.Context, endpoint, table, path string, workers int) (loader.Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return loader.Report{}, err
	}
	defer f.Close()
	var store *ddb.Store
	if endpoint != "" {
		store = ddb.New(localstack.NewDynamoClient(endpoint), table)
	} else {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			return loader.Report{}, err
		}
		store = ddb.New(ddb.NewClient(cfg), table)
	}
	start := time.Now()
	rep, err := loader.Load(ctx, store, f, loader.Options{Workers: workers, Progress: os.Stderr})
	fmt.Fprintf(os.Stderr, "took %s\n", time.Since(start).Round(time.Millisecond))
	return rep, err
}

// Command bench-import measures the bulk import (docs/benchmarks-import.md, `make bench`):
// it generates a migration file, starts its own DynamoDB Local (in memory, or with its
// data in a folder such as a tmpfs), measures raw batch writes, imports the file into a
// new table counting every write per partition key, imports it again, and (with -check)
// compares the tables of runs killed at random and run again with an uninterrupted one.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"etwin/infra/bench"
	"etwin/infra/localstack"
)

func main() {
	root, err := localstack.FindRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-import:", err)
		os.Exit(1)
	}
	members := flag.Int("members", 100000, "teachers of the generated file (schools: a tenth)")
	check := flag.Int("check", 20000, "teachers of the file the kill-and-resume check runs on (0: skip)")
	data := flag.String("data", "", "DynamoDB Local's data folder (-dbPath, e.g. /dev/shm/etwin-bench on tmpfs); empty: in memory")
	workers := flag.Int("workers", 4*runtime.NumCPU(), "parallel writers")
	raw := flag.Int("raw", 200000, "items of the raw batch-write baseline")
	out := flag.String("out", filepath.Join(root, "docs", "benchmarks-import.md"), "markdown report (- for stdout only)")
	appendTo := flag.Bool("append", false, "append the report to -out instead of replacing it")
	reimport := flag.Bool("reimport", true, "also import the file a second time")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *data != "" {
		os.RemoveAll(*data) // a fresh DynamoDB Local
		defer os.RemoveAll(*data)
	}
	start := time.Now()
	rep, err := bench.RunImport(ctx, bench.ImportConfig{Root: root, Template: filepath.Join(root, "template.yaml"),
		Members: *members, CheckMembers: *check, DataDir: *data, Workers: *workers, RawItems: *raw, Reimport: *reimport, Progress: os.Stderr})
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-import:", err)
		os.Exit(1)
	}
	command := "go run ./infra/cmd/bench-import " + strings.Join(os.Args[1:], " ")
	rep = fmt.Sprintf("%s\n_Measured on %s with `%s` (%s in all)._\n", rep, time.Now().UTC().Format("2006-01-02"), command, time.Since(start).Round(time.Second))
	fmt.Print(rep)
	if *out == "-" {
		return
	}
	flags := os.O_CREATE | os.O_WRONLY | os.O_TRUNC
	if *appendTo {
		flags = os.O_CREATE | os.O_WRONLY | os.O_APPEND
	}
	f, err := os.OpenFile(*out, flags, 0o644)
	if err == nil {
		if !*appendTo {
			_, err = f.WriteString("# Bulk import benchmarks\n\nWritten by `make bench` (infra/cmd/bench-import); see docs/import.md for the design.\n\n")
		} else {
			_, err = f.WriteString("\n")
		}
		if err == nil {
			_, err = f.WriteString(rep)
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench-import:", err)
		os.Exit(1)
	}
}

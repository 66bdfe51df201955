package bench

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"

	"etwin/infra/gen"
	"etwin/infra/loader"
	"etwin/infra/loader/ddbjson"
	"etwin/infra/loader/progress"
	"etwin/infra/localstack"
	"etwin/shared/ddb"
	"etwin/shared/stats"
)

// ImportConfig is the bulk-import benchmark (issue 12, docs/benchmarks-import.md).
type ImportConfig struct {
	Root, Template string
	Members        int    // teachers of the generated file (schools: a tenth)
	CheckMembers   int    // teachers of the smaller file the kill-and-resume check runs on (0: skip)
	DataDir        string // DynamoDB Local's data folder (-dbPath, e.g. on tmpfs); "": in memory
	Workers        int
	RawItems       int  // items of the raw batch-write baseline
	Reimport       bool // also import the file a second time
	Progress       io.Writer
}

// writeCounter counts the writes a client sends: per partition key (table and GSIs), per
// item kind, per operation. Keys are counted by a hash (tens of bytes a key, whatever the
// key); a key's name is kept once it reaches nameFrom writes.
type writeCounter struct {
	mu       sync.Mutex
	seed     maphash.Seed
	perKey   map[uint64]int64
	names    map[uint64]string
	byKind   map[string]int64
	ops      map[string]int64
	items    atomic.Int64
	nameFrom int64
}

func newWriteCounter() *writeCounter {
	return &writeCounter{seed: maphash.MakeSeed(), perKey: map[uint64]int64{}, names: map[uint64]string{},
		byKind: map[string]int64{}, ops: map[string]int64{}, nameFrom: 1000}
}

func (c *writeCounter) key(name string) {
	h := maphash.String(c.seed, name)
	c.perKey[h]++
	if c.perKey[h] == c.nameFrom {
		c.names[h] = name
	}
}

func sOf(m map[string]types.AttributeValue, k string) string {
	if v, ok := m[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// item counts one written item (or key).
func (c *writeCounter) item(it map[string]types.AttributeValue) {
	c.items.Add(1)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.key(sOf(it, "PK"))
	for _, ix := range []string{"GSI1", "GSI2"} {
		if g := sOf(it, ix+"PK"); g != "" {
			c.key(ix + " " + g)
		}
	}
	kind := sOf(it, "kind")
	if kind == "" {
		kind = "(update/delete)"
	}
	c.byKind[kind]++
}

func (c *writeCounter) op(name string) {
	c.mu.Lock()
	c.ops[name]++
	c.mu.Unlock()
}

// install counts the client's writes (and calls), and fails every call after killAfter
// calls when killAfter > 0 (a run killed at that point).
func (c *writeCounter) install(o *dynamodb.Options, killAfter int64, calls *atomic.Int64) {
	o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
		return st.Initialize.Add(middleware.InitializeMiddlewareFunc("count", func(ctx context.Context, in middleware.InitializeInput,
			next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if n := calls.Add(1); killAfter > 0 && n > killAfter {
				return middleware.InitializeOutput{}, middleware.Metadata{}, errKilledRun
			}
			c.op(awsmiddleware.GetOperationName(ctx))
			switch v := in.Parameters.(type) {
			case *dynamodb.BatchWriteItemInput:
				for _, reqs := range v.RequestItems {
					for _, r := range reqs {
						if r.PutRequest != nil {
							c.item(r.PutRequest.Item)
						} else if r.DeleteRequest != nil {
							c.item(r.DeleteRequest.Key)
						}
					}
				}
			case *dynamodb.TransactWriteItemsInput:
				for _, t := range v.TransactItems {
					switch {
					case t.Put != nil:
						c.item(t.Put.Item)
					case t.Update != nil:
						c.item(t.Update.Key)
					case t.Delete != nil:
						c.item(t.Delete.Key)
					}
				}
			case *dynamodb.PutItemInput:
				c.item(v.Item)
			case *dynamodb.UpdateItemInput:
				c.item(v.Key)
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.Before)
	})
}

var errKilledRun = errors.New("bench: the import was killed here")

// hot are the keys with the most writes, most first.
func (c *writeCounter) hot(n int) []keyCount {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []keyCount
	for h, name := range c.names {
		out = append(out, keyCount{Key: name, Writes: c.perKey[h]})
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Writes > out[j].Writes || out[i].Writes == out[j].Writes && out[i].Key < out[j].Key
	})
	return out[:min(n, len(out))]
}

type keyCount struct {
	Key    string
	Writes int64
}

// importRun is one import measured.
type importRun struct {
	Seconds  float64
	Report   loader.Report
	Items    int64
	ByKind   map[string]int64
	Ops      map[string]int64
	Hot      []keyCount
	Keys     int
	HeapPeak uint64 // the Go heap in use, sampled
	Calls    int64
}

// runImport imports path into table with a counting client (killAfter > 0: killed after
// that many calls).
func runImport(ctx context.Context, url, table, path string, workers int, killAfter int64, progressTo io.Writer) (importRun, error) {
	c := newWriteCounter()
	var calls atomic.Int64
	client := dynamodb.New(localstack.NewDynamoClient(url).Options(), func(o *dynamodb.Options) { c.install(o, killAfter, &calls) })
	f, err := os.Open(path)
	if err != nil {
		return importRun{}, err
	}
	defer f.Close()
	runtime.GC()
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	var prog *progress.Reporter
	if progressTo != nil {
		prog = progress.New(progressTo, false)
	}
	rep, err := loader.Load(ctx, ddb.New(client, table), f, loader.Options{Workers: workers, Progress: prog})
	prog.Finish()
	secs := time.Since(start).Seconds()
	close(stop)
	<-sampled
	run := importRun{Seconds: secs, Report: rep, Items: c.items.Load(), ByKind: c.byKind, Ops: c.ops, Hot: c.hot(12),
		Keys: len(c.perKey), HeapPeak: peak.Load(), Calls: calls.Load()}
	return run, err
}

// rawBatchWrite is the baseline: n items of about size bytes, spread over keys, written
// with plain BatchWriteItem by workers in parallel, in items a second.
func rawBatchWrite(ctx context.Context, client *dynamodb.Client, table string, n, size, workers int) (float64, error) {
	pad := strings.Repeat("x", size)
	batches := make(chan int)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range batches {
				var reqs []types.WriteRequest
				for j := 0; j < 25; j++ {
					id := fmt.Sprintf("raw-%09d", b*25+j)
					reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
						"PK": &types.AttributeValueMemberS{Value: "RAW#" + id}, "SK": &types.AttributeValueMemberS{Value: "X"},
						"pad": &types.AttributeValueMemberS{Value: pad}}}})
				}
				in := map[string][]types.WriteRequest{table: reqs}
				for len(in) > 0 {
					out, err := client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: in})
					if err != nil {
						errs <- err
						return
					}
					in = out.UnprocessedItems
				}
			}
		}()
	}
	for b := 0; b < n/25; b++ {
		batches <- b
	}
	close(batches)
	wg.Wait()
	select {
	case err := <-errs:
		return 0, err
	default:
	}
	return float64(n/25*25) / time.Since(start).Seconds(), nil
}

// tableDigest is an order-free digest of every item of table (a parallel Scan; sets
// sorted), and the number of items.
func tableDigest(ctx context.Context, client *dynamodb.Client, table string) (string, int64, error) {
	const segments = 4
	var mu sync.Mutex
	var sum [32]byte
	var count int64
	errs := make([]error, segments)
	var wg sync.WaitGroup
	for seg := range segments {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{TableName: aws.String(table), Segment: aws.Int32(int32(seg)),
				TotalSegments: aws.Int32(segments)})
			for p.HasMorePages() {
				out, err := p.NextPage(ctx)
				if err != nil {
					errs[seg] = err
					return
				}
				for _, it := range out.Items {
					line, err := ddbjson.Line(sortedSets(it))
					if err != nil {
						errs[seg] = err
						return
					}
					h := sha256.Sum256(line)
					mu.Lock()
					for i := 0; i < 32; i += 8 { // a sum of the items' hashes: any order gives the same
						binary.LittleEndian.PutUint64(sum[i:], binary.LittleEndian.Uint64(sum[i:])+binary.LittleEndian.Uint64(h[i:]))
					}
					count++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return fmt.Sprintf("%x", sum[:8]), count, errors.Join(errs...)
}

func sortedSets(m map[string]types.AttributeValue) map[string]types.AttributeValue {
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		out[k] = sortedSet(v)
	}
	return out
}

func sortedSet(v types.AttributeValue) types.AttributeValue {
	switch t := v.(type) {
	case *types.AttributeValueMemberSS:
		s := append([]string{}, t.Value...)
		sort.Strings(s)
		return &types.AttributeValueMemberSS{Value: s}
	case *types.AttributeValueMemberNS:
		s := append([]string{}, t.Value...)
		sort.Strings(s)
		return &types.AttributeValueMemberNS{Value: s}
	case *types.AttributeValueMemberM:
		return &types.AttributeValueMemberM{Value: sortedSets(t.Value)}
	case *types.AttributeValueMemberL:
		l := make([]types.AttributeValue, len(t.Value))
		for i, x := range t.Value {
			l[i] = sortedSet(x)
		}
		return &types.AttributeValueMemberL{Value: l}
	}
	return v
}

// importFile writes the generated migration file of members teachers into dir.
func importFile(dir string, members int) (path string, lines int, bytes int64, secs float64, err error) {
	path = filepath.Join(dir, fmt.Sprintf("import-%d.jsonl", members))
	f, err := os.Create(path)
	if err != nil {
		return "", 0, 0, 0, err
	}
	defer f.Close()
	start := time.Now()
	cw := &lineCounter{w: f}
	bw := bufio.NewWriterSize(cw, 1<<20)
	if err := gen.WriteFile(bw, 1, members, gen.FileOptions{Projects: true, Labels: true, Activities: true}); err != nil {
		return "", 0, 0, 0, err
	}
	if err := bw.Flush(); err != nil {
		return "", 0, 0, 0, err
	}
	return path, cw.lines, cw.n, time.Since(start).Seconds(), nil
}

type lineCounter struct {
	w     io.Writer
	n     int64
	lines int
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	for _, b := range p {
		if b == '\n' {
			c.lines++
		}
	}
	return c.w.Write(p)
}

// vmHWM is the process's peak resident memory (Linux), in bytes; 0 when unknown.
func vmHWM(pid string) uint64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			var kb uint64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmHWM:")), "%d", &kb)
			return kb << 10
		}
	}
	return 0
}

// RunImport runs the import benchmark and returns its report (markdown).
func RunImport(ctx context.Context, cfg ImportConfig) (string, error) {
	logf := func(format string, args ...any) {
		if cfg.Progress != nil {
			fmt.Fprintf(cfg.Progress, "bench-import: "+format+"\n", args...)
		}
	}
	tmp, err := os.MkdirTemp("", "bench-import-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	logf("generating %d teachers", cfg.Members)
	path, lines, size, genSecs, err := importFile(tmp, cfg.Members)
	if err != nil {
		return "", err
	}
	svc, err := localstack.StartDynamo(ctx, localstack.Options{Root: cfg.Root, DataDir: cfg.DataDir, InMemory: cfg.DataDir == "",
		JavaOptions: []string{"-XX:+UseParallelGC"}})
	if err != nil {
		return "", err
	}
	defer svc.Stop()
	bcfg := Config{Template: cfg.Template}
	rawTable, plain, dropRaw, err := scratchTables(ctx, bcfg, svc.URL, "raw")
	if err != nil {
		return "", err
	}
	logf("raw batch writes: %d items", cfg.RawItems)
	raw, err := rawBatchWrite(ctx, plain, rawTable, cfg.RawItems, 300, cfg.Workers)
	dropRaw()
	if err != nil {
		return "", err
	}
	table, _, _, err := scratchTables(ctx, bcfg, svc.URL, "import")
	if err != nil {
		return "", err
	}
	logf("importing %s (%d lines) into a new table", path, lines)
	defer logf("done")
	first, err := runImport(ctx, svc.URL, table, path, cfg.Workers, 0, cfg.Progress)
	if err != nil {
		return "", err
	}
	javaPeak := vmHWM(fmt.Sprint(svc.Pid()))
	selfPeak := vmHWM("self")
	store := ddb.New(localstack.NewDynamoClient(svc.URL), table)
	all, err := store.GetStats(ctx, stats.All)
	if err != nil {
		return "", err
	}
	var second importRun
	if cfg.Reimport {
		logf("re-importing the same file")
		if second, err = runImport(ctx, svc.URL, table, path, cfg.Workers, 0, cfg.Progress); err != nil {
			return "", err
		}
	}

	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	members := float64(cfg.Members)
	itemsPerSec := float64(first.Items) / first.Seconds
	w("## A bulk import of %s teachers and %s schools", thousands(cfg.Members), thousands(cfg.Members/10))
	w("")
	where := "in memory (`-inMemory`)"
	if cfg.DataDir != "" {
		where = "with its data in `" + cfg.DataDir + "` (`-dbPath`)"
	}
	w("DynamoDB Local %s, `-XX:+UseParallelGC`, the template's table without its stream (DynamoDB Local appends a stream record to every write, about 40%% of its write rate here; AWS bills neither its writes nor its reads against the table's capacity), %d workers, this 2-core machine, the importer in the benchmark's process.", where, cfg.Workers)
	w("")
	w("The generated file: %s lines, %.0f MB (%s teachers, %s schools, projects, labels and activities; no passwords), written in %.1f s.",
		thousands(lines), float64(size)/1e6, thousands(cfg.Members), thousands(cfg.Members/10), genSecs)
	w("")
	row := func(label, first, again string) { // (the re-import's column only when it ran)
		if cfg.Reimport {
			w("| %s | %s | %s |", label, first, again)
		} else {
			w("| %s | %s |", label, first)
		}
	}
	row("", "first import (a new table: bulk path)", "re-import of the same file (compared; written line by line where it differs)")
	row("---", "---", "---")
	row("time", fmt.Sprintf("%.0f s", first.Seconds), fmt.Sprintf("%.0f s", second.Seconds))
	row("teachers/s", fmt.Sprintf("%.0f", members/first.Seconds), fmt.Sprintf("%.0f", members/second.Seconds))
	row("items written", thousands(int(first.Items)), thousands(int(second.Items)))
	row("items written/s", fmt.Sprintf("%.0f", itemsPerSec), fmt.Sprintf("%.0f", float64(second.Items)/second.Seconds))
	counted := func(r loader.Report) string {
		return fmt.Sprintf("%s / %s / %s", thousands(r.Created), thousands(r.Updated), thousands(r.Imported-r.Created-r.Updated))
	}
	row("lines created / updated / unchanged", counted(first.Report), counted(second.Report))
	row("rejected lines", fmt.Sprint(len(first.Report.Rejected)), fmt.Sprint(len(second.Report.Rejected)))
	row("DynamoDB calls", opsLine(first.Ops), opsLine(second.Ops))
	row("importer's Go heap, peak", fmt.Sprintf("%.0f MB", float64(first.HeapPeak)/1e6), fmt.Sprintf("%.0f MB", float64(second.HeapPeak)/1e6))
	w("")
	w("- **Raw batch-write throughput** in the same DynamoDB Local, same workers, 300-byte items: **%.0f items/s**. The import's ratio to it: **%.2f** (items written per second, first import).", raw, itemsPerSec/raw)
	w("- Statistics after the import (GET /v1/stats, Europe-wide): %s teachers, %s schools, %s active projects.", thousands(int(all.Teachers)), thousands(int(all.Schools)), thousands(int(all.ActiveProjects)))
	w("- Peak resident memory: the benchmark process (importer and its counters) %.0f MB; DynamoDB Local %.0f MB.", float64(selfPeak)/1e6, float64(javaPeak)/1e6)
	w("- The per-key counters take part of the importer's heap: %s distinct partition keys counted.", thousands(first.Keys))
	w("")
	w("Items written per teacher (the first import, by kind):")
	w("")
	w("| kind | items | per teacher |")
	w("|---|---|---|")
	kinds := make([]string, 0, len(first.ByKind))
	for k := range first.ByKind {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return first.ByKind[kinds[i]] > first.ByKind[kinds[j]] })
	for _, k := range kinds {
		w("| %s | %s | %.2f |", k, thousands(int(first.ByKind[k])), float64(first.ByKind[k])/members)
	}
	perTeacher := float64(first.ByKind["member"]+first.ByKind["email"]+first.ByKind["username"]+first.ByKind["schoolMember"]+first.ByKind["memberIndex"]) / members
	w("")
	w("A teacher's own items (member, e-mail and username guards, school links, name-word entries): **%.2f per teacher**; all items of the file: %.2f per teacher.", perTeacher, float64(first.Items)/members)
	w("")
	w("The hottest partition keys of the first import (table keys, and `GSI1 <key>`, `GSI2 <key>` for the GSIs), and what each would take at 10,000 teachers/s (AWS: at most 1,000 write units a second per partition):")
	w("")
	w("| partition key | writes | at 10,000 teachers/s |")
	w("|---|---|---|")
	for _, k := range first.Hot {
		rate := float64(k.Writes) / members * 10000
		w("| `%s` | %s | %.0f/s |", k.Key, thousands(int(k.Writes)), rate)
	}

	if cfg.CheckMembers > 0 {
		logf("kill and resume: %d teachers", cfg.CheckMembers)
		if err := killCheck(ctx, &b, cfg, bcfg, svc.URL, tmp); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

func opsLine(ops map[string]int64) string {
	names := make([]string, 0, len(ops))
	for k := range ops {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return ops[names[i]] > ops[names[j]] })
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %s", n, thousands(int(ops[n]))))
	}
	return strings.Join(parts, ", ")
}

// killCheck imports a smaller file into a table uninterrupted, and into other tables
// killed at a random call and run again, and compares the tables; then re-imports it and
// compares again.
func killCheck(ctx context.Context, b *strings.Builder, cfg ImportConfig, bcfg Config, url, tmp string) error {
	w := func(format string, args ...any) { fmt.Fprintf(b, format+"\n", args...) }
	path, lines, _, _, err := importFile(tmp, cfg.CheckMembers)
	if err != nil {
		return err
	}
	clean, plain, dropClean, err := scratchTables(ctx, bcfg, url, "clean")
	if err != nil {
		return err
	}
	defer dropClean()
	run, err := runImport(ctx, url, clean, path, cfg.Workers, 0, nil)
	if err != nil {
		return err
	}
	want, count, err := tableDigest(ctx, plain, clean)
	if err != nil {
		return err
	}
	again, err := runImport(ctx, url, clean, path, cfg.Workers, 0, nil)
	if err != nil {
		return err
	}
	after, _, err := tableDigest(ctx, plain, clean)
	if err != nil {
		return err
	}
	w("")
	w("### Killed and run again, re-imported: the tables compared (%s teachers, %s lines)", thousands(cfg.CheckMembers), thousands(lines))
	w("")
	w("An uninterrupted import wrote %s items in %.1f s (%s calls); its table: %s items, digest `%s` (a sum of the items' SHA-256, sets sorted).", thousands(int(run.Items)), run.Seconds, thousands(int(run.Calls)), thousands(int(count)), want)
	w("")
	w("| run | result |")
	w("|---|---|")
	w("| re-import of the same file | %.1f s (first: %.1f s), digest `%s`: %s |", again.Seconds, run.Seconds, after, sameOrNot(after == want))
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 12))
	for i := range 3 {
		after := int64(float64(run.Calls) * (0.1 + 0.8*r.Float64()))
		table, _, drop, err := scratchTables(ctx, bcfg, url, fmt.Sprintf("kill%d", i))
		if err != nil {
			return err
		}
		if _, err := runImport(ctx, url, table, path, cfg.Workers, after, nil); !errors.Is(err, errKilledRun) {
			drop()
			return fmt.Errorf("kill after %d calls: the run ended with %v", after, err)
		}
		resumed, err := runImport(ctx, url, table, path, cfg.Workers, 0, nil)
		if err != nil {
			drop()
			return err
		}
		got, n, err := tableDigest(ctx, plain, table)
		drop()
		if err != nil {
			return err
		}
		w("| killed after call %s of %s, run again (%.1f s) | %s items, digest `%s`: %s |", thousands(int(after)), thousands(int(run.Calls)), resumed.Seconds, thousands(int(n)), got, sameOrNot(got == want))
	}
	return nil
}

func sameOrNot(ok bool) string {
	if ok {
		return "**identical** to the uninterrupted import's table"
	}
	return "**DIFFERS** from the uninterrupted import's table"
}

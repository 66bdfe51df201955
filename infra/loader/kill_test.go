package loader_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"

	"etwin/infra/gen"
	"etwin/infra/loader"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/stats"
)

var errKilled = errors.New("killed")

// killer is a client of the test stack's DynamoDB that lets the first after calls through
// and fails every later one before it is sent: the import process killed after its
// after-th request (after < 0: never). It records the operations it let through.
type killer struct {
	after int64
	calls atomic.Int64
	mu    sync.Mutex
	ops   []string
}

func (k *killer) store(table string) *ddb.Store {
	c := dynamodb.New(testenv.DDB().Options(), func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Initialize.Add(middleware.InitializeMiddlewareFunc("kill", func(ctx context.Context, in middleware.InitializeInput,
				next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if n := k.calls.Add(1); k.after >= 0 && n > k.after {
					return middleware.InitializeOutput{}, middleware.Metadata{}, errKilled
				}
				k.mu.Lock()
				k.ops = append(k.ops, awsmiddleware.GetOperationName(ctx))
				k.mu.Unlock()
				return next.HandleInitialize(ctx, in)
			}), middleware.Before)
		})
	})
	return ddb.New(c, table)
}

// killFile is every line type, with partners, a project awaiting its NSOs, labels and
// activities, and enough members for several batches and transactions.
var killFile = file + `{"type":"school","id":"s-de-1","name":"Goethe-Gymnasium","country":"DE","city":"Köln","schoolType":"upper_secondary","registeredAt":"2020-05-01T00:00:00Z"}
{"type":"member","id":"m-4","username":"jonas.weiss","email":"jonas@example.de","firstName":"Jonas","lastName":"Weiß","language":"de","schoolIds":["s-de-1"],"registeredAt":"2022-02-01T00:00:00Z"}
{"type":"member","id":"m-5","username":"lena.krueger","email":"lena@example.de","firstName":"Lena","lastName":"Krüger","language":"de","schoolIds":["s-de-1","s-fr-1"],"registeredAt":"2022-02-01T00:00:00Z","profile":{"role":"head_teacher","subjects":["history"],"ageGroups":["16-19"],"projectExperience":"none","interests":["citizenship"],"languages":["de","fr"]}}
{"type":"project","id":"p-3","title":"Rivers","founders":["m-4","m-9"],"partners":["m-5","m-3"],"ageRange":{"min":12,"max":15},"status":"awaiting_nso","createdAt":"2025-09-01T00:00:00Z"}
{"type":"project","id":"p-4","title":"Castles","founders":["m-5","m-1"],"partners":["m-4"],"status":"approved","approvedAt":"2025-01-10T00:00:00Z"}
{"type":"label","projectId":"p-4","kind":"european","schoolId":"s-de-1","awardedAt":"2025-09-15T00:00:00Z"}
{"type":"activity","memberId":"m-5","kind":"project","at":"2025-03-01T10:00:00.123456789Z"}
{"type":"activity","memberId":"m-4","kind":"other","at":"2025-04-01T00:00:00Z","schoolId":"s-de-1"}
`

// state is everything the import wrote: every item (password hashes, salted at random,
// masked; the sharded counters left out) and the statistics the API reads.
func state(t *testing.T, table string, store *ddb.Store) ([]string, map[string]stats.Counts) {
	t.Helper()
	var items []string
	for _, it := range dump(t, table) {
		items = append(items, hashes.ReplaceAllString(it, "passwordHash:<hash>"))
	}
	byScope := map[string]stats.Counts{}
	for _, scope := range []string{stats.All, "RO", "FR", "DE"} {
		byScope[scope] = counts(t, store, scope)
	}
	return items, byScope
}

// An import killed part way (after any request, in any window between a transaction and
// the batch writes that follow it) and run again to the end leaves exactly the state of a
// clean single run: members with their search entries and school links, schools and
// their name index, projects with their partners and queue entries, labels, activities
// and their summaries, and the statistics. Importing the file once more changes nothing
// and reports nothing created or updated.
//
// Both paths: into a new table (the bulk path's plain puts, the counters and summaries
// written once, then the index pass with its checkpoint) and into a table in use (the
// line-by-line path's transactions).
func TestKilledImportRunAgain(t *testing.T) {
	t.Run("into a new table", func(t *testing.T) { killedImportRunAgain(t, "") })
	t.Run("into a table in use", func(t *testing.T) { killedImportRunAgain(t, seedFile) })
}

// seedFile makes a table in use: a school and a teacher imported before.
const seedFile = `{"type":"school","id":"s-seed","name":"Școala Veche","country":"RO","city":"Arad","schoolType":"primary","registeredAt":"2019-03-01T00:00:00Z"}
{"type":"member","id":"m-seed","username":"seed.one","email":"seed@example.org","firstName":"Sorin","lastName":"Seed","language":"ro","schoolIds":["s-seed"],"registeredAt":"2019-03-02T00:00:00Z"}
`

func killedImportRunAgain(t *testing.T, seed string) {
	opt := loader.Options{Workers: 1, Batch: 3, Now: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)}
	run := func(store *ddb.Store) (loader.Report, error) {
		return loader.Load(context.Background(), store, strings.NewReader(killFile), opt)
	}
	newTable := func() string {
		table := testenv.NewTable(t)
		if seed != "" {
			if rep, err := loader.Load(context.Background(), ddb.New(testenv.DDB(), table), strings.NewReader(seed), opt); err != nil || len(rep.Rejected) != 0 {
				t.Fatalf("seed: %+v %v", rep, err)
			}
		}
		return table
	}
	table := newTable()
	clean := &killer{after: -1}
	rep0, err := run(clean.store(table))
	if err != nil || len(rep0.Rejected) != 0 || rep0.Created == 0 || rep0.Bulk != (seed == "") {
		t.Fatalf("a clean run: %+v %v", rep0, err)
	}
	wantItems, wantCounts := state(t, table, ddb.New(testenv.DDB(), table))
	// A re-import changes nothing and says so.
	if rep, err := run(ddb.New(testenv.DDB(), table)); err != nil || len(rep.Rejected) != 0 || rep.Created != 0 || rep.Updated != 0 || rep.Imported != rep0.Imported {
		t.Fatalf("a re-import: %+v %v", rep, err)
	}
	if items, counts := state(t, table, ddb.New(testenv.DDB(), table)); !reflect.DeepEqual(items, wantItems) || !reflect.DeepEqual(counts, wantCounts) {
		t.Fatalf("a re-import changed the state:\n%s%v, was %v", diff(wantItems, items), counts, wantCounts)
	}

	// Kill it in each window between writes that belong together (a transaction and the
	// batch writes that follow it, two batches of one chunk, an activity and its
	// summaries), before its first request and a third of the way through.
	cuts := []int64{0, int64(len(clean.ops)) / 3}
	for i := 1; i < len(clean.ops); i++ {
		prev, op := clean.ops[i-1], clean.ops[i]
		if (prev == "TransactWriteItems" || prev == "BatchWriteItem" || prev == "PutItem") &&
			(op == "BatchWriteItem" || op == "UpdateItem") {
			cuts = append(cuts, int64(i))
		}
	}
	if len(cuts) < 10 {
		t.Fatalf("only %d places to kill the import: %v", len(cuts), clean.ops)
	}
	lines := len(strings.Split(strings.TrimSpace(killFile), "\n"))
	var wg sync.WaitGroup
	next := atomic.Int64{}
	for range 4 { // cuts in parallel, each on its own table
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(cuts); i = int(next.Add(1) - 1) {
				after := cuts[i]
				what := fmt.Sprintf("killed after request %d (%s)", after, clean.ops[max(after-1, 0)])
				table := newTable()
				if _, err := run((&killer{after: after}).store(table)); !errors.Is(err, errKilled) {
					t.Errorf("%s: the run ended with %v", what, err)
					continue
				}
				store := ddb.New(testenv.DDB(), table)
				if rep, err := run(store); err != nil || len(rep.Rejected) != 0 || rep.Imported != lines {
					t.Errorf("%s, run again: %+v %v", what, rep, err)
					continue
				}
				items, counts := state(t, table, store)
				if !reflect.DeepEqual(counts, wantCounts) {
					t.Errorf("%s, run again: statistics %v, want %v", what, counts, wantCounts)
				}
				if !reflect.DeepEqual(items, wantItems) {
					t.Errorf("%s, run again: the items differ from a clean run's:\n%s", what, diff(wantItems, items))
				}
			}
		}()
	}
	wg.Wait()
}

// diff lists the items only in want (-) and only in got (+).
func diff(want, got []string) string {
	in := func(list []string) map[string]bool {
		m := map[string]bool{}
		for _, s := range list {
			m[s] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, s := range want {
		if !g[s] {
			b.WriteString("- " + s + "\n")
		}
	}
	for _, s := range got {
		if !w[s] {
			b.WriteString("+ " + s + "\n")
		}
	}
	return b.String()
}

// A generated file of many lines is loaded in batches: the load never holds more than
// (Workers+1)×Batch lines, a small part of the file, and stores every line.
func TestLoadHoldsBatchesOnly(t *testing.T) {
	var buf bytes.Buffer
	const teachers = 60
	if err := gen.WriteJSONL(&buf, 7, teachers); err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(buf.String(), "\n")
	schools := strings.Count(buf.String(), `"type":"school"`)
	store := ddb.New(testenv.DDB(), testenv.NewTable(t))
	opt := loader.Options{Workers: 2, Batch: 3}
	rep, err := loader.Load(context.Background(), store, bytes.NewReader(buf.Bytes()), opt)
	if err != nil || len(rep.Rejected) != 0 || rep.Imported != lines || rep.Created != lines {
		t.Fatalf("report %+v %v", rep, err)
	}
	if limit := (opt.Workers + 1) * opt.Batch; rep.PeakLines < 1 || rep.PeakLines > limit || limit*10 > lines {
		t.Fatalf("held up to %d lines of %d (limit %d)", rep.PeakLines, lines, limit)
	}
	if c := counts(t, store, stats.All); c.Teachers != teachers || c.Schools != int64(schools) {
		t.Fatalf("statistics %+v, want %d teachers and %d schools", c, teachers, schools)
	}
}

package loader_test

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/loader"
	"etwin/infra/loader/ddbjson"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/stats"
)

type filesSink struct{ w *ddbjson.Writer }

func (s filesSink) Put(_ context.Context, items []map[string]types.AttributeValue) error {
	return s.w.Put(items...)
}

// The items a bulk import writes as DynamoDB JSON files (for ImportTable), loaded into a
// table, are the items it writes into a new table itself (but for its checkpoint), with
// the same statistics.
func TestImportIntoFilesEqualsIntoTable(t *testing.T) {
	ctx := context.Background()
	opt := loader.Options{Workers: 2, Batch: 3, Now: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)}
	direct := testenv.NewTable(t)
	store := ddb.New(testenv.DDB(), direct)
	rep, err := loader.Load(ctx, store, strings.NewReader(killFile), opt)
	if err != nil || !rep.Bulk || len(rep.Rejected) != 0 {
		t.Fatalf("into the table: %+v %v", rep, err)
	}

	dir := filepath.Join(t.TempDir(), "export")
	w, err := ddbjson.NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	fopt := opt
	fopt.Sink = filesSink{w}
	frep, err := loader.Load(ctx, ddb.New(nil, "unused"), strings.NewReader(killFile), fopt)
	if err != nil || !frep.Bulk || len(frep.Rejected) != 0 || frep.Imported != rep.Imported {
		t.Fatalf("into files: %+v %v", frep, err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	loaded := testenv.NewTable(t)
	if _, err := ddbjson.Load(ctx, testenv.DDB(), loaded, dir, 2); err != nil {
		t.Fatal(err)
	}
	items := func(table string) []string {
		var out []string
		for _, it := range dump(t, table) {
			if !strings.Contains(it, "PK:IMPORTS ") { // the checkpoint: a table's only
				out = append(out, hashes.ReplaceAllString(it, "passwordHash:<hash>"))
			}
		}
		return out
	}
	if want, got := items(direct), items(loaded); !reflect.DeepEqual(want, got) {
		t.Fatalf("the files' items differ from the table's:\n%s", diff(want, got))
	}
	for _, scope := range []string{stats.All, "RO", "FR", "DE"} {
		if want, got := counts(t, store, scope), counts(t, ddb.New(testenv.DDB(), loaded), scope); want != got || want == (stats.Counts{}) && scope == stats.All {
			t.Errorf("%s: statistics %+v from the files, %+v from the table", scope, got, want)
		}
	}
}

// A file with plain passwords for more than MaxPlainPasswords accounts has every one of
// those lines rejected, saying why (argon2id for each would take minutes); the other lines
// are imported.
func TestManyPlainPasswordsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"type":"school","id":"s-pw","name":"Școala Parolelor","country":"RO","city":"Cluj","schoolType":"primary","registeredAt":"2021-03-01T00:00:00Z"}` + "\n")
	n := loader.MaxPlainPasswords + 1
	for i := range n {
		fmt.Fprintf(&b, `{"type":"member","id":"m-pw%d","username":"pw.user%d","email":"pw%d@example.org","password":"local-only-secret","firstName":"P","lastName":"W","language":"ro","schoolIds":["s-pw"],"registeredAt":"2021-03-02T00:00:00Z"}`+"\n", i, i, i)
	}
	b.WriteString(`{"type":"member","id":"m-nopw","username":"no.password","email":"nopw@example.org","firstName":"N","lastName":"P","language":"ro","schoolIds":["s-pw"],"registeredAt":"2021-03-02T00:00:00Z"}` + "\n")
	store := ddb.New(testenv.DDB(), testenv.NewTable(t))
	rep := load(t, store, b.String())
	if len(rep.Rejected) != n || rep.Imported != 2 {
		t.Fatalf("report: %d rejected, %d imported", len(rep.Rejected), rep.Imported)
	}
	for _, r := range rep.Rejected {
		if !strings.Contains(r.Reason, "password: a file may carry plain passwords for at most 1000 accounts") || !strings.Contains(r.Reason, "passwordHash") {
			t.Fatalf("line %d: %s", r.Line, r.Reason)
		}
	}
	if _, found, _ := store.GetMember(context.Background(), "m-pw0"); found {
		t.Fatal("a refused line is stored")
	}
	if m, found, _ := store.GetMember(context.Background(), "m-nopw"); !found || m.PasswordHash != "" {
		t.Fatalf("the member without a password: %v %+v", found, m)
	}
}

// The bulk path is a new table's: a table where another file's bulk import began (even
// one that counted nothing, staff only) takes the next file line by line, so that two
// files' bulk writes (their totals, their summaries) never meet.
func TestSecondFileGoesLineByLine(t *testing.T) {
	store := ddb.New(testenv.DDB(), testenv.NewTable(t))
	staffOnly := `{"type":"staff","id":"css-1","username":"css-one","email":"css@example.org","role":"css"}` + "\n"
	if rep := load(t, store, staffOnly); !rep.Bulk || len(rep.Rejected) != 0 {
		t.Fatalf("the first file: %+v", rep)
	}
	if c := counts(t, store, stats.All); c != (stats.Counts{}) {
		t.Fatalf("staff are not counted: %+v", c)
	}
	if rep := load(t, store, file); rep.Bulk || len(rep.Rejected) != 0 || rep.Created != 11 {
		t.Fatalf("the second file: %+v", rep)
	}
	if want := (stats.Counts{Teachers: 3, Schools: 2, ActiveProjects: 1}); counts(t, store, stats.All) != want {
		t.Fatalf("statistics %+v, want %+v", counts(t, store, stats.All), want)
	}
}

package loader_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/loader"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/password"
	"etwin/shared/stats"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const file = `{"type":"school","id":"s-ro-1","name":"Liceul Teoretic Ion Creangă","country":"RO","city":"Iași","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z"}
{"type":"member","id":"m-1","username":"ana.pop","email":"ana.pop@example.org","password":"local-only-secret","firstName":"Ana","lastName":"Pop","role":"teacher","language":"ro","schoolIds":["s-ro-1"],"registeredAt":"2021-03-02T00:00:00Z"}
{"type":"staff","id":"nso-ro","username":"nso-ro","email":"nso@example.ro","password":"local-only-secret","role":"nso","country":"RO"}
{"type":"project","id":"p-1","title":"Water around us","founders":["m-1","m-9"],"partners":["m-3"],"status":"approved","approvedAt":"2024-10-01T00:00:00Z","closedAt":null}
{"type":"label","projectId":"p-1","kind":"national","schoolId":"s-ro-1","awardedAt":"2025-09-15T00:00:00Z"}
{"type":"label","projectId":"p-1","kind":"european","schoolId":"s-fr-1","awardedAt":"2025-09-15T00:00:00Z"}
{"type":"activity","memberId":"m-1","kind":"professional_development","at":"2025-05-20T00:00:00Z","schoolId":"s-ro-1"}
{"type":"member","id":"m-9","username":"leo.martin","email":"leo@example.fr","firstName":"Léo","lastName":"Martin","language":"fr","schoolIds":["s-fr-1"],"registeredAt":"2022-01-01T00:00:00Z","profile":{"role":"teacher","subjects":["ict"],"ageGroups":["12-15"],"projectExperience":"some","interests":["stem"],"languages":["fr"]}}
{"type":"member","id":"m-3","username":"ion.vasile","email":"ion@example.ro","passwordHash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U","firstName":"Ion","lastName":"Vasile","language":"ro","schoolIds":["s-ro-1","s-fr-1"],"registeredAt":"2022-01-01T00:00:00Z"}
{"type":"school","id":"s-fr-1","name":"Lycée Victor Hugo","country":"FR","city":"Besançon","schoolType":"upper_secondary","registeredAt":"2020-01-01T00:00:00Z"}
{"type":"project","id":"p-2","title":"Old news","founders":["m-1","m-3"],"status":"closed","approvedAt":"2020-10-01T00:00:00Z","closedAt":"2021-06-30T00:00:00Z"}
{"type":"activity","memberId":"m-3","kind":"project","at":"2025-06-01T00:00:00Z"}
{"type":"activity","memberId":"m-1","kind":"other","at":"2024-01-01T00:00:00Z","schoolId":"s-ro-1"}
`

func dump(t *testing.T, table string) []string {
	t.Helper()
	var out []string
	p := dynamodb.NewScanPaginator(testenv.DDB(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			var v map[string]any
			if err := attributevalue.UnmarshalMap(it, &v); err != nil {
				t.Fatal(err)
			}
			if strings.HasPrefix(fmt.Sprint(v["PK"]), "STATS#") {
				continue // shards are random; compared through GetStats
			}
			out = append(out, fmt.Sprintf("%v", v))
		}
	}
	sort.Strings(out)
	return out
}

func load(t *testing.T, store *ddb.Store, text string) loader.Report {
	t.Helper()
	rep, err := loader.Load(context.Background(), store, strings.NewReader(text), loader.Options{Workers: 4, Now: time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// hashes matches a stored password hash in a dump.
var hashes = regexp.MustCompile(`passwordHash:\$argon2id\$[^ \]]*`)

func counts(t *testing.T, store *ddb.Store, scope string) stats.Counts {
	t.Helper()
	c, err := store.GetStats(context.Background(), scope)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Every line type imports; importing the same file again leaves exactly the same items and
// counters. An activity counts in its school's summary (the latest per teacher), or in
// each of the member's schools' when it names none.
func TestImportEveryTypeTwice(t *testing.T) {
	table := testenv.NewTable(t)
	store := ddb.New(testenv.DDB(), table)
	rep := load(t, store, file)
	if rep.Imported != 13 || rep.Created != 11 || len(rep.Rejected) != 0 {
		t.Fatalf("report %+v", rep)
	}
	activity := func() map[string]map[string]time.Time {
		t.Helper()
		out := map[string]map[string]time.Time{}
		for _, sid := range []string{"s-ro-1", "s-fr-1"} {
			sum, _, err := store.SchoolSummary(context.Background(), sid)
			if err != nil {
				t.Fatal(err)
			}
			out[sid] = sum.LastActive
		}
		return out
	}
	day := func(s string) time.Time { t, _ := time.Parse(time.DateOnly, s); return t }
	wantActivity := map[string]map[string]time.Time{
		"s-ro-1": {"m-1": day("2025-05-20"), "m-3": day("2025-06-01")},
		"s-fr-1": {"m-3": day("2025-06-01")},
	}
	if got := activity(); !reflect.DeepEqual(got, wantActivity) {
		t.Fatalf("activity summaries %v, want %v", got, wantActivity)
	}
	if acts, err := store.MemberActivities(context.Background(), "m-1"); err != nil || len(acts) != 2 {
		t.Fatalf("m-1 activities %+v %v", acts, err)
	}
	if want := (stats.Counts{Teachers: 3, Schools: 2, ActiveProjects: 1}); counts(t, store, stats.All) != want {
		t.Fatalf("Europe-wide %+v, want %+v", counts(t, store, stats.All), want)
	}
	if want := (stats.Counts{Teachers: 2, Schools: 1, ActiveProjects: 1}); counts(t, store, "RO") != want {
		t.Fatalf("RO %+v", counts(t, store, "RO"))
	}
	if want := (stats.Counts{Teachers: 1, Schools: 1, ActiveProjects: 1}); counts(t, store, "FR") != want {
		t.Fatalf("FR %+v", counts(t, store, "FR"))
	}
	ana, found, err := store.MemberByUsername(context.Background(), "Ana.Pop")
	if err != nil || !found {
		t.Fatalf("ana: %v %v", found, err)
	}
	if ok, _ := password.Verify("local-only-secret", ana.PasswordHash); !ok || ana.Country != "RO" {
		t.Fatalf("ana %+v", ana)
	}
	before := dump(t, table)

	rep = load(t, store, file)
	if rep.Imported != 13 || rep.Created != 0 || rep.Updated != 0 || len(rep.Rejected) != 0 {
		t.Fatalf("second report %+v", rep)
	}
	if got := activity(); !reflect.DeepEqual(got, wantActivity) {
		t.Fatalf("activity summaries after a re-import %v", got)
	}
	if after := dump(t, table); !reflect.DeepEqual(before, after) {
		t.Fatalf("state changed by a re-import:\nbefore %d items, after %d", len(before), len(after))
	}
	if want := (stats.Counts{Teachers: 3, Schools: 2, ActiveProjects: 1}); counts(t, store, stats.All) != want {
		t.Fatalf("Europe-wide after a re-import %+v", counts(t, store, stats.All))
	}

	// A changed line updates in place; closing the project takes it out of the counters.
	changed := strings.Replace(file, `"closedAt":null`, `"closedAt":"2025-01-01T00:00:00Z"`, 1)
	changed = strings.Replace(changed, `"firstName":"Ana"`, `"firstName":"Anca"`, 1)
	rep = load(t, store, changed)
	if rep.Updated != 2 || len(rep.Rejected) != 0 {
		t.Fatalf("changed report %+v", rep)
	}
	if want := (stats.Counts{Teachers: 3, Schools: 2, ActiveProjects: 0}); counts(t, store, stats.All) != want {
		t.Fatalf("Europe-wide after closing %+v", counts(t, store, stats.All))
	}
	if m, _, _ := store.GetMember(context.Background(), "m-1"); m.FirstName != "Anca" {
		t.Fatalf("not updated: %+v", m)
	}
}

// Bad lines are reported with their numbers and reasons; the good ones are stored.
func TestBadLines(t *testing.T) {
	store := ddb.New(testenv.DDB(), testenv.NewTable(t))
	load(t, store, file)
	bad := strings.Join([]string{
		`{"type":"school","id":"s-ok","name":"Școala Bună","country":"RO","city":"Cluj","schoolType":"primary","registeredAt":"2021-03-01T00:00:00Z"}`,
		`{not json`,
		`{"type":"teacher","id":"x"}`,
		`{"type":"member","id":"m-20","username":"dan","email":"dan@example.org","firstName":"Dan","lastName":"D","language":"ro","schoolIds":["s-nowhere"],"registeredAt":"2021-03-02T00:00:00Z"}`,
		`{"type":"member","id":"m-21","username":"ANA.POP","email":"other@example.org","firstName":"A","lastName":"P","language":"ro","schoolIds":["s-ok"],"registeredAt":"2021-03-02T00:00:00Z"}`,
		`{"type":"member","id":"m-22","username":"zoe","email":"ana.pop@example.org","firstName":"Z","lastName":"P","language":"ro","schoolIds":["s-ok"],"registeredAt":"2021-03-02T00:00:00Z"}`,
		`{"type":"school","id":"s-dup","name":"LICEUL teoretic ion creanga","country":"RO","city":"Iasi","schoolType":"upper_secondary","registeredAt":"2021-03-01T00:00:00Z"}`,
		`{"type":"school","id":"s-ok","name":"Again","country":"RO","city":"Cluj","schoolType":"primary","registeredAt":"2021-03-01T00:00:00Z"}`,
		`{"type":"project","id":"p-9","title":"T","founders":["m-1","m-404"],"status":"approved","approvedAt":"2024-10-01T00:00:00Z"}`,
		`{"type":"member","id":"m-23","username":"good.one","email":"good@example.org","firstName":"Good","lastName":"One","language":"ro","schoolIds":["s-ok","s-ro-1"],"registeredAt":"2021-03-02T00:00:00Z"}`,
		`{"type":"member","id":"m-1","username":"someone.else","email":"ana.renamed@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s-ro-1"],"registeredAt":"2021-03-02T00:00:00Z"}`,
		`{"type":"label","projectId":"p-2","kind":"european","schoolId":"s-ro-1","awardedAt":"2025-09-15T00:00:00Z"}`,
		`{"type":"activity","memberId":"m-404","kind":"other","at":"2025-05-20T00:00:00Z"}`,
		`{"type":"activity","memberId":"nso-ro","kind":"other","at":"2025-05-20T00:00:00Z"}`,
		`{"type":"activity","memberId":"m-1","kind":"other","at":"2025-05-20T00:00:00Z","schoolId":"s-nowhere"}`,
		`{"type":"activity","memberId":"m-1","kind":"other","at":"2025-05-20T00:00:00Z","schoolId":"s-ok"}`,
		`{"type":"activity","memberId":"m-1","kind":"other","at":"2025-05-20T00:00:00.000Z","schoolId":"s-ok"}`,
		`{"type":"activity","memberId":"m-1","kind":"other","at":"2025-05-20"}`,
		`{"type":"school","id":"s-long","name":"` + strings.Repeat("Long ", 20000) + `","country":"RO","city":"Cluj","schoolType":"primary","registeredAt":"2021-03-01T00:00:00Z"}`,
		`{"type":"activity","memberId":"m-23","kind":"other","at":"2025-05-21T00:00:00Z"}`,
	}, "\n")
	rep := load(t, store, bad)
	want := map[int]string{2: "not a JSON object", 3: `unknown type "teacher"`, 4: "schoolIds.0: no school s-nowhere", 5: "username is taken",
		6: "e-mail address belongs", 7: "a school with this name is registered in this city already: s-ro-1", 8: "duplicate of line 1",
		9: "founders.1: no member m-404", 11: "the import does not rename", 12: "cannot have a European label",
		13: "memberId: no member m-404", 14: "memberId: nso-ro is a staff account, not a teacher", 15: "schoolId: no school s-nowhere",
		17: "duplicate of line 16", 18: "at: must be an RFC 3339", 19: "line is longer than 65536 bytes"}
	got := map[int]string{}
	for _, r := range rep.Rejected {
		got[r.Line] = r.Reason
	}
	for line, w := range want {
		if !strings.Contains(got[line], w) {
			t.Errorf("line %d: got %q, want %q", line, got[line], w)
		}
	}
	if len(rep.Rejected) != len(want) || rep.Imported != 4 {
		t.Fatalf("report %+v", rep)
	}
	if m, found, _ := store.GetMember(context.Background(), "m-23"); !found || len(m.Schools) != 2 {
		t.Fatalf("the good member is not stored: %+v", m)
	}
}

// An imported project awaiting the NSOs waits in the queue of each founder country, once
// however often it is imported, and leaves it when a re-import says it was decided.
func TestImportedPendingProjectIsQueued(t *testing.T) {
	table := testenv.NewTable(t)
	store := ddb.New(testenv.DDB(), table)
	pending := `{"type":"school","id":"s-ro-q","name":"Școala Gimnazială Nr. 1","country":"RO","city":"Arad","schoolType":"lower_secondary","registeredAt":"2021-03-01T00:00:00Z"}
{"type":"school","id":"s-fr-q","name":"Collège Jean Jaurès","country":"FR","city":"Lille","schoolType":"lower_secondary","registeredAt":"2021-03-01T00:00:00Z"}
{"type":"member","id":"m-ro-q","username":"dana.q","email":"dana.q@example.org","firstName":"Dana","lastName":"Q","language":"ro","schoolIds":["s-ro-q"],"registeredAt":"2021-03-02T00:00:00Z"}
{"type":"member","id":"m-fr-q","username":"remi.q","email":"remi.q@example.org","firstName":"Rémi","lastName":"Q","language":"fr","schoolIds":["s-fr-q"],"registeredAt":"2021-03-02T00:00:00Z"}
{"type":"project","id":"p-q","title":"Birds","founders":["m-ro-q","m-fr-q"],"status":"awaiting_nso","createdAt":"2025-09-01T00:00:00Z"}
`
	queue := func(country string) []string {
		t.Helper()
		entries, _, err := store.ListNSOQueue(context.Background(), country, "", 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range entries {
			ids = append(ids, e.ProjectID)
		}
		return ids
	}
	for range 2 {
		if rep := load(t, store, pending); len(rep.Rejected) != 0 {
			t.Fatalf("report %+v", rep)
		}
		for _, c := range []string{"RO", "FR"} {
			if got := queue(c); !reflect.DeepEqual(got, []string{"p-q"}) {
				t.Fatalf("%s queue %v, want [p-q]", c, got)
			}
		}
	}
	due := func() []string {
		t.Helper()
		ids, err := store.DueReminderProjects(context.Background(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return ids
	}
	// Waiting since September 2025: the NSOs' reminder is due.
	if got := due(); !slices.Contains(got, "p-q") {
		t.Fatalf("due reminders %v, want p-q among them", got)
	}
	decided := strings.Replace(pending, `"status":"awaiting_nso"`, `"status":"approved","approvedAt":"2025-10-01T00:00:00Z"`, 1)
	if rep := load(t, store, decided); len(rep.Rejected) != 0 || rep.Updated != 1 {
		t.Fatalf("report %+v", rep)
	}
	for _, c := range []string{"RO", "FR"} {
		if got := queue(c); len(got) != 0 {
			t.Fatalf("%s queue after the decision %v", c, got)
		}
	}
	if got := due(); slices.Contains(got, "p-q") {
		t.Fatalf("a decided project is still due a reminder: %v", got)
	}
}

// A re-imported project keeps exactly the partners its line lists: one left out is
// removed (and so leaves the member's project list), one added is written.
func TestReimportRemovesPartners(t *testing.T) {
	table := testenv.NewTable(t)
	store := ddb.New(testenv.DDB(), table)
	partners := func() []string {
		t.Helper()
		out, err := testenv.DDB().Query(context.Background(), &dynamodb.QueryInput{TableName: aws.String(table),
			KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :m)"), ConsistentRead: aws.Bool(true),
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":pk": &types.AttributeValueMemberS{Value: "PROJECT#p-1"}, ":m": &types.AttributeValueMemberS{Value: "MEMBER#"}}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, it := range out.Items {
			ids = append(ids, it["memberId"].(*types.AttributeValueMemberS).Value)
		}
		sort.Strings(ids)
		return ids
	}
	if rep := load(t, store, file); len(rep.Rejected) != 0 {
		t.Fatalf("report %+v", rep)
	}
	if got := partners(); !reflect.DeepEqual(got, []string{"m-1", "m-3", "m-9"}) {
		t.Fatalf("partners %v", got)
	}
	without := strings.Replace(file, `"partners":["m-3"]`, `"partners":[]`, 1)
	for range 2 {
		if rep := load(t, store, without); len(rep.Rejected) != 0 {
			t.Fatalf("report %+v", rep)
		}
		if got := partners(); !reflect.DeepEqual(got, []string{"m-1", "m-9"}) {
			t.Fatalf("partners after the re-import %v, want m-3 removed", got)
		}
	}
	projects, _, err := store.ListMemberProjects(context.Background(), "m-3", "", 10)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range projects {
		if p.ProjectID == "p-1" {
			t.Fatalf("m-3 still lists p-1: %+v", projects)
		}
	}
	if rep := load(t, store, file); len(rep.Rejected) != 0 {
		t.Fatalf("report %+v", rep)
	}
	if got := partners(); !reflect.DeepEqual(got, []string{"m-1", "m-3", "m-9"}) {
		t.Fatalf("partners after adding m-3 back %v", got)
	}
}

package gateway_test

// The stream event sources against the real DynamoDB Local (one for all these tests,
// started on first use), with testdata/streams.yaml and the testdata/streamfn
// function. Each test has its own table and gateway, so they run in parallel.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/gateway"
	"etwin/infra/localstack"
)

const streamsTemplate = "testdata/streams.yaml"

var (
	dynamoOnce   sync.Once
	dynamoURL    string
	dynamoClient *dynamodb.Client
	dynamoErr    error
)

// dynamo is the DynamoDB Local of the running stack under `make test` (local exec
// sets ETWIN_DDB_ENDPOINT), else one these tests start on first use.
func dynamo(t *testing.T) (*dynamodb.Client, string) {
	t.Helper()
	dynamoOnce.Do(func() {
		if url := os.Getenv("ETWIN_DDB_ENDPOINT"); url != "" {
			dynamoURL, dynamoClient = url, localstack.NewDynamoClient(url)
			return
		}
		svc, err := localstack.StartDynamo(context.Background(), localstack.Options{InMemory: true})
		if err != nil {
			dynamoErr = err
			return
		}
		gateway.AtExitForTests(func() { svc.Stop() })
		dynamoURL = svc.URL
		dynamoClient = localstack.NewDynamoClient(svc.URL)
	})
	if dynamoErr != nil {
		t.Fatal("starting DynamoDB Local:", dynamoErr)
	}
	return dynamoClient, dynamoURL
}

// line is a line of streamfn's log.
type line struct {
	Phase   string          `json:"phase"`
	PID     int             `json:"pid"`
	Request string          `json:"requestId"`
	Keys    []string        `json:"keys"`
	Seqs    []string        `json:"seqs"`
	Event   json.RawMessage `json:"event"`
	Outcome string          `json:"outcome"`
	Failed  []string        `json:"failed"`
}

type streamEnv struct {
	gw      *gateway.Gateway
	ddb     *dynamodb.Client
	table   string
	logDir  string // streamfn's logs
	dlDir   string // the gateway's DeadLetterDir
	gwLog   *syncBuffer
	started time.Time
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newStreamEnv creates a table from streams.yaml and starts a gateway on it; before,
// if given, runs in between.
func newStreamEnv(t *testing.T, before ...func(*streamEnv)) *streamEnv {
	t.Helper()
	client, url := dynamo(t)
	suffix := make([]byte, 4)
	rand.Read(suffix)
	e := &streamEnv{
		ddb:    client,
		table:  "streams-" + hex.EncodeToString(suffix),
		logDir: t.TempDir(),
		dlDir:  filepath.Join(t.TempDir(), "dead-letters"), // made when needed
		gwLog:  &syncBuffer{},
	}
	ctx := context.Background()
	name := func(id string) string { return map[string]string{"Table": e.table}[id] }
	if err := localstack.CreateTables(ctx, client, streamsTemplate, name); err != nil {
		t.Fatal(err)
	}
	for _, f := range before {
		f(e)
	}
	gw, err := gateway.New(gateway.Options{
		TemplatePath:   streamsTemplate,
		BinDir:         gateway.BinDirForTests(),
		TableName:      name,
		ExtraEnv:       map[string]string{"STREAMFN_LOG_DIR": e.logDir},
		FunctionLog:    e.gwLog,
		DynamoEndpoint: url,
		DeadLetterDir:  e.dlDir,
	})
	if err != nil {
		t.Fatal(err)
	}
	e.gw = gw
	e.started = time.Now()
	t.Cleanup(func() {
		gw.Close()
		client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(e.table)})
		if t.Failed() || os.Getenv("STREAMS_TEST_LOG") != "" {
			t.Logf("gateway and function log:\n%s", e.gwLog.String())
		}
	})
	return e
}

// put writes an item: PK and string attributes, with numbers for the keys that
// streamfn reads as numbers.
func (e *streamEnv) put(t *testing.T, pk string, attrs ...string) {
	t.Helper()
	item := map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}}
	for i := 0; i+1 < len(attrs); i += 2 {
		switch k, v := attrs[i], attrs[i+1]; k {
		case "sleepMs", "failTimes":
			item[k] = &types.AttributeValueMemberN{Value: v}
		default:
			item[k] = &types.AttributeValueMemberS{Value: v}
		}
	}
	if _, err := e.ddb.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(e.table), Item: item}); err != nil {
		t.Fatal(err)
	}
}

// lines reads a function's log so far.
func (e *streamEnv) lines(t *testing.T, fn string) []line {
	t.Helper()
	f, err := os.Open(filepath.Join(e.logDir, fn+".jsonl"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []line
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			continue // a line being written
		}
		out = append(out, l)
	}
	return out
}

// waitFor polls a function's log until cond holds, and returns the log.
func (e *streamEnv) waitFor(t *testing.T, fn string, timeout time.Duration, what string, cond func([]line) bool) []line {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ls := e.lines(t, fn)
		if cond(ls) {
			return ls
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; log of %s:\n%s", what, timeout, fn, dump(ls))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func dump(ls []line) string {
	var b strings.Builder
	for _, l := range ls {
		l.Event = nil
		data, _ := json.Marshal(l)
		b.Write(data)
		b.WriteByte('\n')
	}
	return b.String()
}

// okKeys counts, by key, the invocations that ended ok (or partial, for the keys
// not reported failed).
func okKeys(ls []line) map[string]int {
	n := map[string]int{}
	for _, l := range ls {
		if l.Phase != "done" || l.Outcome == "error" {
			continue
		}
		for _, k := range l.Keys {
			if !slices.Contains(l.Failed, k) {
				n[k]++
			}
		}
	}
	return n
}

func starts(ls []line) []line {
	var out []line
	for _, l := range ls {
		if l.Phase == "start" {
			out = append(out, l)
		}
	}
	return out
}

func hasAll(keys ...string) func([]line) bool {
	return func(ls []line) bool {
		ok := okKeys(ls)
		for _, k := range keys {
			if ok[k] == 0 {
				return false
			}
		}
		return true
	}
}

func (e *streamEnv) streamARN(t *testing.T) string {
	t.Helper()
	out, err := e.ddb.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(e.table)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Table.LatestStreamArn)
}

func TestStreamDeliversFilteredRecords(t *testing.T) {
	t.Parallel()
	e := newStreamEnv(t)
	keys := []string{"o1", "o2", "o3", "o4", "o5"}
	var putAt []time.Time
	for i, k := range keys {
		e.put(t, k, "kind", "outbox")
		putAt = append(putAt, time.Now())
		if i == 1 {
			e.put(t, "x1", "kind", "other") // not an outbox item
			e.put(t, "x2")                  // no kind at all
		}
	}
	e.put(t, "o1", "kind", "outbox", "v", "2") // a MODIFY, not an INSERT
	if _, err := e.ddb.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(e.table),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "x1"}}}); err != nil {
		t.Fatal(err)
	}

	// Each record is delivered within about a second of its write (the first one
	// includes the function's cold start).
	seen := map[string]time.Time{}
	deadline := time.Now().Add(10 * time.Second)
	for len(seen) < len(keys) && time.Now().Before(deadline) {
		ok := okKeys(e.lines(t, "OutboxFunction"))
		for _, k := range keys {
			if _, done := seen[k]; !done && ok[k] > 0 {
				seen[k] = time.Now()
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i, k := range keys {
		at, ok := seen[k]
		if !ok {
			t.Fatalf("%s never delivered; log:\n%s", k, dump(e.lines(t, "OutboxFunction")))
		}
		if d := at.Sub(putAt[i]); d > 2*time.Second {
			t.Errorf("%s delivered %s after its write, want about a second", k, d)
		} else {
			t.Logf("%s delivered %s after its write", k, d.Round(time.Millisecond))
		}
	}

	// A few more polls: nothing else arrives. Every outbox INSERT came once, in
	// order; the other items, the MODIFY and the REMOVE were filtered out.
	time.Sleep(700 * time.Millisecond)
	ls := e.lines(t, "OutboxFunction")
	var delivered []string
	for _, l := range starts(ls) {
		delivered = append(delivered, l.Keys...)
	}
	if !reflect.DeepEqual(delivered, keys) {
		t.Errorf("delivered %v, want %v", delivered, keys)
	}
	for _, fn := range []string{"PartialFunction", "BisectFunction", "CrashFunction", "LatestFunction"} {
		if got := e.lines(t, fn); len(got) > 0 {
			t.Errorf("%s was invoked for items its filter does not take: %s", fn, dump(got))
		}
	}

	// The event is exactly what Lambda sends.
	arn := e.streamARN(t)
	var ev map[string]json.RawMessage
	if err := json.Unmarshal(starts(ls)[0].Event, &ev); err != nil {
		t.Fatal(err)
	}
	if len(ev) != 1 || ev["Records"] == nil {
		t.Fatalf("event keys: %v", ev)
	}
	var recs []map[string]any
	if err := json.Unmarshal(ev["Records"], &recs); err != nil || len(recs) == 0 {
		t.Fatalf("Records: %v %s", err, ev["Records"])
	}
	rec := recs[0]
	wantKeys := []string{"awsRegion", "dynamodb", "eventID", "eventName", "eventSource", "eventSourceARN", "eventVersion"}
	if got := sortedKeys(rec); !reflect.DeepEqual(got, wantKeys) {
		t.Errorf("record keys %v, want %v", got, wantKeys)
	}
	checks := map[string]any{
		"awsRegion": "eu-central-1", "eventName": "INSERT", "eventSource": "aws:dynamodb",
		"eventSourceARN": arn, "eventVersion": "1.1",
	}
	for k, want := range checks {
		if rec[k] != want {
			t.Errorf("%s = %v, want %v", k, rec[k], want)
		}
	}
	if id, _ := rec["eventID"].(string); id == "" {
		t.Errorf("eventID %v", rec["eventID"])
	}
	d, _ := rec["dynamodb"].(map[string]any)
	wantD := []string{"ApproximateCreationDateTime", "Keys", "NewImage", "SequenceNumber", "SizeBytes", "StreamViewType"}
	if got := sortedKeys(d); !reflect.DeepEqual(got, wantD) {
		t.Errorf("dynamodb keys %v, want %v", got, wantD)
	}
	if !reflect.DeepEqual(d["Keys"], map[string]any{"PK": map[string]any{"S": "o1"}}) {
		t.Errorf("Keys = %v", d["Keys"])
	}
	if !reflect.DeepEqual(d["NewImage"], map[string]any{"PK": map[string]any{"S": "o1"}, "kind": map[string]any{"S": "outbox"}}) {
		t.Errorf("NewImage = %v", d["NewImage"])
	}
	if d["StreamViewType"] != "NEW_IMAGE" || d["SequenceNumber"] != starts(ls)[0].Seqs[0] {
		t.Errorf("StreamViewType %v, SequenceNumber %v", d["StreamViewType"], d["SequenceNumber"])
	}
	if size, _ := d["SizeBytes"].(float64); size <= 0 {
		t.Errorf("SizeBytes %v", d["SizeBytes"])
	}
	created, _ := d["ApproximateCreationDateTime"].(float64)
	if at := time.Unix(int64(created), 0); at.Before(e.started.Add(-2*time.Minute)) || at.After(time.Now()) {
		t.Errorf("ApproximateCreationDateTime %v (%s)", d["ApproximateCreationDateTime"], at)
	}
	if dl := e.gw.DeadLetters("DeadLetterQueue"); len(dl) != 0 {
		t.Errorf("dead letters: %s", dl)
	}
}

func TestStreamPartialBatchFailure(t *testing.T) {
	t.Parallel()
	e := newStreamEnv(t)
	keys := []string{"p1", "p2", "p3", "p4", "p5"}
	for _, k := range keys {
		if k == "p3" {
			e.put(t, k, "fn", "partial", "failTimes", "1") // fails on its first delivery only
		} else {
			e.put(t, k, "fn", "partial")
		}
	}
	ls := e.waitFor(t, "PartialFunction", 10*time.Second, "every record delivered", hasAll(keys...))
	time.Sleep(600 * time.Millisecond) // nothing more comes
	ls = e.lines(t, "PartialFunction")

	// The batching window (1 s) gathered the five; p3 failed; the retry starts at p3,
	// and p1, p2 are not delivered again.
	st := starts(ls)
	if len(st) != 2 {
		t.Fatalf("%d invocations, want 2:\n%s", len(st), dump(ls))
	}
	if !reflect.DeepEqual(st[0].Keys, keys) {
		t.Errorf("first batch %v, want %v", st[0].Keys, keys)
	}
	if want := []string{"p3", "p4", "p5"}; !reflect.DeepEqual(st[1].Keys, want) {
		t.Errorf("retried batch %v, want %v", st[1].Keys, want)
	}
	if ok := okKeys(ls); !reflect.DeepEqual(ok, map[string]int{"p1": 1, "p2": 1, "p3": 1, "p4": 2, "p5": 2}) {
		t.Errorf("successful deliveries %v", ok)
	}
}

func TestStreamPoisonRecordBisectedToDeadLetters(t *testing.T) {
	t.Parallel()
	e := newStreamEnv(t)
	keys := []string{"b1", "b2", "b3", "b4", "b5", "b6"}
	for _, k := range keys {
		if k == "b4" {
			e.put(t, k, "fn", "bisect", "poison", "yes")
		} else {
			e.put(t, k, "fn", "bisect")
		}
	}
	healthy := []string{"b1", "b2", "b3", "b5", "b6"}
	deadline := time.Now().Add(15 * time.Second)
	var dl []json.RawMessage
	for {
		dl = e.gw.DeadLetters("DeadLetterQueue")
		if len(dl) > 0 && hasAll(healthy...)(e.lines(t, "BisectFunction")) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no dead letter and all healthy records within 15 s; dead letters %s; log:\n%s", dl, dump(e.lines(t, "BisectFunction")))
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(600 * time.Millisecond)
	ls := e.lines(t, "BisectFunction")
	dl = e.gw.DeadLetters("DeadLetterQueue")
	if len(dl) != 1 {
		t.Fatalf("%d dead letters, want 1: %s", len(dl), dl)
	}

	// Every healthy record was processed once; the poison one was split off and
	// tried alone 1 + MaximumRetryAttempts (2) times.
	ok := okKeys(ls)
	for _, k := range healthy {
		if ok[k] != 1 {
			t.Errorf("%s processed %d times, want 1", k, ok[k])
		}
	}
	var alone []line
	var seq4 string
	for _, l := range starts(ls) {
		if i := slices.Index(l.Keys, "b4"); i >= 0 {
			seq4 = l.Seqs[i]
			if len(l.Keys) == 1 {
				alone = append(alone, l)
			}
		}
	}
	if len(alone) != 3 {
		t.Errorf("b4 invoked alone %d times, want 3:\n%s", len(alone), dump(ls))
	}
	b4Invokes := 0
	for _, l := range starts(ls) {
		if slices.Contains(l.Keys, "b4") {
			b4Invokes++
		}
	}

	var rec struct {
		RequestContext struct {
			RequestID              string `json:"requestId"`
			FunctionARN            string `json:"functionArn"`
			Condition              string `json:"condition"`
			ApproximateInvokeCount int    `json:"approximateInvokeCount"`
		} `json:"requestContext"`
		ResponseContext struct {
			StatusCode      int    `json:"statusCode"`
			ExecutedVersion string `json:"executedVersion"`
			FunctionError   string `json:"functionError"`
		} `json:"responseContext"`
		Version   string `json:"version"`
		Timestamp string `json:"timestamp"`
		Batch     struct {
			ShardID   string `json:"shardId"`
			Start     string `json:"startSequenceNumber"`
			End       string `json:"endSequenceNumber"`
			First     string `json:"approximateArrivalOfFirstRecord"`
			Last      string `json:"approximateArrivalOfLastRecord"`
			BatchSize int    `json:"batchSize"`
			StreamARN string `json:"streamArn"`
		} `json:"DDBStreamBatchInfo"`
	}
	dec := json.NewDecoder(bytes.NewReader(dl[0]))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		t.Fatalf("dead letter %s: %v", dl[0], err)
	}
	rc := rec.RequestContext
	if rc.Condition != "RetryAttemptsExhausted" || !strings.HasSuffix(rc.FunctionARN, ":function:BisectFunction") ||
		rc.ApproximateInvokeCount != b4Invokes || len(alone) == 0 || rc.RequestID != alone[len(alone)-1].Request {
		t.Errorf("requestContext %+v; b4 was invoked %d times, last as request %v", rc, b4Invokes, alone)
	}
	if r := rec.ResponseContext; r.StatusCode != 200 || r.ExecutedVersion != "$LATEST" || r.FunctionError != "Unhandled" {
		t.Errorf("responseContext %+v", r)
	}
	if _, err := time.Parse(time.RFC3339Nano, rec.Timestamp); err != nil || rec.Version != "1.0" {
		t.Errorf("version %q timestamp %q (%v)", rec.Version, rec.Timestamp, err)
	}
	b := rec.Batch
	if b.BatchSize != 1 || b.Start != seq4 || b.End != seq4 || b.StreamARN != e.streamARN(t) || b.ShardID == "" {
		t.Errorf("DDBStreamBatchInfo %+v, want b4's sequence number %s", b, seq4)
	}
	for _, at := range []string{b.First, b.Last} {
		if _, err := time.Parse(time.RFC3339, at); err != nil {
			t.Errorf("arrival %q: %v", at, err)
		}
	}
	// The same record, as a line of the dead-letter file.
	file, err := os.ReadFile(filepath.Join(e.dlDir, "DeadLetterQueue.jsonl"))
	if err != nil || strings.TrimSpace(string(file)) != string(dl[0]) {
		t.Errorf("dead-letter file %q (%v), want the record", file, err)
	}
}

func TestStreamKilledFunctionLosesNothing(t *testing.T) {
	t.Parallel()
	e := newStreamEnv(t)
	keys := []string{"c1", "c2", "c3", "c4"}
	for _, k := range keys {
		e.put(t, k, "fn", "crash", "sleepMs", "700")
	}
	ls := e.waitFor(t, "CrashFunction", 10*time.Second, "a batch started", func(ls []line) bool { return len(starts(ls)) > 0 })
	killed, err := e.gw.KillFunction("CrashFunction")
	if err != nil || killed != 1 {
		t.Fatalf("KillFunction: %d instances, %v", killed, err)
	}
	first := starts(ls)[0]
	ls = e.waitFor(t, "CrashFunction", 10*time.Second, "every record delivered after the kill", hasAll(keys...))

	// The killed invocation never finished; the batch came again to a new instance,
	// and every record was processed.
	for _, l := range ls {
		if l.Phase == "done" && l.Request == first.Request {
			t.Errorf("the killed invocation %s finished: %+v", first.Request, l)
		}
	}
	var again []string
	for _, l := range starts(ls)[1:] {
		if l.PID == first.PID {
			t.Errorf("invocation %s ran in the killed instance %d", l.Request, l.PID)
		}
		again = append(again, l.Keys...)
	}
	for _, k := range first.Keys {
		if !slices.Contains(again, k) {
			t.Errorf("%s, in the killed batch, was not delivered again (%v)", k, again)
		}
	}
	if !strings.Contains(e.gwLog.String(), "Runtime.ExitError") {
		t.Errorf("the gateway log does not name the crash:\n%s", e.gwLog.String())
	}
	if dl := e.gw.DeadLetters("DeadLetterQueue"); len(dl) != 0 {
		t.Errorf("dead letters: %s", dl)
	}
}

func sortedKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// From LATEST, a poller reads what is written after New returns, and nothing before.
func TestStreamLatestStartsAfterNew(t *testing.T) {
	t.Parallel()
	e := newStreamEnv(t, func(e *streamEnv) { e.put(t, "l1", "fn", "latest") })
	e.put(t, "l2", "fn", "latest")
	e.waitFor(t, "LatestFunction", 10*time.Second, "l2 delivered", hasAll("l2"))
	time.Sleep(600 * time.Millisecond)
	var delivered []string
	for _, l := range starts(e.lines(t, "LatestFunction")) {
		delivered = append(delivered, l.Keys...)
	}
	if !reflect.DeepEqual(delivered, []string{"l2"}) {
		t.Errorf("delivered %v, want [l2]", delivered)
	}
}

// A table kept from an earlier run (make run keeps its data) that has no stream, or a
// stream of another view type, gets the template's stream from CreateTables.
func TestCreateTablesTurnsOnTheStream(t *testing.T) {
	t.Parallel()
	client, _ := dynamo(t)
	ctx := context.Background()
	suffix := make([]byte, 4)
	rand.Read(suffix)
	for _, view := range []types.StreamViewType{"", types.StreamViewTypeKeysOnly} {
		name := "old-" + string(view) + hex.EncodeToString(suffix)
		in := &dynamodb.CreateTableInput{
			TableName:            aws.String(name),
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}},
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}},
			BillingMode:          types.BillingModePayPerRequest,
		}
		if view != "" {
			in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: view}
		}
		if _, err := client.CreateTable(ctx, in); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			client.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: aws.String(name)})
		})
		e := &streamEnv{ddb: client, table: name}
		e.put(t, "kept")

		if err := localstack.CreateTables(ctx, client, streamsTemplate, func(string) string { return name }); err != nil {
			t.Fatal(err)
		}
		out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		spec := out.Table.StreamSpecification
		if spec == nil || !aws.ToBool(spec.StreamEnabled) || spec.StreamViewType != types.StreamViewTypeNewImage || out.Table.LatestStreamArn == nil {
			t.Errorf("%q: stream %+v, ARN %v", view, spec, out.Table.LatestStreamArn)
		}
		if aws.ToInt64(out.Table.ItemCount) != 1 {
			// ItemCount is approximate in AWS but exact in DynamoDB Local.
			t.Errorf("%q: the table lost its item: %d items", view, aws.ToInt64(out.Table.ItemCount))
		}
	}
}

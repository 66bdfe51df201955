package bench

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/infra/localstack"
)

// probe collects what one request did with DynamoDB: the calls the Store reported
// (operation and consumed capacity) and the SDK's HTTP round trips with their time.
type probe struct {
	mu      sync.Mutex
	ops     map[string]int
	units   float64            // as DynamoDB Local reported them
	opUnits map[string]float64 // the same, by operation
	trips   int
	rtt     time.Duration
	txs     [][]byte // TransactWriteItems request bodies, for txUnits
	// failedWrites are single-item writes whose condition failed: the Store reports them
	// with 0 units, AWS bills them (at least 1 write unit).
	failedWrites int
}

func newProbe() *probe { return &probe{ops: map[string]int{}, opUnits: map[string]float64{}} }

func (p *probe) call(op string, units float64) {
	p.mu.Lock()
	p.ops[op]++
	p.units += units
	p.opUnits[op] += units
	if units == 0 && (op == "PutItem" || op == "UpdateItem" || op == "DeleteItem") {
		p.failedWrites++
	}
	p.mu.Unlock()
}

func (p *probe) tx(body []byte) {
	p.mu.Lock()
	p.txs = append(p.txs, body)
	p.mu.Unlock()
}

func (p *probe) trip(d time.Duration) {
	p.mu.Lock()
	p.trips++
	p.rtt += d
	p.mu.Unlock()
}

// meter routes Store reports and round-trip times to the probe of the request being
// measured. The in-process benchmark runs one request at a time, so one slot is enough.
type meter struct{ cur atomic.Pointer[probe] }

// record is the ddb.Meter.
func (m *meter) record(op string, units float64) {
	if p := m.cur.Load(); p != nil {
		p.call(op, units)
	}
}

// timingClient is the DynamoDB client's HTTP client: it times each round trip from
// sending the request to the end of the response body (the SDK reads it whole).
type timingClient struct {
	inner interface {
		Do(*http.Request) (*http.Response, error)
	}
	m *meter
}

func (c timingClient) Do(req *http.Request) (*http.Response, error) {
	p := c.m.cur.Load()
	if p != nil && req.Body != nil && strings.HasSuffix(req.Header.Get("X-Amz-Target"), ".TransactWriteItems") {
		body, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		p.tx(body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	start := time.Now()
	resp, err := c.inner.Do(req)
	if p == nil {
		return resp, err
	}
	if err != nil || resp.Body == nil {
		p.trip(time.Since(start))
		return resp, err
	}
	resp.Body = &timedBody{ReadCloser: resp.Body, done: func() { p.trip(time.Since(start)) }}
	return resp, nil
}

type timedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *timedBody) Read(buf []byte) (int, error) {
	n, err := b.ReadCloser.Read(buf)
	if err == io.EOF {
		b.once.Do(b.done)
	}
	return n, err
}

func (b *timedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}

// newMeteredClient is a DynamoDB client for the local endpoint (as
// localstack.NewDynamoClient makes it) whose round trips m times.
func newMeteredClient(endpoint string, m *meter) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:                          localstack.Region,
		BaseEndpoint:                    aws.String(endpoint),
		Credentials:                     credentials.NewStaticCredentialsProvider("local", "local", ""),
		DisableValidateResponseChecksum: true,
		HTTPClient:                      timingClient{inner: awshttp.NewBuildableClient(), m: m},
	})
}

// opOrder is how calls are listed: reads, then writes, then batches and transactions.
var opOrder = []string{"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems"}

// signature writes calls as "GetItem×2, TransactWriteItems×1" ("none" for no calls).
func signature(ops map[string]int) string {
	names := make([]string, 0, len(ops))
	for op := range ops {
		names = append(names, op)
	}
	rank := func(op string) int {
		if i := slices.Index(opOrder, op); i >= 0 {
			return i
		}
		return len(opOrder)
	}
	slices.SortFunc(names, func(a, b string) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, 0, len(names))
	for _, op := range names {
		parts = append(parts, fmt.Sprintf("%s×%d", op, ops[op]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

package ddb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/testenv"
	"etwin/shared/account"
	"etwin/shared/token"
)

// noWait is the retry policy without its delays, so that tests count attempts quickly.
var noWait = retry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })

// throttled is DynamoDB Local as a throttled DynamoDB would answer batches: every call
// runs for real, and then every item is reported unprocessed.
type throttled struct {
	api
	writes, gets atomic.Int32
}

func (t *throttled) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	t.writes.Add(1)
	out, err := t.api.BatchWriteItem(ctx, in, optFns...)
	if err != nil {
		return nil, err
	}
	out.UnprocessedItems = in.RequestItems
	return out, nil
}

func (t *throttled) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	t.gets.Add(1)
	out, err := t.api.BatchGetItem(ctx, in, optFns...)
	if err != nil {
		return nil, err
	}
	out.UnprocessedKeys = in.RequestItems
	return out, nil
}

func throttledStore(t *testing.T, backoff retry.BackoffDelayer) (*Store, *throttled) {
	th := &throttled{api: testenv.DDB()}
	return &Store{db: newClient(th, backoff), table: testenv.NewTable(t)}, th
}

func sessionKeys(n int) ([]types.WriteRequest, []map[string]types.AttributeValue) {
	var reqs []types.WriteRequest
	var keys []map[string]types.AttributeValue
	for i := 0; i < n; i++ {
		k := key(memberPK("m-throttled"), sessionSK(fmt.Sprint(i)))
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}})
		keys = append(keys, k)
	}
	return reqs, keys
}

// Unprocessed batch items are retried a bounded number of times (the retry policy's
// attempts), then the call gives up instead of looping for ever.
func TestUnprocessedBatchItemsGiveUpAfterTheAttempts(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s, th := throttledStore(t, noWait)
	reqs, keys := sessionKeys(3)
	if err := s.batchWrite(ctx, reqs); !errors.Is(err, errThrottled) {
		t.Fatalf("batchWrite: %v, want errThrottled", err)
	}
	if n := th.writes.Load(); n != maxAttempts {
		t.Errorf("BatchWriteItem called %d times, want %d", n, maxAttempts)
	}
	if _, err := s.batchGet(ctx, keys); !errors.Is(err, errThrottled) {
		t.Fatalf("batchGet: %v, want errThrottled", err)
	}
	if n := th.gets.Load(); n != maxAttempts {
		t.Errorf("BatchGetItem called %d times, want %d", n, maxAttempts)
	}
}

// The wait between attempts is the SDK's backoff and ends with the context: an expiring
// context returns at once with its error, well before the backoff would have.
func TestUnprocessedBatchItemsStopWithTheContext(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	s, th := throttledStore(t, retry.NewExponentialJitterBackoff(maxBackoff))
	reqs, keys := sessionKeys(3)
	for _, run := range []struct {
		name string
		call func(context.Context) error
	}{
		{"batchWrite", func(ctx context.Context) error { return s.batchWrite(ctx, reqs) }},
		{"batchGet", func(ctx context.Context) error { _, err := s.batchGet(ctx, keys); return err }},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		start := time.Now()
		err := run.call(ctx)
		took := time.Since(start)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v, want the context's error", run.name, err)
		}
		// From the second retry on the SDK's backoff waits maxBackoff (2 s); without the
		// context the attempts would take seconds.
		if took > time.Second {
			t.Errorf("%s returned %s after its context ended", run.name, took)
		}
	}
	if th.writes.Load() == 0 || th.gets.Load() == 0 {
		t.Error("the batches were never sent")
	}
}

// fakeDynamo answers every request with the DynamoDB error reply given, counting them: the
// errors DynamoDB Local never sends (a transaction conflict, a transaction in progress).
func fakeDynamo(t *testing.T, errType, body string) (*Store, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n.Add(1)
		w.Header().Set("Content-Type", "application/x-amz-json-1.0")
		w.Header().Set("X-Amzn-Errortype", errType)
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	db := dynamodb.New(dynamodb.Options{Region: "eu-central-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider("k", "s", ""), DisableValidateResponseChecksum: true})
	return &Store{db: newClient(db, noWait), table: "T"}, &n
}

func cancelled(reasons ...string) string {
	var rs []string
	for _, r := range reasons {
		rs = append(rs, `{"Code":"`+r+`"}`)
	}
	return `{"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException","Message":"Transaction cancelled","CancellationReasons":[` +
		strings.Join(rs, ",") + `]}`
}

// Transaction conflicts and TransactionInProgressException are retried by one layer, the
// SDK's retryer, at most maxAttempts times in all; then the caller gets errBusy. A failed
// condition is not retried.
func TestTransactionRetriesAreTheSDKsAndBounded(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	notYours := errors.New("not yours")
	items := func(s *Store) []txItem {
		it, _ := item("A", "B", "test", nil)
		return []txItem{s.putNew(it, fail(notYours)), s.put(it)}
	}
	for _, c := range []struct {
		name, errType, body string
		want                error
		calls               int32
	}{
		{"conflict", "TransactionCanceledException", cancelled("None", "TransactionConflict"), errBusy, maxAttempts},
		{"in progress", "TransactionInProgressException",
			`{"__type":"com.amazonaws.dynamodb.v20120810#TransactionInProgressException","Message":"in progress"}`, errBusy, maxAttempts},
		{"condition and conflict", "TransactionCanceledException", cancelled("ConditionalCheckFailed", "TransactionConflict"), notYours, 1},
	} {
		s, n := fakeDynamo(t, c.errType, c.body)
		if err := s.transact(ctx, items(s)); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
		if got := n.Load(); got != c.calls {
			t.Errorf("%s: %d requests, want %d", c.name, got, c.calls)
		}
	}
}

// The retry policy reaches every call, whatever client the Store was built on (this one
// has the SDK's default of 3 attempts): a throttled put is tried maxAttempts times.
func TestEveryCallHasTheRetryPolicy(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	s, n := fakeDynamo(t, "ProvisionedThroughputExceededException",
		`{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}`)
	err := s.PutSession(context.Background(), account.Session{MemberID: "m-1", TokenHash: token.Hash(token.New())})
	var pte *types.ProvisionedThroughputExceededException
	if !errors.As(err, &pte) {
		t.Fatalf("PutSession: %v", err)
	}
	if got := n.Load(); got != maxAttempts {
		t.Errorf("%d requests, want %d", got, maxAttempts)
	}
}

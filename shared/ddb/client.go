// Package ddb is the DynamoDB adapter: the one place where every access pattern of the
// single table lives (keys in keys.go, item shapes beside the methods). docs/data-model.md
// describes the same patterns for readers.
package ddb

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/apperr"
)

// NewClient builds the DynamoDB client from the Lambda environment (region, credentials
// and, locally, AWS_ENDPOINT_URL_DYNAMODB). Build it once per container.
func NewClient(cfg aws.Config) *dynamodb.Client {
	local := os.Getenv("AWS_ENDPOINT_URL_DYNAMODB") != ""
	return dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
		// DynamoDB Local's error replies carry no CRC32 header; checking it would only log noise.
		o.DisableValidateResponseChecksum = local
	})
}

// Store holds the client and the table every access pattern uses.
type Store struct {
	db    *client
	table string
}

// Meter observes every DynamoDB call (operation and consumed capacity units), for the
// benchmarks. The zero Store has none.
type Meter func(op string, capacityUnits float64)

// New returns a Store on table. Every call it makes goes through the Store's client
// (below), which gives it the Store's retry policy and meters it.
func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: newClient(db, retry.NewExponentialJitterBackoff(maxBackoff)), table: table}
}

// WithMeter returns a copy of s that reports each call to m.
func (s *Store) WithMeter(m Meter) *Store {
	c, db := *s, *s.db
	db.meter = m
	c.db = &db
	return &c
}

func (s *Store) tableName() *string { return aws.String(s.table) }

// api is the part of the DynamoDB client the Store calls (dynamodb.QueryAPIClient among
// them, for the SDK's paginator).
type api interface {
	GetItem(context.Context, *dynamodb.GetItemInput, ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error)
	PutItem(context.Context, *dynamodb.PutItemInput, ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error)
	UpdateItem(context.Context, *dynamodb.UpdateItemInput, ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error)
	DeleteItem(context.Context, *dynamodb.DeleteItemInput, ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error)
	Query(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)
	BatchGetItem(context.Context, *dynamodb.BatchGetItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error)
	BatchWriteItem(context.Context, *dynamodb.BatchWriteItemInput, ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error)
	TransactWriteItems(context.Context, *dynamodb.TransactWriteItemsInput, ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error)
	// (the bulk import's test of an empty table only: no request path scans)
	Scan(context.Context, *dynamodb.ScanInput, ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error)
}

// client is the DynamoDB client as the Store uses it. Every call gets the Store's retryer
// (retryPolicy). With a meter, each call asks for its consumed capacity
// (ReturnConsumedCapacity TOTAL, set here and nowhere else) and is reported once, whatever
// the SDK retried inside it, with 0 units when it failed (a failed condition included).
// Without a meter calls go out as written.
type client struct {
	api     api
	retryer aws.Retryer
	// useRetryer is the per-call option that installs retryer.
	useRetryer func(*dynamodb.Options)
	meter      Meter
}

func newClient(db api, backoff retry.BackoffDelayer) *client {
	r := retryPolicy(backoff)
	return &client{api: db, retryer: r, useRetryer: func(o *dynamodb.Options) { o.Retryer = r }}
}

// The retry policy, the one of every call and of unprocessed batch items: the SDK's
// standard retryer (throttling, 5xx and connection errors, TransactionInProgressException)
// plus transactions cancelled only by a conflict with another transaction, at most
// maxAttempts attempts, with the SDK's jittered exponential backoff capped at maxBackoff.
// The SDK sleeps on the call's context: a cancelled or expiring context ends the wait.
// Nothing else in the package retries a call.
const (
	maxAttempts = 4
	maxBackoff  = 2 * time.Second
)

func retryPolicy(backoff retry.BackoffDelayer) *retry.Standard {
	return retry.NewStandard(func(o *retry.StandardOptions) {
		o.MaxAttempts = maxAttempts
		o.MaxBackoff = maxBackoff
		o.Backoff = backoff
		o.Retryables = append(o.Retryables, retry.IsErrorRetryableFunc(retryConflict))
	})
}

// retryConflict: a transaction cancelled because another one held one of its items, and
// for no other reason (no condition failed), wrote nothing and may succeed on a retry.
func retryConflict(err error) aws.Ternary {
	var tce *types.TransactionCanceledException
	if errors.As(err, &tce) && conflictOnly(tce) {
		return aws.TrueTernary
	}
	return aws.UnknownTernary
}

func conflictOnly(tce *types.TransactionCanceledException) bool {
	conflict := false
	for _, r := range tce.CancellationReasons {
		switch aws.ToString(r.Code) {
		case "TransactionConflict":
			conflict = true
		case "ConditionalCheckFailed":
			return false
		}
	}
	return conflict
}

// errThrottled: DynamoDB still left batch items unprocessed after every attempt.
var errThrottled = apperr.Unavailable("The service is busy; please try again in a moment.")

// waitUnprocessed waits before the attempt-th retry (1, 2, …) of unprocessed batch items
// as the SDK waits before retrying a call: the retryer's delay, cut short when ctx ends
// (ctx.Err()). Once the retryer's attempts are spent it returns errThrottled.
func (c *client) waitUnprocessed(ctx context.Context, attempt int) error {
	if attempt >= c.retryer.MaxAttempts() {
		return errThrottled
	}
	d, err := c.retryer.RetryDelay(attempt, nil)
	if err != nil {
		return err
	}
	return sleep(ctx, d)
}

// sleep waits d, or until ctx ends (then ctx.Err()): every wait between attempts.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

var _ dynamodb.QueryAPIClient = (*client)(nil)

// call runs one operation: with a meter, withCapacity sets ReturnConsumedCapacity on the
// input, and used reads the capacity of a successful output.
func call[I, O any](ctx context.Context, c *client, op string, in *I, optFns []func(*dynamodb.Options),
	do func(context.Context, *I, ...func(*dynamodb.Options)) (*O, error),
	withCapacity func(*I), used func(*O) float64) (*O, error) {
	optFns = append([]func(*dynamodb.Options){c.useRetryer}, optFns...)
	if c.meter == nil {
		return do(ctx, in, optFns...)
	}
	withCapacity(in) // the input is the caller's own, built for this call
	out, err := do(ctx, in, optFns...)
	u := 0.0
	if err == nil {
		u = used(out)
	}
	c.meter(op, u)
	return out, err
}

const capacityTotal = types.ReturnConsumedCapacityTotal

func units(cc *types.ConsumedCapacity) float64 {
	if cc == nil {
		return 0
	}
	return aws.ToFloat64(cc.CapacityUnits)
}

func unitsSum(cc []types.ConsumedCapacity) float64 {
	var t float64
	for _, c := range cc {
		t += aws.ToFloat64(c.CapacityUnits)
	}
	return t
}

func (c *client) GetItem(ctx context.Context, in *dynamodb.GetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	return call(ctx, c, "GetItem", in, optFns, c.api.GetItem,
		func(in *dynamodb.GetItemInput) { in.ReturnConsumedCapacity = capacityTotal },
		func(out *dynamodb.GetItemOutput) float64 { return units(out.ConsumedCapacity) })
}

func (c *client) PutItem(ctx context.Context, in *dynamodb.PutItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	return call(ctx, c, "PutItem", in, optFns, c.api.PutItem,
		func(in *dynamodb.PutItemInput) { in.ReturnConsumedCapacity = capacityTotal },
		func(out *dynamodb.PutItemOutput) float64 { return units(out.ConsumedCapacity) })
}

func (c *client) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	return call(ctx, c, "UpdateItem", in, optFns, c.api.UpdateItem,
		func(in *dynamodb.UpdateItemInput) { in.ReturnConsumedCapacity = capacityTotal },
		func(out *dynamodb.UpdateItemOutput) float64 { return units(out.ConsumedCapacity) })
}

func (c *client) DeleteItem(ctx context.Context, in *dynamodb.DeleteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.DeleteItemOutput, error) {
	return call(ctx, c, "DeleteItem", in, optFns, c.api.DeleteItem,
		func(in *dynamodb.DeleteItemInput) { in.ReturnConsumedCapacity = capacityTotal },
		func(out *dynamodb.DeleteItemOutput) float64 { return units(out.ConsumedCapacity) })
}

func (c *client) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return call(ctx, c, "Query", in, optFns, c.api.Query,
		func(in *dynamodb.QueryInput) { in.ReturnConsumedCapacity = capacityTotal },
		func(out *dynamodb.QueryOutput) float64 { return units(out.ConsumedCapacity) })
}

func (c *client) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	return call(ctx, c, "BatchGetItem", in, optFns, c.api.BatchGetItem,
		func(in *dynamodb.BatchGetItemInput) { in.ReturnConsumedCapacity = capacityTotal },
		func(out *dynamodb.BatchGetItemOutput) float64 { return unitsSum(out.ConsumedCapacity) })
}

func (c *client) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, optFns ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	return call(ctx, c, "BatchWriteItem", in, optFns, c.api.BatchWriteItem,
		func(in *dynamodb.BatchWriteItemInput) { in.ReturnConsumedCapacity = capacityTotal },
		func(out *dynamodb.BatchWriteItemOutput) float64 { return unitsSum(out.ConsumedCapacity) })
}

func (c *client) Scan(ctx context.Context, in *dynamodb.ScanInput, optFns ...func(*dynamodb.Options)) (*dynamodb.ScanOutput, error) {
	return call(ctx, c, "Scan", in, optFns, c.api.Scan,
		func(in *dynamodb.ScanInput) { in.ReturnConsumedCapacity = capacityTotal },
		func(out *dynamodb.ScanOutput) float64 { return units(out.ConsumedCapacity) })
}

func (c *client) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return call(ctx, c, "TransactWriteItems", in, optFns, c.api.TransactWriteItems,
		func(in *dynamodb.TransactWriteItemsInput) { in.ReturnConsumedCapacity = capacityTotal },
		func(out *dynamodb.TransactWriteItemsOutput) float64 { return unitsSum(out.ConsumedCapacity) })
}

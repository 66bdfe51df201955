// Package ddb is the DynamoDB adapter: the one place where every access pattern of the
// single table lives (keys in keys.go, item shapes beside the methods). docs/data-model.md
// describes the same patterns for readers.
package ddb

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
// (below), which meters it.
func New(db *dynamodb.Client, table string) *Store {
	return &Store{db: &client{api: db}, table: table}
}

// WithMeter returns a copy of s that reports each call to m.
func (s *Store) WithMeter(m Meter) *Store {
	c, db := *s, *s.db
	db.meter = m
	c.db = &db
	return &c
}

// record is a no-op: the client reports every call itself. It stays until the last hand
// report (idempotency.go) is gone.
func (s *Store) record(string, float64) {}

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
}

// client is the DynamoDB client as the Store uses it: with a meter, each call asks for
// its consumed capacity (ReturnConsumedCapacity TOTAL, set here and nowhere else) and is
// reported once, whatever the SDK retried inside it, with 0 units when it failed (a failed
// condition included). Without a meter calls go out as written.
type client struct {
	api   api
	meter Meter
}

var _ dynamodb.QueryAPIClient = (*client)(nil)

// call runs one operation: withCapacity sets ReturnConsumedCapacity on a copy of the
// input, used reads the capacity of a successful output.
func call[I, O any](ctx context.Context, c *client, op string, in *I, optFns []func(*dynamodb.Options),
	do func(context.Context, *I, ...func(*dynamodb.Options)) (*O, error),
	withCapacity func(*I), used func(*O) float64) (*O, error) {
	if c.meter == nil {
		return do(ctx, in, optFns...)
	}
	metered := *in
	withCapacity(&metered)
	out, err := do(ctx, &metered, optFns...)
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

func (c *client) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, optFns ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	return call(ctx, c, "TransactWriteItems", in, optFns, c.api.TransactWriteItems,
		func(in *dynamodb.TransactWriteItemsInput) { in.ReturnConsumedCapacity = capacityTotal },
		func(out *dynamodb.TransactWriteItemsOutput) float64 { return unitsSum(out.ConsumedCapacity) })
}

// Package ddb is the DynamoDB adapter: the one place where every access pattern of the
// single table lives (keys in keys.go, item shapes beside the methods). docs/data-model.md
// describes the same patterns for readers.
package ddb

import (
	"context"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
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
	db    *dynamodb.Client
	table string
	meter Meter
}

// Meter observes every DynamoDB call (operation and consumed capacity units), for the
// benchmarks. The zero Store has none.
type Meter func(op string, capacityUnits float64)

// New returns a Store on table.
func New(db *dynamodb.Client, table string) *Store { return &Store{db: db, table: table} }

// WithMeter returns a copy of s that reports each call to m.
func (s *Store) WithMeter(m Meter) *Store {
	c := *s
	c.meter = m
	return &c
}

func (s *Store) record(op string, units float64) {
	if s.meter != nil {
		s.meter(op, units)
	}
}

func (s *Store) tableName() *string { return aws.String(s.table) }

var _ = context.Background

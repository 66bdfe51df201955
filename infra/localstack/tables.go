package localstack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"gopkg.in/yaml.v3"
)

// TableSpec is one AWS::DynamoDB::Table resource of template.yaml.
type TableSpec struct {
	LogicalID string
	// Create is the CreateTable request, without TableName (set per copy).
	Create dynamodb.CreateTableInput
	// TTLAttribute is the TimeToLiveSpecification attribute, empty when TTL is off.
	TTLAttribute string
}

// The template's table properties, as CloudFormation spells them. Properties that do
// not exist locally (SSE, point-in-time recovery, tags, TableName) are not read.
type cfnTable struct {
	BillingMode          string         `yaml:"BillingMode"`
	AttributeDefinitions []cfnAttribute `yaml:"AttributeDefinitions"`
	KeySchema            []cfnKey       `yaml:"KeySchema"`
	GlobalSecondaryIndex []cfnIndex     `yaml:"GlobalSecondaryIndexes"`
	LocalSecondaryIndex  []cfnIndex     `yaml:"LocalSecondaryIndexes"`
	Throughput           *cfnThroughput `yaml:"ProvisionedThroughput"`
	StreamSpecification  *struct {
		StreamViewType string `yaml:"StreamViewType"`
	} `yaml:"StreamSpecification"`
	TimeToLive *struct {
		AttributeName string `yaml:"AttributeName"`
		Enabled       bool   `yaml:"Enabled"`
	} `yaml:"TimeToLiveSpecification"`
}

type cfnAttribute struct {
	AttributeName string `yaml:"AttributeName"`
	AttributeType string `yaml:"AttributeType"`
}

type cfnKey struct {
	AttributeName string `yaml:"AttributeName"`
	KeyType       string `yaml:"KeyType"`
}

type cfnIndex struct {
	IndexName  string   `yaml:"IndexName"`
	KeySchema  []cfnKey `yaml:"KeySchema"`
	Projection struct {
		ProjectionType   string   `yaml:"ProjectionType"`
		NonKeyAttributes []string `yaml:"NonKeyAttributes"`
	} `yaml:"Projection"`
	Throughput *cfnThroughput `yaml:"ProvisionedThroughput"`
}

type cfnThroughput struct {
	ReadCapacityUnits  int64 `yaml:"ReadCapacityUnits"`
	WriteCapacityUnits int64 `yaml:"WriteCapacityUnits"`
}

// ReadTables returns every AWS::DynamoDB::Table resource of the template, sorted by
// logical ID.
func ReadTables(templatePath string) ([]TableSpec, error) {
	data, err := os.ReadFile(templatePath)
	if err != nil {
		return nil, err
	}
	// Decoding into yaml.Node keeps CloudFormation tags (!Ref, !Sub, ...) as plain
	// tagged nodes; only the table properties below are decoded into structs.
	var doc struct {
		Resources map[string]struct {
			Type       string    `yaml:"Type"`
			Properties yaml.Node `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("localstack: %s: %w", templatePath, err)
	}
	var specs []TableSpec
	for id, res := range doc.Resources {
		if res.Type != "AWS::DynamoDB::Table" {
			continue
		}
		var t cfnTable
		if err := res.Properties.Decode(&t); err != nil {
			return nil, fmt.Errorf("localstack: table %s: %w", id, err)
		}
		spec, err := t.spec(id)
		if err != nil {
			return nil, err
		}
		specs = append(specs, spec)
	}
	sort.Slice(specs, func(i, j int) bool { return specs[i].LogicalID < specs[j].LogicalID })
	return specs, nil
}

func (t cfnTable) spec(id string) (TableSpec, error) {
	if len(t.KeySchema) == 0 {
		return TableSpec{}, fmt.Errorf("localstack: table %s has no KeySchema", id)
	}
	in := dynamodb.CreateTableInput{
		KeySchema:   keySchema(t.KeySchema),
		BillingMode: types.BillingModePayPerRequest,
	}
	for _, a := range t.AttributeDefinitions {
		in.AttributeDefinitions = append(in.AttributeDefinitions, types.AttributeDefinition{
			AttributeName: aws.String(a.AttributeName),
			AttributeType: types.ScalarAttributeType(a.AttributeType),
		})
	}
	provisioned := t.BillingMode == "PROVISIONED" || (t.BillingMode == "" && t.Throughput != nil)
	if provisioned {
		in.BillingMode = types.BillingModeProvisioned
		in.ProvisionedThroughput = throughput(t.Throughput)
	}
	for _, g := range t.GlobalSecondaryIndex {
		gsi := types.GlobalSecondaryIndex{
			IndexName:  aws.String(g.IndexName),
			KeySchema:  keySchema(g.KeySchema),
			Projection: projection(g),
		}
		if provisioned {
			gsi.ProvisionedThroughput = throughput(g.Throughput)
		}
		in.GlobalSecondaryIndexes = append(in.GlobalSecondaryIndexes, gsi)
	}
	for _, l := range t.LocalSecondaryIndex {
		in.LocalSecondaryIndexes = append(in.LocalSecondaryIndexes, types.LocalSecondaryIndex{
			IndexName:  aws.String(l.IndexName),
			KeySchema:  keySchema(l.KeySchema),
			Projection: projection(l),
		})
	}
	if t.StreamSpecification != nil && t.StreamSpecification.StreamViewType != "" {
		in.StreamSpecification = &types.StreamSpecification{
			StreamEnabled:  aws.Bool(true),
			StreamViewType: types.StreamViewType(t.StreamSpecification.StreamViewType),
		}
	}
	spec := TableSpec{LogicalID: id, Create: in}
	if t.TimeToLive != nil && t.TimeToLive.Enabled {
		spec.TTLAttribute = t.TimeToLive.AttributeName
	}
	return spec, nil
}

func keySchema(keys []cfnKey) []types.KeySchemaElement {
	var out []types.KeySchemaElement
	for _, k := range keys {
		out = append(out, types.KeySchemaElement{
			AttributeName: aws.String(k.AttributeName),
			KeyType:       types.KeyType(k.KeyType),
		})
	}
	return out
}

func projection(ix cfnIndex) *types.Projection {
	p := &types.Projection{ProjectionType: types.ProjectionType(ix.Projection.ProjectionType)}
	if p.ProjectionType == "" {
		p.ProjectionType = types.ProjectionTypeKeysOnly // CloudFormation's default
	}
	if len(ix.Projection.NonKeyAttributes) > 0 {
		p.NonKeyAttributes = ix.Projection.NonKeyAttributes
	}
	return p
}

func throughput(t *cfnThroughput) *types.ProvisionedThroughput {
	if t == nil {
		t = &cfnThroughput{ReadCapacityUnits: 5, WriteCapacityUnits: 5}
	}
	return &types.ProvisionedThroughput{
		ReadCapacityUnits:  aws.Int64(t.ReadCapacityUnits),
		WriteCapacityUnits: aws.Int64(t.WriteCapacityUnits),
	}
}

// CreateTables creates every table of the template, named nameFor(logicalID), with
// its stream when the template gives it a StreamSpecification; a table for which
// nameFor returns "" is left out. A table that already exists keeps its data (only
// its stream is turned on, see CreateTable), so this is safe to run against
// persisted data.
func CreateTables(ctx context.Context, client *dynamodb.Client, templatePath string, nameFor func(logicalID string) string) error {
	specs, err := ReadTables(templatePath)
	if err != nil {
		return err
	}
	for _, spec := range specs {
		name := nameFor(spec.LogicalID)
		if name == "" {
			continue
		}
		if err := CreateTable(ctx, client, spec, name); err != nil {
			return err
		}
	}
	return nil
}

// CreateTable creates one table from its spec under the given name, then turns on
// its TTL. An existing table of that name keeps its data and settings, except that
// it gets the spec's global secondary indexes it lacks (ensureIndexes) and its stream is
// turned on when the spec has one (ensureStream).
func CreateTable(ctx context.Context, client *dynamodb.Client, spec TableSpec, name string) error {
	in := spec.Create // a copy; the slices are only read
	in.TableName = aws.String(name)
	_, err := client.CreateTable(ctx, &in)
	var inUse *types.ResourceInUseException
	if errors.As(err, &inUse) {
		// Data kept from an earlier run: the table stays, but its indexes and stream
		// are made what the template now says.
		if err := ensureIndexes(ctx, client, spec, name); err != nil {
			return err
		}
		return ensureStream(ctx, client, spec, name)
	}
	if err != nil {
		return fmt.Errorf("localstack: create table %s (%s): %w", name, spec.LogicalID, err)
	}
	// DynamoDB Local makes tables ACTIVE at once; the waiter costs one DescribeTable.
	waiter := dynamodb.NewTableExistsWaiter(client)
	if err := waiter.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)}, 30*time.Second); err != nil {
		return fmt.Errorf("localstack: table %s: %w", name, err)
	}
	if spec.TTLAttribute != "" {
		_, err := client.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
			TableName: aws.String(name),
			TimeToLiveSpecification: &types.TimeToLiveSpecification{
				AttributeName: aws.String(spec.TTLAttribute),
				Enabled:       aws.Bool(true),
			},
		})
		if err != nil {
			return fmt.Errorf("localstack: TTL on table %s: %w", name, err)
		}
	}
	return nil
}

// ensureIndexes creates the spec's global secondary indexes an existing table lacks (one
// UpdateTable each, as CloudFormation adds them; DynamoDB backfills them from the items).
func ensureIndexes(ctx context.Context, client *dynamodb.Client, spec TableSpec, name string) error {
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("localstack: table %s: %w", name, err)
	}
	have := map[string]bool{}
	for _, ix := range out.Table.GlobalSecondaryIndexes {
		have[aws.ToString(ix.IndexName)] = true
	}
	for _, ix := range spec.Create.GlobalSecondaryIndexes {
		if have[aws.ToString(ix.IndexName)] {
			continue
		}
		if _, err := client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(name),
			AttributeDefinitions: spec.Create.AttributeDefinitions,
			GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{
				IndexName: ix.IndexName, KeySchema: ix.KeySchema, Projection: ix.Projection, ProvisionedThroughput: ix.ProvisionedThroughput}}},
		}); err != nil {
			return fmt.Errorf("localstack: adding index %s to table %s: %w", aws.ToString(ix.IndexName), name, err)
		}
	}
	return nil
}

// ensureStream turns on the stream of an existing table whose spec has one: a table
// created before the template had a StreamSpecification gets it, and one with another
// StreamViewType gets a new stream of the template's type (a stream's view type
// cannot change, so the old one is turned off first, as CloudFormation replaces it).
func ensureStream(ctx context.Context, client *dynamodb.Client, spec TableSpec, name string) error {
	want := spec.Create.StreamSpecification
	if want == nil {
		return nil
	}
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		return fmt.Errorf("localstack: table %s: %w", name, err)
	}
	have := out.Table.StreamSpecification
	if have != nil && aws.ToBool(have.StreamEnabled) {
		if have.StreamViewType == want.StreamViewType {
			return nil
		}
		if _, err := client.UpdateTable(ctx, &dynamodb.UpdateTableInput{
			TableName:           aws.String(name),
			StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(false)},
		}); err != nil {
			return fmt.Errorf("localstack: turning off the %s stream of table %s: %w", have.StreamViewType, name, err)
		}
	}
	if _, err := client.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: aws.String(name), StreamSpecification: want}); err != nil {
		return fmt.Errorf("localstack: turning on the stream of table %s: %w", name, err)
	}
	return nil
}

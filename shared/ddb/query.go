package ddb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Every Query of the Store reads its pages with the SDK's paginator, through queryPages:
// queryAll for every item, queryPage (and listPartition) for one page of an API list. The
// client wrapper meters each page (client.go).

// queryPages runs in with the SDK's paginator from in.ExclusiveStartKey (nil: the start),
// handing each page to each until each returns false or the query is read to its end.
// Every page asks for in.Limit items (nil: DynamoDB's 1 MB).
func (s *Store) queryPages(ctx context.Context, in *dynamodb.QueryInput, each func(*dynamodb.QueryOutput) (more bool, err error)) error {
	p := dynamodb.NewQueryPaginator(queryOnly(s.db.Query), in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		if more, err := each(out); err != nil || !more {
			return err
		}
	}
	return nil
}

// queryOnly hands the SDK's paginator the one call it makes, not the whole client (so
// what a function may call stays visible: infra/apicontract walks it).
type queryOnly func(context.Context, *dynamodb.QueryInput, ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error)

func (q queryOnly) Query(ctx context.Context, in *dynamodb.QueryInput, optFns ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	return q(ctx, in, optFns...)
}

// queryAll returns every item of in, all pages.
func (s *Store) queryAll(ctx context.Context, in *dynamodb.QueryInput) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	err := s.queryPages(ctx, in, func(out *dynamodb.QueryOutput) (bool, error) {
		items = append(items, out.Items...)
		return true, nil
	})
	return items, err
}

// queryPage reads one page of an API list (the paging contract of cursor.NewPage): up to
// limit items of in from in.ExclusiveStartKey, and next, the position of the last one when
// more follow ("" on the last page). It asks for limit+1 items, so that a full last page
// is known to be the last (it sets in.Limit). A position is a sort key: SK, or GSI1SK for
// a Query of GSI1.
func (s *Store) queryPage(ctx context.Context, in *dynamodb.QueryInput, limit int) (items []map[string]types.AttributeValue, next string, err error) {
	in.Limit = aws.Int32(int32(limit + 1))
	err = s.queryPages(ctx, in, func(out *dynamodb.QueryOutput) (bool, error) {
		items = append(items, out.Items...)
		return len(items) <= limit, nil
	})
	if err != nil || len(items) <= limit {
		return items, "", err
	}
	pos := "SK"
	if in.IndexName != nil {
		pos = "GSI1SK"
	}
	return items[:limit], str(items[limit-1], pos), nil
}

// partition is a Query of one partition of the table: the items of PK whose sort key
// starts with Prefix ("" for all of them), in ascending (Forward) or descending sort-key
// order, strongly consistent or not.
type partition struct {
	PK, Prefix string
	// From, when set, bounds the sort keys below (inclusive; it begins with Prefix).
	From                string
	Forward, Consistent bool
}

// input is the QueryInput of q from the sort key after ("" for the start).
func (q partition) input(s *Store, after string) (*dynamodb.QueryInput, error) {
	kc := expression.Key("PK").Equal(expression.Value(q.PK))
	switch {
	case q.From != "": // every key under Prefix sorts below Prefix+DEL
		kc = kc.And(expression.Key("SK").Between(expression.Value(q.From), expression.Value(q.Prefix+"\x7f")))
	case q.Prefix != "":
		kc = kc.And(expression.Key("SK").BeginsWith(q.Prefix))
	}
	e, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ScanIndexForward: aws.Bool(q.Forward), ConsistentRead: aws.Bool(q.Consistent)}
	if after != "" {
		in.ExclusiveStartKey = key(q.PK, after)
	}
	return in, nil
}

// listPartition reads one page of q after the sort key after (queryPage), each item
// unmarshalled as its item type I and turned into T by conv.
func listPartition[I, T any](ctx context.Context, s *Store, q partition, after string, limit int, conv func(I) T) ([]T, string, error) {
	in, err := q.input(s, after)
	if err != nil {
		return nil, "", err
	}
	items, next, err := s.queryPage(ctx, in, limit)
	if err != nil {
		return nil, "", err
	}
	out, err := decode(items, conv)
	return out, next, err
}

// decode unmarshals items as I and turns each into T with conv.
func decode[I, T any](items []map[string]types.AttributeValue, conv func(I) T) ([]T, error) {
	out := make([]T, 0, len(items))
	for _, raw := range items {
		var it I
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return nil, err
		}
		out = append(out, conv(it))
	}
	return out, nil
}

// asIs is the conv of an item stored as its domain type.
func asIs[T any](v T) T { return v }

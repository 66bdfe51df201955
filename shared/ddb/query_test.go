package ddb

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type testRow struct {
	N    int  `dynamodbav:"n"`
	Keep bool `dynamodbav:"keep"`
}

// rows writes n items T#00 … in partition pk, every third one with keep false.
func rows(t *testing.T, s *Store, pk string, n int) {
	t.Helper()
	var reqs []types.WriteRequest
	for i := 0; i < n; i++ {
		it, err := item(pk, fmt.Sprintf("T#%02d", i), "test", testRow{N: i, Keep: i%3 != 2})
		if err != nil {
			t.Fatal(err)
		}
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
	}
	if err := s.batchWrite(context.Background(), reqs); err != nil {
		t.Fatal(err)
	}
}

func ns(t *testing.T, items []map[string]types.AttributeValue) []int {
	t.Helper()
	out, err := decode(items, func(r testRow) int { return r.N })
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// queryPages goes on from DynamoDB page to DynamoDB page (here pages of Limit items) until
// the query ends or the caller stops; queryAll reads them all.
func TestQueryPagesFollowsEveryPage(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	log := &meterLog{}
	log.take()
	s := internalStore(t).WithMeter(log.record)
	rows(t, s, "P#all", 7)
	log.take()
	in, err := partition{PK: "P#all", Prefix: "T#", Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		t.Fatal(err)
	}
	in.Limit = aws.Int32(2)
	all, err := s.queryAll(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if got := ns(t, all); !slices.Equal(got, []int{0, 1, 2, 3, 4, 5, 6}) {
		t.Errorf("queryAll: %v", got)
	}
	if calls, _ := log.take(); calls["Query"] != 4 {
		t.Errorf("queryAll made %d Query calls for 7 items in pages of 2, want 4", calls["Query"])
	}
	pages := 0
	if err := s.queryPages(ctx, in, func(*dynamodb.QueryOutput) (bool, error) { pages++; return pages < 2, nil }); err != nil {
		t.Fatal(err)
	}
	if calls, _ := log.take(); pages != 2 || calls["Query"] != 2 {
		t.Errorf("stopped after %d pages and %d calls, want 2 and 2", pages, calls["Query"])
	}
	// Descending, from a position.
	desc, err := partition{PK: "P#all", Prefix: "T#"}.input(s, "T#04")
	if err != nil {
		t.Fatal(err)
	}
	desc.Limit = aws.Int32(3)
	got, err := s.queryAll(ctx, desc)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ns(t, got), []int{3, 2, 1, 0}) {
		t.Errorf("descending after T#04: %v", ns(t, got))
	}
}

// queryPage serves API pages: up to limit items and the position to go on from, none on
// the last page, also when a DynamoDB page comes back with fewer items than it asked for
// (here a filter drops every third item; in AWS the 1 MB cap does the same).
func TestQueryPageAcrossDynamoDBPages(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	log := &meterLog{}
	log.take()
	s := internalStore(t).WithMeter(log.record)
	rows(t, s, "P#list", 10) // kept: 0 1 3 4 6 7 9
	for _, limit := range []int{1, 2, 3, 6, 7, 50} {
		var got []int
		after, pages := "", 0
		for {
			e, err := expression.NewBuilder().
				WithKeyCondition(expression.Key("PK").Equal(expression.Value("P#list")).And(expression.Key("SK").BeginsWith("T#"))).
				WithFilter(expression.Name("keep").Equal(expression.Value(true))).Build()
			if err != nil {
				t.Fatal(err)
			}
			in := &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(), FilterExpression: e.Filter(),
				ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ConsistentRead: aws.Bool(true)}
			if after != "" {
				in.ExclusiveStartKey = key("P#list", after)
			}
			log.take()
			items, next, err := s.queryPage(ctx, in, limit)
			if err != nil {
				t.Fatal(err)
			}
			if calls, _ := log.take(); limit == 2 && after == "" && calls["Query"] < 2 {
				t.Errorf("limit 2: the first page took %d Query calls; the filter should have forced a second", calls["Query"])
			}
			if len(items) > limit || (next != "" && len(items) != limit) {
				t.Errorf("limit %d: a page of %d items with next %q", limit, len(items), next)
			}
			got = append(got, ns(t, items)...)
			pages++
			if next == "" {
				break
			}
			if want := fmt.Sprintf("T#%02d", ns(t, items)[len(items)-1]); next != want {
				t.Errorf("limit %d: next %q, want the last item's sort key %q", limit, next, want)
			}
			after = next
		}
		if !slices.Equal(got, []int{0, 1, 3, 4, 6, 7, 9}) {
			t.Errorf("limit %d: pages gave %v", limit, got)
		}
		if want := (7 + limit - 1) / limit; pages != want {
			t.Errorf("limit %d: %d pages, want %d (no empty last page)", limit, pages, want)
		}
	}
}

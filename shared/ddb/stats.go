package ddb

import (
	"context"
	"math/rand/v2"
	"slices"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/stats"
)

// Counters are sharded: each write adds to one random shard of each scope, so that
// concurrent registrations seldom touch the same item (a transaction conflict would make
// them retry) and no partition takes every write; a read sums the shards of the scope
// and the bulk import's totals (one BatchGetItem of known keys).
const statsShards = 10

// statsShard is one shard of a scope's counters (statsUpdate adds to the same names).
type statsShard struct {
	Teachers       int64 `dynamodbav:"teachers"`
	Schools        int64 `dynamodbav:"schools"`
	ActiveProjects int64 `dynamodbav:"activeProjects"`
}

// statsUpdates are the transaction items that add d to "ALL" and to each country (each
// once; empty codes are skipped). Nothing when d is zero.
func (s *Store) statsUpdates(d stats.Delta, countries ...string) ([]txItem, error) {
	if d.IsZero() {
		return nil, nil
	}
	scopes := []string{stats.All}
	for _, c := range countries {
		if c != "" && !slices.Contains(scopes, c) {
			scopes = append(scopes, c)
		}
	}
	var items []txItem
	for _, scope := range scopes {
		it, err := s.statsUpdate(scope, d)
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// statsUpdate adds d to one random shard of scope.
func (s *Store) statsUpdate(scope string, d stats.Delta) (txItem, error) {
	upd := expression.Add(expression.Name("teachers"), expression.Value(d.Teachers)).
		Add(expression.Name("schools"), expression.Value(d.Schools)).
		Add(expression.Name("activeProjects"), expression.Value(d.ActiveProjects))
	return s.update(key(statsPK(scope, rand.IntN(statsShards)), skStatsCount), expression.NewBuilder().WithUpdate(upd), nil)
}

// statsKeys are the keys GetStats sums for scope.
func statsKeys(scope string) []map[string]types.AttributeValue {
	keys := make([]map[string]types.AttributeValue, 0, statsShards+1)
	for n := 0; n < statsShards; n++ {
		keys = append(keys, key(statsPK(scope, n), skStatsCount))
	}
	return append(keys, key(statsPK(scope, 0), skStatsBulk))
}

// BulkStatsItem is the item of a bulk import's totals for scope (docs/import.md): written
// once, with a plain put, by an import into a new table; the API's writes add to the
// shards beside it.
func BulkStatsItem(scope string, c stats.Counts) (map[string]types.AttributeValue, error) {
	return item(statsPK(scope, 0), skStatsBulk, "stats", statsShard{Teachers: c.Teachers, Schools: c.Schools, ActiveProjects: c.ActiveProjects})
}

// GetStats implements stats.Store: the sum of the scope's shards and bulk totals (one
// BatchGetItem).
func (s *Store) GetStats(ctx context.Context, scope string) (stats.Counts, error) {
	found, err := s.batchGet(ctx, statsKeys(scope))
	if err != nil {
		return stats.Counts{}, err
	}
	var sum stats.Counts
	for _, it := range found {
		var c statsShard
		if err := attributevalue.UnmarshalMap(it, &c); err != nil {
			return stats.Counts{}, err
		}
		sum.Teachers += c.Teachers
		sum.Schools += c.Schools
		sum.ActiveProjects += c.ActiveProjects
	}
	return sum, nil
}

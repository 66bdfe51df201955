package ddb

import (
	"context"
	"math/rand/v2"
	"slices"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"etwin/shared/stats"
)

// Counters are sharded: each write adds to one random shard of each scope, so that
// concurrent registrations seldom touch the same item (a transaction conflict would make
// them retry); a read sums the shards of the scope with one Query.
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
	return s.update(key(statsPK(scope), statsShardSK(rand.IntN(statsShards))), expression.NewBuilder().WithUpdate(upd), nil)
}

// GetStats implements stats.Store: the sum of the scope's shards (one Query).
func (s *Store) GetStats(ctx context.Context, scope string) (stats.Counts, error) {
	in, err := partition{PK: statsPK(scope), Forward: true}.input(s, "")
	if err != nil {
		return stats.Counts{}, err
	}
	items, err := s.queryAll(ctx, in)
	if err != nil {
		return stats.Counts{}, err
	}
	shards, err := decode(items, asIs[statsShard])
	if err != nil {
		return stats.Counts{}, err
	}
	var sum stats.Counts
	for _, c := range shards {
		sum.Teachers += c.Teachers
		sum.Schools += c.Schools
		sum.ActiveProjects += c.ActiveProjects
	}
	return sum, nil
}

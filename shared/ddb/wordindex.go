package ddb

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The word index is the one mechanism behind every word search (schools, forum posts,
// resources). A thing is indexed under each of its index words in each of its scopes:
//
//	PK <index>WORD#<scope>#<first 2 letters of the word>   SK <word>#<order>
//
// where order orders the things of one word (an id, or a newest-first key and an id).
// Entries are written and removed in the same transaction as the thing itself. A search
// Queries the partition of its lead word (the longest) with begins_with(SK, lead) and
// keeps the entries its other words allow; the work per page is bounded, so a page may
// come back short with a position to go on from.
type wordIndex string

const (
	schoolWords   wordIndex = "SCHOOL"
	postWords     wordIndex = "POST"
	resourceWords wordIndex = "RESOURCE"
)

// entryRef is what every entry carries: the id of the thing it finds.
type entryRef struct {
	Ref string `dynamodbav:"ref"`
}

// indexPuts are the transactional puts of the entries of one thing: payload (a struct
// or nil) is copied into each entry beside ref.
func (s *Store) indexPuts(ix wordIndex, scopes, words []string, order, ref string, payload any) ([]txItem, error) {
	var base map[string]types.AttributeValue
	if payload != nil {
		var err error
		if base, err = attributevalue.MarshalMap(payload); err != nil {
			return nil, err
		}
	}
	var out []txItem
	for _, w := range words {
		for _, scope := range scopes {
			it, err := item(ix.pk(scope, w), ix.sk(w, order), strings.ToLower(string(ix))+"Word", entryRef{Ref: ref})
			if err != nil {
				return nil, err
			}
			for k, v := range base {
				if _, taken := it[k]; !taken {
					it[k] = v
				}
			}
			out = append(out, s.put(it))
		}
	}
	return out, nil
}

// indexDeletes are the transactional deletes of the entries of one thing.
func (s *Store) indexDeletes(ix wordIndex, scopes, words []string, order string) []txItem {
	var out []txItem
	for _, w := range words {
		for _, scope := range scopes {
			out = append(out, txItem{write: types.TransactWriteItem{Delete: &types.Delete{
				TableName: s.tableName(), Key: key(ix.pk(scope, w), ix.sk(w, order))}}})
		}
	}
	return out
}

// wordDiff splits an edit's index words into the entries to remove and to add.
func wordDiff(old, new []string) (gone, added []string) {
	inOld := map[string]bool{}
	for _, w := range old {
		inOld[w] = true
	}
	inNew := map[string]bool{}
	for _, w := range new {
		inNew[w] = true
		if !inOld[w] {
			added = append(added, w)
		}
	}
	for _, w := range old {
		if !inNew[w] {
			gone = append(gone, w)
		}
	}
	return gone, added
}

// indexEntry is one entry read by a search.
type indexEntry struct {
	Word string // the word it is filed under
	SK   string // its position
	Ref  string // the thing it finds
	Item map[string]types.AttributeValue
}

// searchBudget bounds the entries one page of a search reads.
const searchBudget = 300

// wordSearch reads the index partition of lead in scope from the position after ("" for
// the start) and hands each batch of entries to pick, which returns the hits among them
// (aligned with the batch, nil for an entry that is not one). It returns up to limit
// hits and next, the position to go on from: "" when the partition is exhausted; when
// more may follow, after limit hits or after searchBudget entries (a short page).
func wordSearch[T any](ctx context.Context, s *Store, ix wordIndex, scope, lead, after string, limit int,
	pick func(ctx context.Context, batch []indexEntry) ([]*T, error)) (hits []T, next string, err error) {
	in, err := partition{PK: ix.pk(scope, lead), Prefix: lead, Forward: true}.input(s, after)
	if err != nil {
		return nil, "", err
	}
	in.Limit = aws.Int32(int32(min(max(limit+1, 25), 100)))
	var positions []string
	read := 0
	err = s.queryPages(ctx, in, func(out *dynamodb.QueryOutput) (bool, error) {
		batch := make([]indexEntry, 0, len(out.Items))
		for _, raw := range out.Items {
			sk := str(raw, "SK")
			word, _, _ := strings.Cut(sk, "#")
			batch = append(batch, indexEntry{Word: word, SK: sk, Ref: str(raw, "ref"), Item: raw})
		}
		read += len(batch)
		picked, err := pick(ctx, batch)
		if err != nil {
			return false, err
		}
		for i, h := range picked {
			if h == nil {
				continue
			}
			hits = append(hits, *h)
			positions = append(positions, batch[i].SK)
			if len(hits) > limit { // one more than asked: there is a next page
				hits, next = hits[:limit], positions[limit-1]
				return false, nil
			}
		}
		if out.LastEvaluatedKey != nil && read >= searchBudget {
			next = str(out.LastEvaluatedKey, "SK")
			if len(hits) == limit {
				next = positions[limit-1]
			}
			return false, nil
		}
		return true, nil // on to the next page, if any
	})
	if err != nil {
		return nil, "", err
	}
	return hits, next, nil
}

// batchGet reads items by key (any number, 100 per call, unprocessed keys retried as in
// batchWrite) and
// returns them by "PK|SK"; missing items are absent from the map.
func (s *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) (map[string]map[string]types.AttributeValue, error) {
	found := map[string]map[string]types.AttributeValue{}
	for start := 0; start < len(keys); start += 100 {
		pending := map[string]types.KeysAndAttributes{*s.tableName(): {Keys: keys[start:min(start+100, len(keys))], ConsistentRead: aws.Bool(true)}}
		for attempt := 1; ; attempt++ {
			out, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: pending})
			if err != nil {
				return nil, err
			}
			for _, it := range out.Responses[s.table] {
				found[keyRef(str(it, "PK"), str(it, "SK"))] = it
			}
			if pending = out.UnprocessedKeys; len(pending) == 0 {
				break
			}
			if err := s.db.waitUnprocessed(ctx, attempt); err != nil {
				return nil, err
			}
		}
	}
	return found, nil
}

package ddb

import (
	"context"
	"errors"
	"maps"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/directory"
	"etwin/shared/member"
)

// catAttr is the index-entry attribute that lists a member's values of a filter kind.
var catAttr = map[string]string{
	"country": "countries", "subject": "subjects", "ageGroup": "ageGroups",
	"language": "languages", "interest": "interests", "schoolType": "schoolTypes",
}

// maxTx is DynamoDB's limit of items per transaction.
const maxTx = 100

// memberIndex is THE place that computes a member's search-index items (registration,
// profile edits, added schools and bulk loads all use it), with their keys as "PK|SK".
// Staff accounts have none.
func memberIndex(m member.Member) (items []map[string]types.AttributeValue, keys []string, err error) {
	e, ok := directory.EntryOf(m)
	if !ok {
		return nil, nil, nil
	}
	body, err := attributevalue.MarshalMap(memberHitItemOf(e.Hit))
	if err != nil {
		return nil, nil, err
	}
	if body["schools"], err = schoolRefsValue(e.Hit.Schools); err != nil { // member.SchoolRef has no storage tags
		return nil, nil, err
	}
	body["wordsText"] = &types.AttributeValueMemberS{Value: e.WordsText()}
	for kind, values := range e.Categories {
		body[catAttr[kind]] = &types.AttributeValueMemberSS{Value: values}
	}
	add := func(pk, sk string) {
		it := make(map[string]types.AttributeValue, len(body)+3)
		for k, v := range body {
			it[k] = v
		}
		maps.Copy(it, key(pk, sk))
		it["kind"] = &types.AttributeValueMemberS{Value: "memberIndex"}
		items = append(items, it)
		keys = append(keys, keyRef(pk, sk))
	}
	for _, w := range e.Words {
		add(memberWordPK(w), memberWordSK(w, m.MemberID))
	}
	sk := memberCatSK(e.SortName, m.MemberID)
	for _, kind := range directory.Kinds {
		for _, v := range e.Categories[kind] {
			add(memberCatPK(kind, v), sk)
		}
	}
	add(memberAllPK, sk)
	return items, keys, nil
}

// versionIs is the condition that the member's index is still at version v.
func versionIs(v int) expression.ConditionBuilder {
	if v == 0 {
		return expression.AttributeNotExists(expression.Name("indexVersion"))
	}
	return expression.Name("indexVersion").Equal(expression.Value(v))
}

// setIndex records the member's index keys and version in an update of the member item.
func setIndex(up expression.UpdateBuilder, keys []string, version int) expression.UpdateBuilder {
	up = up.Set(expression.Name("indexVersion"), expression.Value(version))
	if len(keys) == 0 {
		return up.Remove(expression.Name("indexKeys"))
	}
	return up.Set(expression.Name("indexKeys"), expression.Value(&types.AttributeValueMemberSS{Value: keys}))
}

// commitMember writes a member change and replaces the member's search index with the
// one of m, the member as it will be. base builds the change's transaction items given the
// index keys to record on the member item (which the change also moves from version to
// version+1, under the condition that it is still at version). The index writes are puts
// of every new entry and deletes of the keys in oldKeys that m no longer has.
//
// When everything fits in one transaction (100 items), it is one transaction. Otherwise
// the first transaction holds the change and as many index writes as fit, and records the
// union of the old and new keys on the member; the rest follow in transactions that each
// check the member is still at version+1 (a newer change takes over the clean-up), the last
// one recording the new keys. A crash between them leaves extra entries that the next
// change of the member deletes.
func (s *Store) commitMember(ctx context.Context, m member.Member, version int, oldKeys []string,
	base func(indexKeys []string) ([]txItem, error)) error {
	items, newKeys, err := memberIndex(m)
	if err != nil {
		return err
	}
	writes := make([]txItem, 0, len(items)+len(oldKeys))
	for _, it := range items {
		writes = append(writes, s.put(it))
	}
	keep := make(map[string]bool, len(newKeys))
	for _, k := range newKeys {
		keep[k] = true
	}
	union := append([]string{}, newKeys...)
	for _, k := range oldKeys {
		if !keep[k] {
			writes = append(writes, txItem{write: types.TransactWriteItem{Delete: &types.Delete{TableName: s.tableName(), Key: splitKey(k)}}})
			union = append(union, k)
		}
	}
	sort.Strings(newKeys)
	sort.Strings(union)
	first, err := base(newKeys)
	if err != nil {
		return err
	}
	if len(first)+len(writes) <= maxTx {
		return s.transact(ctx, append(first, writes...))
	}
	if first, err = base(union); err != nil {
		return err
	}
	n := min(len(writes), maxTx-len(first))
	if err := s.transact(ctx, append(first, writes[:n]...)); err != nil {
		return err
	}
	writes = writes[n:]
	mk := key(memberPK(m.MemberID), skProfile)
	superseded := func(map[string]types.AttributeValue) error { return errStale }
	for len(writes) > 0 {
		n := min(len(writes), maxTx-1)
		chunk := append([]txItem{}, writes[:n]...)
		writes = writes[n:]
		if len(writes) == 0 {
			done, err := s.update(mk, expression.NewBuilder().WithCondition(versionIs(version+1)).
				WithUpdate(setIndex(expression.UpdateBuilder{}, newKeys, version+1)), superseded)
			if err != nil {
				return err
			}
			chunk = append(chunk, done)
		} else {
			e, err := expression.NewBuilder().WithCondition(versionIs(version + 1)).Build()
			if err != nil {
				return err
			}
			chunk = append(chunk, txItem{write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
				TableName: s.tableName(), Key: mk, ConditionExpression: e.Condition(),
				ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}}, onFail: superseded})
		}
		if err := s.transact(ctx, chunk); err != nil {
			if errors.Is(err, errStale) {
				return nil // a newer change of the member rewrites the index
			}
			return err
		}
	}
	return nil
}

// SearchMembers implements directory.Store: a Query of the plan's driver partition from
// after, in sort-key order, reading at most budget entries; the other conditions are a
// FilterExpression (the words as contains(wordsText, " <word>"), the categories as
// contains(<set>, value)), and the word-index duplicates are dropped in code.
func (s *Store) SearchMembers(ctx context.Context, p directory.Plan, after string, limit, budget int) ([]directory.Hit, string, error) {
	var pk string
	var kc expression.KeyConditionBuilder
	switch {
	case p.Word != "":
		pk = memberWordPK(p.Word)
		kc = expression.Key("PK").Equal(expression.Value(pk)).And(expression.Key("SK").BeginsWith(p.Word))
	case p.Kind != "":
		pk = memberCatPK(p.Kind, p.Value)
		kc = expression.Key("PK").Equal(expression.Value(pk))
	default:
		pk = memberAllPK
		kc = expression.Key("PK").Equal(expression.Value(pk))
	}
	b := expression.NewBuilder().WithKeyCondition(kc)
	var conds []expression.ConditionBuilder
	for _, w := range p.Words {
		conds = append(conds, expression.Contains(expression.Name("wordsText"), " "+w))
	}
	for _, f := range p.Filters {
		conds = append(conds, expression.Contains(expression.Name(catAttr[f.Kind]), f.Value))
	}
	switch len(conds) {
	case 0:
	case 1:
		b = b.WithFilter(conds[0])
	default:
		b = b.WithFilter(expression.And(conds[0], conds[1], conds[2:]...))
	}
	e, err := b.Build()
	if err != nil {
		return nil, "", err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(),
		FilterExpression: e.Filter(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}
	if after != "" {
		in.ExclusiveStartKey = key(pk, after)
	}
	var hits []directory.Hit
	var positions []string
	want := limit + 1 // one more than a page: whether a next page follows
	read := 0
	step := 0
	for {
		// Read just enough when every entry is a hit; otherwise start at a few pages'
		// worth and double, within the budget. (Not queryPages: the SDK's paginator asks
		// every page for the same Limit, and this step grows.)
		need := want - len(hits)
		if p.Exact() {
			step = need
		} else if step == 0 {
			step = max(4*need, 50)
		} else {
			step *= 2
		}
		step = min(step, budget-read)
		in.Limit = aws.Int32(int32(step))
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, "", err
		}
		read += int(out.ScannedCount)
		for _, raw := range out.Items {
			sk := str(raw, "SK")
			if p.Word != "" {
				entryWord, _, _ := strings.Cut(sk, "#")
				if !p.Counts(entryWord, str(raw, "wordsText")) {
					continue
				}
			}
			var h memberHitItem
			if err := attributevalue.UnmarshalMap(raw, &h); err != nil {
				return nil, "", err
			}
			hits = append(hits, h.hit())
			positions = append(positions, sk)
			if len(hits) == want {
				return hits[:limit], positions[limit-1], nil
			}
		}
		if out.LastEvaluatedKey == nil {
			return hits, "", nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
		if read >= budget {
			return hits, str(out.LastEvaluatedKey, "SK"), nil
		}
	}
}

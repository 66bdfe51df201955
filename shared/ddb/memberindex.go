package ddb

import (
	"context"
	"errors"
	"maps"
	"sort"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/directory"
	"etwin/shared/fold"
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
// profile edits, added schools and bulk loads all use it), with their keys as "PK|SK": a
// teacher is filed under each word of their own names (a handful of items; the words of
// their schools' names are found through the school word index, see SearchMembers), each
// entry carrying the hit and what the search's conditions test. Staff accounts have none.
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
	shard := shardOf(m.MemberID, memberWordShards)
	for _, w := range e.NameWords {
		pk, sk := memberWordPK(w, shard), memberWordSK(w, m.MemberID)
		it := make(map[string]types.AttributeValue, len(body)+3)
		maps.Copy(it, body)
		maps.Copy(it, key(pk, sk))
		it["kind"] = &types.AttributeValueMemberS{Value: "memberIndex"}
		items = append(items, it)
		keys = append(keys, keyRef(pk, sk))
	}
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

// SearchMembers implements directory.Store (the streams of directory.Plan). A position is
// the sort key of the last thing read: "N|<name-word entry SK>" in the first stream,
// "S|<school entry SK>[|<memberId>]" in the second (see schools), and a GSI1SK when there
// is no lead word. Every page reads at most
// budget entries (name-word entries, school entries, school members, member items).
func (s *Store) SearchMembers(ctx context.Context, p directory.Plan, after string, limit, budget int) ([]directory.Hit, string, error) {
	r := &memberSearch{s: s, p: p, want: limit + 1, budget: budget}
	var err error
	switch {
	case p.Word == "":
		err = r.all(ctx, after)
	case strings.HasPrefix(after, "S|"):
		err = r.schools(ctx, after[2:])
	default:
		if err = r.names(ctx, strings.TrimPrefix(after, "N|")); err == nil && r.exhausted {
			r.at, r.exhausted = "S|", false // on to the second stream, now or on the next page
			if !r.stopped() {
				err = r.schools(ctx, "")
			}
		}
	}
	if err != nil {
		return nil, "", err
	}
	if len(r.hits) == r.want {
		return r.hits[:limit], r.positions[limit-1], nil
	}
	if r.read >= r.budget && !r.exhausted {
		return r.hits, r.at, nil
	}
	return r.hits, "", nil
}

// memberSearch is one page of a member search: the hits so far and their positions, the
// entries read against the budget, and the position of the last thing read.
type memberSearch struct {
	s         *Store
	p         directory.Plan
	want      int // hits wanted: a page and one more (whether a next page follows)
	budget    int
	read      int
	hits      []directory.Hit
	positions []string
	at        string // the position of the last thing read
	exhausted bool   // every stream was read to its end
}

func (r *memberSearch) stopped() bool { return len(r.hits) == r.want || r.read >= r.budget }

func (r *memberSearch) hit(h directory.Hit, pos string) {
	r.hits = append(r.hits, h)
	r.positions = append(r.positions, pos)
}

// step is how many items the next read of a partition asks for: just what the page still
// needs when every item is a hit; else a few pages' worth, within the budget.
func (r *memberSearch) step(parts int) int32 {
	need := r.want - len(r.hits)
	n := need
	if !r.p.Exact() {
		n = max(4*need, 50)
	}
	n = max(2, (n+parts-1)/parts+1)
	return int32(max(1, min(n, r.budget-r.read, 100)))
}

// conditions are the plan's words and filters as a FilterExpression on entries that carry
// wordsText and the category sets (name-word entries, member items).
func (r *memberSearch) conditions(b expression.Builder) expression.Builder {
	var conds []expression.ConditionBuilder
	for _, w := range r.p.Words {
		conds = append(conds, expression.Contains(expression.Name("wordsText"), " "+w))
	}
	for _, f := range r.p.Filters {
		conds = append(conds, expression.Contains(expression.Name(catAttr[f.Kind]), f.Value))
	}
	switch len(conds) {
	case 0:
		return b
	case 1:
		return b.WithFilter(conds[0])
	}
	return b.WithFilter(expression.And(conds[0], conds[1], conds[2:]...))
}

// all reads every teacher in name order: the GSI1 shards of the member items, merged.
func (r *memberSearch) all(ctx context.Context, after string) error {
	var ins []*dynamodb.QueryInput
	for shard := 0; shard < memberShards; shard++ {
		kc := expression.Key("GSI1PK").Equal(expression.Value(memberAllGSI1PK(shard)))
		if after != "" {
			kc = kc.And(expression.Key("GSI1SK").GreaterThan(expression.Value(after)))
		}
		e, err := r.conditions(expression.NewBuilder().WithKeyCondition(kc)).Build()
		if err != nil {
			return err
		}
		ins = append(ins, &dynamodb.QueryInput{TableName: r.s.tableName(), IndexName: aws.String("GSI1"),
			KeyConditionExpression: e.KeyCondition(), FilterExpression: e.Filter(),
			ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	}
	r.at = after
	return r.merge(ctx, ins, "GSI1SK", func(it map[string]types.AttributeValue) error {
		var mi memberItem
		if err := attributevalue.UnmarshalMap(it, &mi); err != nil {
			return err
		}
		if e, ok := directory.EntryOf(mi.toMember()); ok {
			r.hit(e.Hit, r.at)
		}
		return nil
	})
}

// names reads the first stream: the name-word entries of the lead word from after, its
// shards merged in sort-key order.
func (r *memberSearch) names(ctx context.Context, after string) error {
	w := r.p.Word
	lo, hi := w, w+"\U0010FFFF"
	if after != "" {
		lo = after + "\x00" // the smallest key after it
	}
	var ins []*dynamodb.QueryInput
	for shard := 0; shard < memberWordShards; shard++ {
		kc := expression.Key("PK").Equal(expression.Value(memberWordPK(w, shard))).
			And(expression.Key("SK").Between(expression.Value(lo), expression.Value(hi)))
		e, err := r.conditions(expression.NewBuilder().WithKeyCondition(kc)).Build()
		if err != nil {
			return err
		}
		ins = append(ins, &dynamodb.QueryInput{TableName: r.s.tableName(), KeyConditionExpression: e.KeyCondition(),
			FilterExpression: e.Filter(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	}
	r.at = "N|" + after
	return r.merge(ctx, ins, "SK", func(it map[string]types.AttributeValue) error {
		var h memberHitItem
		if err := attributevalue.UnmarshalMap(it, &h); err != nil {
			return err
		}
		entryWord, _, _ := strings.Cut(str(it, "SK"), "#")
		if r.p.Counts(entryWord, fold.Words(h.FirstName+" "+h.LastName)) {
			r.hit(h.hit(), r.at)
		}
		return nil
	})
}

// merge reads the partitions of ins (each a Query in the order of attr) as one sequence in
// that order, handing each item that passed the filter to visit, with r.at its position;
// it stops when the page is full or the budget spent (counting the items each Query
// scanned), and sets r.exhausted when every partition was read to its end.
func (r *memberSearch) merge(ctx context.Context, ins []*dynamodb.QueryInput, attr string, visit func(map[string]types.AttributeValue) error) error {
	type part struct {
		in   *dynamodb.QueryInput
		buf  []map[string]types.AttributeValue
		read bool // (at least once)
		done bool
		last string // the sort key of the last item the partition's Queries scanned
	}
	parts := make([]*part, len(ins))
	for i, in := range ins {
		parts[i] = &part{in: in}
	}
	for len(r.hits) < r.want {
		// the next item in order: the smallest buffered one, unless a partition with
		// nothing buffered (not read to its end) may still hold a smaller one: it has
		// scanned up to its last key (the items it filtered out), bound
		var next *part
		bound := ""
		for _, p := range parts {
			switch {
			case len(p.buf) > 0:
				if next == nil || str(p.buf[0], attr) < str(next.buf[0], attr) {
					next = p
				}
			case !p.done && (bound == "" || p.last < bound):
				bound = p.last
			}
		}
		if next != nil && (bound == "" || str(next.buf[0], attr) <= bound) {
			it := next.buf[0]
			next.buf = next.buf[1:]
			r.setAt(attr, str(it, attr))
			if err := visit(it); err != nil {
				return err
			}
			continue
		}
		if next == nil && bound == "" && parts[0].read {
			r.exhausted = true // (every partition read to its end)
			return nil
		}
		if bound != "" {
			r.setAt(attr, bound) // every partition is read up to bound
		}
		if r.read >= r.budget {
			return nil
		}
		// every partition with nothing buffered reads on, in parallel
		var wg sync.WaitGroup
		errs := make([]error, len(parts))
		scanned := make([]int, len(parts))
		step := r.step(len(parts))
		for i, p := range parts {
			if p.done || len(p.buf) > 0 {
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.in.Limit = aws.Int32(step)
				out, err := r.s.db.Query(ctx, p.in)
				if err != nil {
					errs[i] = err
					return
				}
				scanned[i] = int(out.ScannedCount)
				p.buf, p.read = out.Items, true
				if out.LastEvaluatedKey == nil {
					p.done = true
				} else {
					p.in.ExclusiveStartKey = out.LastEvaluatedKey
					p.last = str(out.LastEvaluatedKey, attr)
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		for _, n := range scanned {
			r.read += n
		}
	}
	return nil
}

// setAt records the position sk of the stream being read (attr tells which).
func (r *memberSearch) setAt(attr, sk string) {
	if attr == "SK" {
		r.at = "N|" + sk
	} else {
		r.at = sk
	}
}

// schools reads the second stream from pos: "" for its start, "<school entry SK>" at a
// school none of whose teachers was read yet, "<school entry SK>|<memberId>" after that
// teacher of the school, "<school entry SK>|" after the whole school: the schools whose names have a word starting with the lead word (the school
// word index, all countries), and for each one its teachers (its member links, then their
// member items), keeping each teacher where Plan.SchoolPosition counts them.
func (r *memberSearch) schools(ctx context.Context, pos string) error {
	entrySK, memberAfter, inside := strings.Cut(pos, "|")
	if entrySK != "" && (!inside || memberAfter != "") { // within that school: its other teachers first
		if err := r.schoolMembers(ctx, entrySK, memberAfter); err != nil || r.stopped() {
			return err
		}
	}
	w := r.p.Word
	pk := schoolWords.pk(scopeAll, w)
	lo, hi := w, w+"\U0010FFFF"
	if entrySK != "" {
		lo = entrySK + "\x00"
	}
	for !r.stopped() {
		e, err := expression.NewBuilder().WithKeyCondition(expression.Key("PK").Equal(expression.Value(pk)).
			And(expression.Key("SK").Between(expression.Value(lo), expression.Value(hi)))).
			WithProjection(expression.NamesList(expression.Name("SK"))).Build()
		if err != nil {
			return err
		}
		out, err := r.s.db.Query(ctx, &dynamodb.QueryInput{TableName: r.s.tableName(), KeyConditionExpression: e.KeyCondition(),
			ProjectionExpression: e.Projection(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			Limit: aws.Int32(int32(max(1, min(25, r.budget-r.read))))})
		if err != nil {
			return err
		}
		for _, it := range out.Items {
			if r.stopped() {
				return nil
			}
			r.read++
			sk := str(it, "SK")
			r.at = "S|" + sk // at the school, none of its teachers read yet
			if err := r.schoolMembers(ctx, sk, ""); err != nil {
				return err
			}
			lo = sk + "\x00"
		}
		if out.LastEvaluatedKey == nil && !r.stopped() {
			r.exhausted = true
			return nil
		}
	}
	return nil
}

// schoolMembers reads the teachers of the school of the school word entry entrySK
// ("<word>#<schoolId>") after memberAfter, keeping the hits counted at entrySK.
func (r *memberSearch) schoolMembers(ctx context.Context, entrySK, memberAfter string) error {
	_, schoolID, _ := strings.Cut(entrySK, "#")
	lo, hi := schoolMemberSK(""), schoolMemberSK("")+"\U0010FFFF"
	if memberAfter != "" {
		lo = schoolMemberSK(memberAfter) + "\x00"
	}
	for !r.stopped() {
		e, err := expression.NewBuilder().WithKeyCondition(expression.Key("PK").Equal(expression.Value(schoolPK(schoolID))).
			And(expression.Key("SK").Between(expression.Value(lo), expression.Value(hi)))).
			WithProjection(expression.NamesList(expression.Name("memberId"))).Build()
		if err != nil {
			return err
		}
		out, err := r.s.db.Query(ctx, &dynamodb.QueryInput{TableName: r.s.tableName(), KeyConditionExpression: e.KeyCondition(),
			ProjectionExpression: e.Projection(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
			Limit: aws.Int32(int32(max(1, min(100, r.budget-r.read))))})
		if err != nil {
			return err
		}
		ids := make([]string, len(out.Items))
		for i, it := range out.Items {
			ids[i] = str(it, "memberId")
		}
		r.read += len(ids)
		members, err := r.s.GetMembers(ctx, ids)
		if err != nil {
			return err
		}
		for _, id := range ids {
			r.at = "S|" + entrySK + "|" + id
			if e, ok := directory.EntryOf(members[id]); ok && !r.p.NamedBy(e) && r.p.SchoolPosition(e) == entrySK && r.p.Matches(e) {
				r.hit(e.Hit, r.at)
				if len(r.hits) == r.want {
					return nil
				}
			}
			lo = schoolMemberSK(id) + "\x00"
		}
		if out.LastEvaluatedKey == nil {
			r.at = "S|" + entrySK + "|"
			return nil
		}
	}
	return nil
}

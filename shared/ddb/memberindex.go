package ddb

import (
	"context"
	"errors"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"

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

// memberIndex is THE place that computes a member's search items (registration, profile
// edits, added schools and bulk loads all use it), with their keys as "PK|SK":
//   - a teacher is filed under each word of their own names (name-word entries, a
//     handful of items), each carrying their memberCard;
//   - each of the member's schools links to them (SCHOOL#<id> / MEMBER#<memberId>, the
//     school's teachers are a Query away), a teacher's link carrying the card too: the
//     words of the schools' names are found through the school word index and then these
//     links (see SearchMembers).
//
// Staff get links without a card and no entries.
func memberIndex(m member.Member) (items []map[string]types.AttributeValue, keys []string, err error) {
	var card map[string]types.AttributeValue
	e, teacher := directory.EntryOf(m)
	if teacher {
		if card, err = attributevalue.MarshalMap(cardOf(e)); err != nil {
			return nil, nil, err
		}
	}
	add := func(pk, sk, kind string, attrs map[string]types.AttributeValue) {
		it := make(map[string]types.AttributeValue, len(card)+len(attrs)+3)
		maps.Copy(it, card)
		maps.Copy(it, attrs)
		maps.Copy(it, key(pk, sk))
		it["kind"] = &types.AttributeValueMemberS{Value: kind}
		items = append(items, it)
		keys = append(keys, keyRef(pk, sk))
	}
	if teacher {
		shard := shardOf(m.MemberID, memberWordShards)
		for _, w := range e.NameWords {
			add(memberWordPK(w, shard), memberWordSK(w, m.MemberID), "memberIndex", nil)
		}
	}
	for _, r := range m.Schools {
		add(schoolPK(r.SchoolID), schoolMemberSK(m.MemberID), "schoolMember", map[string]types.AttributeValue{
			"schoolId": &types.AttributeValueMemberS{Value: r.SchoolID},
			"memberId": &types.AttributeValueMemberS{Value: m.MemberID}})
	}
	return items, keys, nil
}

// memberIndexParts is memberIndex's items in two: the school links and the name-word
// entries (the bulk import writes the links with the core items, the entries in its index
// pass), and the keys of them all.
func memberIndexParts(m member.Member) (links, entries []map[string]types.AttributeValue, keys []string, err error) {
	items, keys, err := memberIndex(m)
	for _, it := range items {
		if str(it, "kind") == "schoolMember" {
			links = append(links, it)
		} else {
			entries = append(entries, it)
		}
	}
	return links, entries, keys, err
}

// sorted is a sorted copy of s.
func sorted(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
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
//
// When was (the member as stored, nil for a new one) has exactly m's index items, under
// the keys recorded (oldKeys), the change is base alone: a change the search does not
// see (a muted e-mail kind, a failed login) rewrites nothing else.
func (s *Store) commitMember(ctx context.Context, was *member.Member, m member.Member, version int, oldKeys []string,
	base func(indexKeys []string) ([]txItem, error)) error {
	items, newKeys, err := memberIndex(m)
	if err != nil {
		return err
	}
	if was != nil {
		wasItems, _, err := memberIndex(*was)
		if err != nil {
			return err
		}
		if reflect.DeepEqual(wasItems, items) && slices.Equal(sorted(newKeys), sorted(oldKeys)) { // (same items: same keys)
			first, err := base(sorted(oldKeys))
			if err != nil {
				return err
			}
			return s.transact(ctx, first)
		}
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
// "S|<school entry SK>[|<memberId>]" in the second (see schools), and a GSI2SK when there
// is no lead word. Every page reads at most budget items (name-word entries, member
// cards, school entries, school links; a Query counts at least minCharge); every item
// read is a memberCard, so that a page costs its items' bytes and no more.
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
// items read against the budget, and the position of the last thing read.
type memberSearch struct {
	s         *Store
	p         directory.Plan
	want      int // hits wanted: a page and one more (whether a next page follows)
	budget    int
	read      int // items read (scanned, filtered out or not)
	hits      []directory.Hit
	positions []string
	at        string // the position of the last thing read
	exhausted bool   // every stream was read to its end
}

// minCharge is what one Query counts against a page's budget at the least: a read unit
// holds about ten cards, and so a page makes at most budget/minCharge calls.
const minCharge = 10

// charge is what a Query's output counts against the budget: the items it read (filtered
// out or not), at least minCharge.
func charge(out *dynamodb.QueryOutput) int { return max(int(out.ScannedCount), minCharge) }

func (r *memberSearch) stopped() bool { return len(r.hits) == r.want || r.read >= r.budget }

func (r *memberSearch) hit(h directory.Hit, pos string) {
	r.hits = append(r.hits, h)
	r.positions = append(r.positions, pos)
}

// step is how many items each of parts partitions read next: what the page still needs,
// times the items read per hit so far on this page when some were filtered out (4 before
// anything was read, and at least minCharge a partition), spread over the partitions and
// within what is left of the budget.
func (r *memberSearch) step(parts int) int32 {
	need := r.want - len(r.hits)
	n := need
	if !r.p.Exact() {
		switch {
		case r.read == 0:
			n = max(4*need, 50)
		case len(r.hits) == 0:
			n = need * r.read
		default:
			n = need * (r.read + len(r.hits) - 1) / len(r.hits)
		}
	}
	n = (n+parts-1)/parts + 1
	if !r.p.Exact() {
		n = max(n, minCharge) // (a call counts that much anyway)
	}
	return int32(max(1, min(n, (r.budget-r.read)/parts, 100)))
}

// conditions are the plan's words and filters, and extra, as a FilterExpression on
// memberCards.
func (r *memberSearch) conditions(b expression.Builder, extra ...expression.ConditionBuilder) expression.Builder {
	conds := extra
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

// query builds a Query of the table (index "") or of an index.
func (r *memberSearch) query(index string, e expression.Expression) *dynamodb.QueryInput {
	in := &dynamodb.QueryInput{TableName: r.s.tableName(), KeyConditionExpression: e.KeyCondition(),
		FilterExpression: e.Filter(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}
	if index != "" {
		in.IndexName = aws.String(index)
	}
	return in
}

// all reads every teacher in name order: the GSI2 shards of the member items (their
// cards), merged.
func (r *memberSearch) all(ctx context.Context, after string) error {
	var ins []*dynamodb.QueryInput
	for shard := 0; shard < memberShards; shard++ {
		kc := expression.Key("GSI2PK").Equal(expression.Value(memberAllPK(shard)))
		if after != "" {
			kc = kc.And(expression.Key("GSI2SK").GreaterThan(expression.Value(after)))
		}
		e, err := r.conditions(expression.NewBuilder().WithKeyCondition(kc)).Build()
		if err != nil {
			return err
		}
		ins = append(ins, r.query("GSI2", e))
	}
	r.at = after
	return r.merge(ctx, ins, "GSI2SK", func(it map[string]types.AttributeValue) error {
		var c memberCard
		if err := attributevalue.UnmarshalMap(it, &c); err != nil {
			return err
		}
		r.hit(c.entry().Hit, r.at)
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
		ins = append(ins, r.query("", e))
	}
	r.at = "N|" + after
	return r.merge(ctx, ins, "SK", func(it map[string]types.AttributeValue) error {
		var c memberCard
		if err := attributevalue.UnmarshalMap(it, &c); err != nil {
			return err
		}
		entryWord, _, _ := strings.Cut(str(it, "SK"), "#")
		if e := c.entry(); r.p.Counts(entryWord, e.NameWords) {
			r.hit(e.Hit, r.at)
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
				scanned[i] = charge(out)
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

// schoolFanOut is how many schools' links the second stream reads at once.
const schoolFanOut = 8

// schools reads the second stream from pos: "" for its start, "<school entry SK>" at a
// school none of whose teachers was read yet, "<school entry SK>|<memberId>" after that
// teacher of the school, "<school entry SK>|" after the whole school. The stream is the
// schools whose names have a word starting with the lead word (the school word index,
// all countries) and for each one its teachers (its links, which carry their cards, the
// plan's conditions a FilterExpression on them), keeping each teacher where
// Plan.SchoolPosition counts them.
func (r *memberSearch) schools(ctx context.Context, pos string) error {
	entrySK, memberAfter, inside := strings.Cut(pos, "|")
	if entrySK != "" && (!inside || memberAfter != "") { // within that school: its other teachers first
		if err := r.schoolTeachers(ctx, []string{entrySK}, memberAfter); err != nil || r.stopped() {
			return err
		}
	}
	w := r.p.Word
	lo, hi := w, w+"\U0010FFFF"
	if entrySK != "" {
		lo = entrySK + "\x00"
	}
	for !r.stopped() {
		e, err := expression.NewBuilder().WithKeyCondition(expression.Key("PK").Equal(expression.Value(schoolWords.pk(scopeAll, w))).
			And(expression.Key("SK").Between(expression.Value(lo), expression.Value(hi)))).
			WithProjection(expression.NamesList(expression.Name("SK"))).Build()
		if err != nil {
			return err
		}
		in := r.query("", e)
		in.ProjectionExpression = e.Projection()
		in.Limit = aws.Int32(int32(max(1, min(4*schoolFanOut, r.budget-r.read))))
		out, err := r.s.db.Query(ctx, in)
		if err != nil {
			return err
		}
		sks := make([]string, len(out.Items))
		for i, it := range out.Items {
			sks[i] = str(it, "SK")
		}
		for len(sks) > 0 && !r.stopped() {
			n := min(schoolFanOut, len(sks), max(1, r.budget-r.read))
			r.read += n // (school entries count when their schools are read)
			if err := r.schoolTeachers(ctx, sks[:n], ""); err != nil {
				return err
			}
			sks = sks[n:]
		}
		if len(sks) > 0 {
			return nil // (stopped before those schools)
		}
		if out.LastEvaluatedKey == nil && !r.stopped() {
			r.exhausted = true
			return nil
		}
		lo = str(out.LastEvaluatedKey, "SK") + "\x00"
	}
	return nil
}

// schoolTeachers reads the teachers of the schools of the school word entries entrySKs
// ("<word>#<schoolId>", in order; the first one's after memberAfter), the first page of
// each school's links at once, and keeps the hits counted at each school's entry. It
// stops when the page is full or the budget spent, r.at at the last link read.
func (r *memberSearch) schoolTeachers(ctx context.Context, entrySKs []string, memberAfter string) error {
	type school struct {
		entrySK string
		in      *dynamodb.QueryInput
		out     *dynamodb.QueryOutput
	}
	schools := make([]*school, len(entrySKs))
	limit := int32(max(1, min(100, (r.budget-r.read)/len(entrySKs))))
	for i, sk := range entrySKs {
		_, schoolID, _ := strings.Cut(sk, "#")
		lo, hi := schoolMemberSK(""), schoolMemberSK("")+"\U0010FFFF"
		if i == 0 && memberAfter != "" {
			lo = schoolMemberSK(memberAfter) + "\x00"
		}
		e, err := r.conditions(expression.NewBuilder().WithKeyCondition(expression.Key("PK").Equal(expression.Value(schoolPK(schoolID))).
			And(expression.Key("SK").Between(expression.Value(lo), expression.Value(hi)))),
			expression.AttributeExists(expression.Name("wordsText"))).Build() // (staff links carry no card)
		if err != nil {
			return err
		}
		in := r.query("", e)
		in.Limit = aws.Int32(limit)
		schools[i] = &school{entrySK: sk, in: in}
	}
	read := func(sc *school) error {
		out, err := r.s.db.Query(ctx, sc.in)
		if err == nil {
			sc.out = out
			sc.in.ExclusiveStartKey = out.LastEvaluatedKey
		}
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(schools))
	for i, sc := range schools {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = read(sc) }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, sc := range schools {
		for {
			r.read += charge(sc.out)
			for _, it := range sc.out.Items {
				var c memberCard
				if err := attributevalue.UnmarshalMap(it, &c); err != nil {
					return err
				}
				r.at = "S|" + sc.entrySK + "|" + c.MemberID
				if e := c.entry(); !r.p.NamedBy(e) && r.p.SchoolPosition(e) == sc.entrySK && r.p.Matches(e) {
					r.hit(e.Hit, r.at)
					if len(r.hits) == r.want {
						return nil
					}
				}
			}
			if sc.out.LastEvaluatedKey == nil {
				r.at = "S|" + sc.entrySK + "|" // the whole school read
				break
			}
			r.at = "S|" + sc.entrySK + "|" + strings.TrimPrefix(str(sc.out.LastEvaluatedKey, "SK"), schoolMemberSK(""))
			if r.read >= r.budget {
				return nil
			}
			sc.in.Limit = aws.Int32(int32(max(1, min(100, r.budget-r.read))))
			if err := read(sc); err != nil {
				return err
			}
		}
		if r.read >= r.budget {
			return nil
		}
	}
	return nil
}

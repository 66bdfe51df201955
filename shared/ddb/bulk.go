package ddb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/member"
	"etwin/shared/school"
)

// The bulk import (docs/import.md, "Into a new table") writes each thing as plain,
// deterministic puts: the same line always gives the same items, so writing them again
// changes nothing. Its core items are written first, its search-index entries by the
// index pass after them.

// BulkSchoolItems are a school's items: core (the school and its duplicate guard) and its
// name-index entries. (Its summary and counters are written once, at the end.)
func (s *Store) BulkSchoolItems(sc school.School) (core, index []map[string]types.AttributeValue, err error) {
	si, guard, err := schoolCoreItems(sc)
	if err != nil {
		return nil, nil, err
	}
	entries, err := s.schoolIndexPuts(sc)
	if err != nil {
		return nil, nil, err
	}
	return []map[string]types.AttributeValue{si, guard}, putItems(entries), nil
}

// BulkMemberItems are a member's items: core (the member item, recording the keys of its
// index entries, its username and e-mail guards, a link to each school) and its
// search-index entries (memberIndex). Staff get no links and no entries.
func (s *Store) BulkMemberItems(m member.Member) (core, index []map[string]types.AttributeValue, err error) {
	index, keys, err := memberIndex(m)
	if err != nil {
		return nil, nil, err
	}
	mi, err := newMemberItem(m, keys)
	if err != nil {
		return nil, nil, err
	}
	core = []map[string]types.AttributeValue{mi}
	if m.Email != "" { // (generated test members may have none)
		eg, err := item(emailPK(emailKey(m.Email)), skEmail, "email", emailGuard{MemberID: m.MemberID})
		if err != nil {
			return nil, nil, err
		}
		core = append(core, eg)
	}
	if m.Username != "" {
		ug, err := item(usernamePK(member.UsernameKey(m.Username)), skUsername, "username",
			usernameGuard{Username: m.Username, Holder: holderMember, MemberID: m.MemberID})
		if err != nil {
			return nil, nil, err
		}
		core = append(core, ug)
	}
	for _, r := range m.Schools {
		link, err := s.schoolMemberItem(r.SchoolID, m.MemberID, m.CreatedAt)
		if err != nil {
			return nil, nil, err
		}
		core = append(core, link)
	}
	return core, index, nil
}

// BulkMemberIndex is the search-index entries of a stored member (the index pass reads
// the member items and writes these).
func BulkMemberIndex(m member.Member) ([]map[string]types.AttributeValue, error) {
	items, _, err := memberIndex(m)
	return items, err
}

// putItems are the items of transaction puts.
func putItems(txs []txItem) []map[string]types.AttributeValue {
	out := make([]map[string]types.AttributeValue, 0, len(txs))
	for _, t := range txs {
		if t.write.Put != nil {
			out = append(out, t.write.Put.Item)
		}
	}
	return out
}

// BulkPut writes items with plain puts (BatchWriteItem, 25 at a time, unprocessed items
// retried with the Store's backoff).
func (s *Store) BulkPut(ctx context.Context, items []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(items))
	for i, it := range items {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
	}
	return s.batchWrite(ctx, reqs)
}

// BulkLoad writes members and schools straight into the table (generated data sets for
// tests and benchmarks): each school's and member's core items and index entries (the
// bulk import's items, BulkSchoolItems and BulkMemberItems), without summaries or
// counters.
func (s *Store) BulkLoad(ctx context.Context, members []member.Member, schools []school.School) error {
	var all []map[string]types.AttributeValue
	for _, sc := range schools {
		core, index, err := s.BulkSchoolItems(sc)
		if err != nil {
			return err
		}
		all = append(append(all, core...), index...)
	}
	for _, m := range members {
		core, index, err := s.BulkMemberItems(m)
		if err != nil {
			return err
		}
		all = append(append(all, core...), index...)
	}
	return s.BulkPut(ctx, all)
}

// batchWrite runs BatchWriteItem in batches of 25; unprocessed items are retried with the
// Store's retry policy (waitUnprocessed: bounded, and ended by ctx).
func (s *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for len(reqs) > 0 {
		n := min(25, len(reqs))
		pending := map[string][]types.WriteRequest{s.table: reqs[:n]}
		reqs = reqs[n:]
		for attempt := 1; ; attempt++ {
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return err
			}
			if pending = out.UnprocessedItems; len(pending) == 0 {
				break
			}
			if err := s.db.waitUnprocessed(ctx, attempt); err != nil {
				return err
			}
		}
	}
	return nil
}

package ddb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/member"
	"etwin/shared/school"
)

// BulkLoad writes members and schools straight into the table, without conditions or
// transactions (for generated data sets and bulk imports into a table nobody else writes
// to yet): each school, each member with their search-index entries (the same memberIndex
// as every other write) and their school links. Members do not get username or e-mail
// guards: the caller adds those if the members should be able to log in.
func (s *Store) BulkLoad(ctx context.Context, members []member.Member, schools []school.School) error {
	var reqs []types.WriteRequest
	put := func(it map[string]types.AttributeValue) {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
	}
	for _, sc := range schools {
		it, err := item(schoolPK(sc.SchoolID), skSchool, "school", schoolItemOf(sc))
		if err != nil {
			return err
		}
		put(it)
	}
	for _, m := range members {
		idx, keys, err := memberIndex(m)
		if err != nil {
			return err
		}
		mi, err := newMemberItem(m, keys)
		if err != nil {
			return err
		}
		put(mi)
		for _, it := range idx {
			put(it)
		}
		for _, r := range m.Schools {
			link, err := s.schoolMemberItem(r.SchoolID, m.MemberID, m.CreatedAt)
			if err != nil {
				return err
			}
			put(link)
		}
	}
	return s.batchWrite(ctx, reqs)
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

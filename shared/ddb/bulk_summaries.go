package ddb

import (
	"context"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/certification"
)

// BulkSummaries writes school summaries straight into the table, without conditions or
// transactions (for generated data sets in a table nobody else writes to yet), each the
// item the writes that keep a summary would have built: the same key, segment (GSI1) and
// attributes as summaryExpr, so that SchoolSummary and SummaryPage read them back as sums.
// A summary replaces any stored one of its school. It returns the items' total size in
// bytes, by DynamoDB's size rules (what the sweep's pages read).
func (s *Store) BulkSummaries(ctx context.Context, sums []certification.Summary) (bytes int, err error) {
	reqs := make([]types.WriteRequest, 0, len(sums))
	for _, sum := range sums {
		it := summaryItem(sum)
		bytes += storedSize(it)
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
	}
	return bytes, s.batchWrite(ctx, reqs)
}

// summaryItem is sum as a stored summary item (summaryOf reads it back).
func summaryItem(sum certification.Summary) map[string]types.AttributeValue {
	sv := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	it := summaryKey(sum.SchoolID)
	it["kind"] = sv("schoolSummary")
	it["schoolId"] = sv(sum.SchoolID)
	it["GSI1PK"] = sv(sweepShardPK(sweepShardOf(sum.SchoolID)))
	it["GSI1SK"] = sv(sum.SchoolID)
	if sum.Country != "" {
		it["country"] = sv(sum.Country)
	}
	if !sum.RegisteredAt.IsZero() {
		it["registeredAt"] = sv(sum.RegisteredAt.UTC().Format(keyTime))
	}
	if len(sum.Members) > 0 {
		it[sumMembers] = &types.AttributeValueMemberSS{Value: sum.Members}
	}
	for m, at := range sum.LastActive {
		it[sumActivity+m] = sv(at.UTC().Format(activityTime))
	}
	for id, p := range sum.Projects {
		if len(p.Members) > 0 {
			it[sumProjMembers+id] = &types.AttributeValueMemberSS{Value: p.Members}
		}
		if !p.ApprovedAt.IsZero() {
			it[sumProjAt+id] = sv(p.ApprovedAt.UTC().Format(keyTime))
		}
		if p.ClosedAt != nil {
			it[sumProjClosed+id] = sv(p.ClosedAt.UTC().Format(keyTime))
		}
		it[sumProjEU+id] = &types.AttributeValueMemberBOOL{Value: p.European}
	}
	for _, l := range sum.Labels {
		it[sumLabel+l.ProjectID+"#"+l.Kind] = sv(l.AwardedAt.UTC().Format(keyTime) + "|" + strconv.Itoa(b2i(l.European)))
	}
	return it
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// storedSize is an item's size by DynamoDB's rules for the attribute types a summary
// holds: names and strings in UTF-8 bytes, a string set the sum of its strings, a
// boolean one byte.
func storedSize(it map[string]types.AttributeValue) int {
	n := 0
	for name, v := range it {
		n += len(name)
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			n += len(v.Value)
		case *types.AttributeValueMemberSS:
			for _, s := range v.Value {
				n += len(s)
			}
		case *types.AttributeValueMemberBOOL:
			n++
		}
	}
	return n
}

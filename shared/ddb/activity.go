package ddb

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// activityTime is the fixed-width time of activity keys, to the nanosecond (an import line
// keeps its time exactly; string order is time order).
const activityTime = "2006-01-02T15:04:05.000000000Z"

// Activity is a teacher's past eTwinning activity brought by the bulk import (docs/import.md
// "activity"): a project, professional development or another activity at a time, for one
// school of theirs, or ("" SchoolID) for each of their schools.
type Activity struct {
	MemberID string
	Kind     string // project, professional_development or other
	At       time.Time
	SchoolID string
}

// activityItem is the stored shape (docs/data-model.md "Activities"): under the member,
// SK ACTIVITY#<at>#<kind>#<schoolId>, so that the natural key is the item's key and a
// re-import overwrites rather than duplicates.
type activityItem struct {
	MemberID string `dynamodbav:"memberId"`
	Kind     string `dynamodbav:"activityKind"` // "kind" is the item's type
	At       string `dynamodbav:"at"`           // activityTime
	SchoolID string `dynamodbav:"schoolId,omitempty"`
}

// ImportActivity stores an imported activity (idempotent: the same activity again changes
// nothing) and moves the latest-activity time of the member in the summary of each school
// it counts for (schoolIDs: the activity's school, or the member's schools when it names
// none) forward, never back, in one transaction. When part of it holds already (the
// activity is stored: a re-import; a later activity is counted), each part is written on
// its own, each idempotent, so a run killed half way is completed by importing again.
// created says whether the activity was new.
func (s *Store) ImportActivity(ctx context.Context, a Activity, schoolIDs []string) (created bool, err error) {
	at := a.At.UTC().Format(activityTime)
	it, err := item(memberPK(a.MemberID), activitySK(at, a.Kind, a.SchoolID), "activity",
		activityItem{MemberID: a.MemberID, Kind: a.Kind, At: at, SchoolID: a.SchoolID})
	if err != nil {
		return false, err
	}
	items := []txItem{s.putNew(it, fail(errActivityStored))}
	for _, sid := range schoolIDs {
		u, err := s.update(summaryKey(sid), activityExpr(sid, a.MemberID, at), fail(errLaterActivity))
		if err != nil {
			return false, err
		}
		items = append(items, u)
	}
	err = s.transact(ctx, items)
	if err == nil || !(errors.Is(err, errActivityStored) || errors.Is(err, errLaterActivity)) {
		return err == nil, err
	}
	err = s.putIfAbsent(ctx, it)
	var ccf *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &ccf):
	case err != nil:
		return false, err
	default:
		created = true
	}
	for _, sid := range schoolIDs {
		if _, err := s.updateItem(ctx, summaryKey(sid), activityExpr(sid, a.MemberID, at), nil); err != nil {
			return created, err // a later time already there: conditionFailed, nothing to do
		}
	}
	return created, nil
}

var errActivityStored = errors.New("ddb: the activity is stored already")

// activityExpr moves the teacher's latest-activity time in the school's summary forward
// to at (activityTime); its condition fails when a later one is there.
func activityExpr(schoolID, memberID, at string) expression.Builder {
	path := expression.NameNoDotSplit(sumActivity + memberID)
	return expression.NewBuilder().
		WithUpdate(summaryExpr(schoolID, summaryChange{}).Set(path, expression.Value(at))).
		WithCondition(expression.Or(expression.AttributeNotExists(path), path.LessThan(expression.Value(at))))
}

// MemberActivities lists a member's imported activities, oldest first (the access
// pattern: Query PK MEMBER#<id>, SK begins_with ACTIVITY#).
func (s *Store) MemberActivities(ctx context.Context, memberID string) ([]Activity, error) {
	e, err := expression.NewBuilder().WithKeyCondition(expression.Key("PK").Equal(expression.Value(memberPK(memberID))).
		And(expression.Key("SK").BeginsWith(prefixActivity))).Build()
	if err != nil {
		return nil, err
	}
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ConsistentRead: aws.Bool(true)})
	var out []Activity
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		var items []activityItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			t, err := time.Parse(activityTime, it.At)
			if err != nil {
				return nil, err
			}
			out = append(out, Activity{MemberID: it.MemberID, Kind: it.Kind, At: t, SchoolID: it.SchoolID})
		}
	}
	return out, nil
}

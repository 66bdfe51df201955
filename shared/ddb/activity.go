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

// schoolActivityItem is a school's activity summary (SK ACTIVITYSUMMARY in the school's
// partition): for each teacher, the time of their latest activity counted for the school
// (activityTime, so that string order is time order). The eligibility sweep reads this one item
// per school to count the teachers active since a round's cut-off.
type schoolActivityItem struct {
	LastActive map[string]string `dynamodbav:"lastActive"`
}

// ImportActivity stores an imported activity (idempotent: the same activity again changes
// nothing) and moves the latest-activity time of the member in the summary of each school
// it counts for (schoolIDs: the activity's school, or the member's schools when it names
// none) forward, never back. The activity is written first, then the summaries: a run
// killed between them is completed by importing the file again. created says whether the
// activity was new.
func (s *Store) ImportActivity(ctx context.Context, a Activity, schoolIDs []string) (created bool, err error) {
	at := a.At.UTC().Format(activityTime)
	it, err := item(memberPK(a.MemberID), activitySK(at, a.Kind, a.SchoolID), "activity",
		activityItem{MemberID: a.MemberID, Kind: a.Kind, At: at, SchoolID: a.SchoolID})
	if err != nil {
		return false, err
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
		if err := s.noteActivity(ctx, sid, a.MemberID, at); err != nil {
			return created, err
		}
	}
	return created, nil
}

// noteActivity moves the member's latest-activity time in the school's summary to at,
// unless it is later already.
func (s *Store) noteActivity(ctx context.Context, schoolID, memberID, at string) error {
	k := key(schoolPK(schoolID), skActivitySummary)
	// the map first (an update cannot set a map and one of its members at once)
	if _, err := s.updateItem(ctx, k, expression.NewBuilder().WithUpdate(
		expression.Set(expression.Name("lastActive"), expression.IfNotExists(expression.Name("lastActive"),
			expression.Value(map[string]string{})))).WithCondition(expression.AttributeNotExists(expression.Name("lastActive"))), nil); err != nil {
		return err
	}
	path := expression.Name("lastActive").AppendName(expression.NameNoDotSplit(memberID)) // ids may hold '.'

	_, err := s.updateItem(ctx, k, expression.NewBuilder().
		WithUpdate(expression.Set(path, expression.Value(at)).Set(expression.Name("kind"), expression.Value("activitySummary"))).
		WithCondition(expression.Or(expression.AttributeNotExists(path), path.LessThan(expression.Value(at)))), nil)
	return err // a later time already there: conditionFailed, nothing to do
}

// SchoolActivity is a school's activity summary: each teacher's latest activity time
// counted for the school (none: an empty map).
func (s *Store) SchoolActivity(ctx context.Context, schoolID string) (map[string]time.Time, error) {
	var it schoolActivityItem
	if _, err := s.get(ctx, key(schoolPK(schoolID), skActivitySummary), &it); err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(it.LastActive))
	for m, v := range it.LastActive {
		t, err := time.Parse(activityTime, v)
		if err != nil {
			return nil, err
		}
		out[m] = t
	}
	return out, nil
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

package ddb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/fold"
	"etwin/shared/school"
)

type schoolItem struct {
	school.School
	NameKey string `dynamodbav:"nameKey"`
}

type schoolNameGuard struct {
	SchoolID string `dynamodbav:"schoolId"`
}

// schoolWord is one entry of the name index: the school under one word of its name, in
// one scope (its country, and "ALL").
type schoolWord struct {
	school.Hit
	Words []string `dynamodbav:"words"`
}

const scopeAll = "ALL"

// schoolItems are the writes that make schoolID usable in a transaction: a new school
// (the school, its duplicate guard and its name-index entries), or a check that a
// registered one exists.
func (s *Store) schoolItems(newSchool *school.School, schoolID string, duplicate func(existingID string) error, missing error) ([]txItem, error) {
	if newSchool == nil {
		return []txItem{s.exists(key(schoolPK(schoolID), skSchool), fail(missing))}, nil
	}
	sc := *newSchool
	country, city, name := sc.DuplicateKey()
	si, err := item(schoolPK(sc.SchoolID), skSchool, "school", schoolItem{School: sc, NameKey: name})
	if err != nil {
		return nil, err
	}
	guard, err := item(schoolNamePK(country, city, name), skSchoolName, "schoolName", schoolNameGuard{SchoolID: sc.SchoolID})
	if err != nil {
		return nil, err
	}
	items := []txItem{
		s.putNew(si, fail(missing)),
		s.putNew(guard, func(old map[string]types.AttributeValue) error { return duplicate(str(old, "schoolId")) }),
	}
	words := fold.Words(sc.Name)
	hit := school.Hit{SchoolID: sc.SchoolID, Name: sc.Name, Country: sc.Country, City: sc.City}
	for _, w := range words {
		for _, scope := range []string{scopeAll, sc.Country} {
			wi, err := item(schoolWordPK(scope, w), schoolWordSK(w, sc.SchoolID), "schoolWord", schoolWord{Hit: hit, Words: words})
			if err != nil {
				return nil, err
			}
			items = append(items, s.put(wi))
		}
	}
	return items, nil
}

// GetSchool reads one school.
func (s *Store) GetSchool(ctx context.Context, schoolID string) (school.School, bool, error) {
	var it schoolItem
	found, err := s.get(ctx, key(schoolPK(schoolID), skSchool), &it)
	return it.School, found, err
}

// SearchSchools implements school.Store: a Query of the word-index partition of the
// query's lead word, from after, keeping the entries q counts.
func (s *Store) SearchSchools(ctx context.Context, q school.Query, after string, limit int) ([]school.Hit, []string, error) {
	scope := scopeAll
	if q.Country != "" {
		scope = q.Country
	}
	pk := schoolWordPK(scope, q.Lead)
	kc := expression.Key("PK").Equal(expression.Value(pk)).And(expression.Key("SK").BeginsWith(q.Lead))
	e, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, nil, err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		Limit: aws.Int32(int32(max(limit, 25))), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal}
	if after != "" {
		in.ExclusiveStartKey = key(pk, after)
	}
	var hits []school.Hit
	var positions []string
	for {
		out, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		if out.ConsumedCapacity != nil {
			s.record("Query", aws.ToFloat64(out.ConsumedCapacity.CapacityUnits))
		}
		for _, raw := range out.Items {
			var w schoolWord
			if err := attributevalue.UnmarshalMap(raw, &w); err != nil {
				return nil, nil, err
			}
			sk := str(raw, "SK")
			entryWord := sk[:len(sk)-len(w.SchoolID)-1]
			if !q.Counts(entryWord, w.Words) {
				continue
			}
			hits = append(hits, w.Hit)
			positions = append(positions, sk)
			if len(hits) == limit {
				return hits, positions, nil
			}
		}
		if out.LastEvaluatedKey == nil {
			return hits, positions, nil
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

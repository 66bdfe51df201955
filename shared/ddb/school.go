package ddb

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
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
	entries, err := s.indexPuts(schoolWords, []string{scopeAll, sc.Country}, words, sc.SchoolID, sc.SchoolID, schoolWord{Hit: hit, Words: words})
	if err != nil {
		return nil, err
	}
	items = append(items, entries...)
	return items, nil
}

// GetSchool reads one school.
func (s *Store) GetSchool(ctx context.Context, schoolID string) (school.School, bool, error) {
	var it schoolItem
	found, err := s.get(ctx, key(schoolPK(schoolID), skSchool), &it)
	return it.School, found, err
}

// SearchSchools implements school.Store: a word search of the name index in the
// query's scope (its country, or all), keeping the entries q counts.
func (s *Store) SearchSchools(ctx context.Context, q school.Query, after string, limit int) ([]school.Hit, string, error) {
	scope := scopeAll
	if q.Country != "" {
		scope = q.Country
	}
	return wordSearch(ctx, s, schoolWords, scope, q.Lead, after, limit, func(_ context.Context, batch []indexEntry) ([]*school.Hit, error) {
		out := make([]*school.Hit, len(batch))
		for i, e := range batch {
			var w schoolWord
			if err := attributevalue.UnmarshalMap(e.Item, &w); err != nil {
				return nil, err
			}
			if q.Counts(e.Word, w.Words) {
				out[i] = &w.Hit
			}
		}
		return out, nil
	})
}

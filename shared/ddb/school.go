package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/fold"
	"etwin/shared/school"
)

// schoolFields are the stored names of a school.School (see storeditems.go).
type schoolFields struct {
	SchoolID      string    `dynamodbav:"schoolId"`
	Name          string    `dynamodbav:"name"`
	Country       string    `dynamodbav:"country"`
	City          string    `dynamodbav:"city"`
	Address       string    `dynamodbav:"address"`
	PostalCode    string    `dynamodbav:"postalCode"`
	SchoolType    string    `dynamodbav:"schoolType"`
	Phone         string    `dynamodbav:"phone"`
	Fax           string    `dynamodbav:"fax,omitempty"`
	Email         string    `dynamodbav:"email"`
	Website       string    `dynamodbav:"website,omitempty"`
	HeadTeacher   string    `dynamodbav:"headTeacher"`
	Pupils        int       `dynamodbav:"pupils"`
	OtherProjects string    `dynamodbav:"otherProjects,omitempty"`
	RegisteredAt  time.Time `dynamodbav:"registeredAt"`
}

// schoolItem is a registered school and its folded name (the duplicate guard's key part).
type schoolItem struct {
	schoolFields
	NameKey string `dynamodbav:"nameKey"`
}

func schoolItemOf(sc school.School) schoolItem {
	_, _, name := sc.DuplicateKey()
	return schoolItem{schoolFields: schoolFields(sc), NameKey: name}
}

func (it schoolItem) school() school.School { return school.School(it.schoolFields) }

// schoolHitFields are the stored names of a school.Hit.
type schoolHitFields struct {
	SchoolID string `dynamodbav:"schoolId"`
	Name     string `dynamodbav:"name"`
	Country  string `dynamodbav:"country"`
	City     string `dynamodbav:"city"`
}

type schoolNameGuard struct {
	SchoolID string `dynamodbav:"schoolId"`
}

// schoolWord is one entry of the name index: the school under one word of its name, in
// one scope (its country, and "ALL").
type schoolWord struct {
	schoolHitFields
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
	si, guard, err := schoolCoreItems(sc)
	if err != nil {
		return nil, err
	}
	items := []txItem{
		s.putNew(si, fail(missing)),
		s.putNew(guard, func(old map[string]types.AttributeValue) error { return duplicate(str(old, "schoolId")) }),
	}
	entries, err := s.schoolIndexPuts(sc)
	if err != nil {
		return nil, err
	}
	return append(items, entries...), nil
}

// schoolCoreItems are a school's item and its duplicate guard.
func schoolCoreItems(sc school.School) (si, guard map[string]types.AttributeValue, err error) {
	country, city, name := sc.DuplicateKey()
	if si, err = item(schoolPK(sc.SchoolID), skSchool, "school", schoolItemOf(sc)); err != nil {
		return nil, nil, err
	}
	guard, err = item(schoolNamePK(country, city, name), skSchoolName, "schoolName", schoolNameGuard{SchoolID: sc.SchoolID})
	return si, guard, err
}

// schoolIndexPuts are the puts of a school's name-index entries (under each word of its
// name, in its country and in "ALL").
func (s *Store) schoolIndexPuts(sc school.School) ([]txItem, error) {
	words := fold.Words(sc.Name)
	hit := schoolHitFields{SchoolID: sc.SchoolID, Name: sc.Name, Country: sc.Country, City: sc.City}
	return s.indexPuts(schoolWords, []string{scopeAll, sc.Country}, words, sc.SchoolID, sc.SchoolID, schoolWord{schoolHitFields: hit, Words: words})
}

// GetSchool reads one school.
func (s *Store) GetSchool(ctx context.Context, schoolID string) (school.School, bool, error) {
	var it schoolItem
	found, err := s.get(ctx, key(schoolPK(schoolID), skSchool), &it)
	return it.school(), found, err
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
				h := school.Hit(w.schoolHitFields)
				out[i] = &h
			}
		}
		return out, nil
	})
}

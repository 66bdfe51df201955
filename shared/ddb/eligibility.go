package ddb

import (
	"context"
	"time"

	"etwin/shared/certification"
)

// verdictItem is a school's stage-1 verdict in a round (SCHOOL#<id> / CERTVERDICT#<year>),
// written by the eligibility sweep.
type verdictItem struct {
	Year                    int       `dynamodbav:"year"`
	SchoolID                string    `dynamodbav:"schoolId"`
	Country                 string    `dynamodbav:"country"`
	Eligible                bool      `dynamodbav:"eligible"`
	RegisteredSince         time.Time `dynamodbav:"registeredSince"`
	ActiveTeachers          int       `dynamodbav:"activeTeachers"`
	QualityLabelledProjects int       `dynamodbav:"qualityLabelledProjects"`
	JudgedAt                time.Time `dynamodbav:"judgedAt"`
}

func verdictItemOf(v certification.Verdict) verdictItem {
	return verdictItem{Year: v.Year, SchoolID: v.SchoolID, Country: v.Country, Eligible: v.Eligible,
		RegisteredSince: v.Criteria.RegisteredSince, ActiveTeachers: v.Criteria.ActiveTeachers,
		QualityLabelledProjects: v.Criteria.QualityLabelledProjects, JudgedAt: v.JudgedAt}
}

func (it verdictItem) verdict() certification.Verdict {
	return certification.Verdict{Year: it.Year, SchoolID: it.SchoolID, Country: it.Country, Eligible: it.Eligible,
		Criteria: certification.Criteria{RegisteredSince: it.RegisteredSince, ActiveTeachers: it.ActiveTeachers,
			QualityLabelledProjects: it.QualityLabelledProjects}, JudgedAt: it.JudgedAt}
}

// Verdict is the school's stage-1 verdict in round year (found false: not judged yet), one
// consistent GetItem.
func (s *Store) Verdict(ctx context.Context, year int, schoolID string) (certification.Verdict, bool, error) {
	var it verdictItem
	found, err := s.get(ctx, key(schoolPK(schoolID), certVerdictSK(year)), &it)
	if err != nil || !found {
		return certification.Verdict{}, false, err
	}
	return it.verdict(), true, nil
}

// PutVerdict stores a verdict (a re-judgement overwrites it).
func (s *Store) PutVerdict(ctx context.Context, v certification.Verdict) error {
	it, err := item(schoolPK(v.SchoolID), certVerdictSK(v.Year), "certVerdict", verdictItemOf(v))
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{s.put(it)})
}

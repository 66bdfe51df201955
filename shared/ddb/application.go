package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/shared/certification"
)

// Stage 2 of the eTwinning School label: a school's application in a round is one item
// (SCHOOL#<id> / CERTAPP#<year>), written read → decide → write-if-version; its label
// (CERTLABEL#<year>) and NSO queue entry (CERTQUEUE#<country>) are written in the same
// transactions as the decisions that make them, with the decisions' notifications.

type elementPartFields struct {
	Practice string   `dynamodbav:"practice"`
	Evidence []string `dynamodbav:"evidence"`
	Plans    string   `dynamodbav:"plans"`
}

type noticeFields struct {
	MemberID string `dynamodbav:"memberId"`
	Kind     string `dynamodbav:"kind"`
}

// applicationItem is a stored application.
type applicationItem struct {
	Year                 int                          `dynamodbav:"year"`
	SchoolID             string                       `dynamodbav:"schoolId"`
	Country              string                       `dynamodbav:"country"`
	Status               string                       `dynamodbav:"status"`
	Version              int                          `dynamodbav:"version"`
	OnlineSafetyAnswer   string                       `dynamodbav:"onlineSafetyAnswer"`
	OnlineSafetyEvidence []string                     `dynamodbav:"onlineSafetyEvidence"`
	Elements             map[string]elementPartFields `dynamodbav:"elements"`
	HeadTeacher          string                       `dynamodbav:"headTeacher"`
	SignedAt             *time.Time                   `dynamodbav:"signedAt,omitempty"`
	CreatedAt            time.Time                    `dynamodbav:"createdAt"`
	UpdatedAt            time.Time                    `dynamodbav:"updatedAt"`
	UpdatedBy            string                       `dynamodbav:"updatedBy"`
	SubmittedAt          *time.Time                   `dynamodbav:"submittedAt,omitempty"`
	SubmittedBy          string                       `dynamodbav:"submittedBy,omitempty"`
	EvaluatedAt          *time.Time                   `dynamodbav:"evaluatedAt,omitempty"`
	EvaluatedBy          string                       `dynamodbav:"evaluatedBy,omitempty"`
	Feedback             string                       `dynamodbav:"feedback,omitempty"`
	IdleRemindedFor      *time.Time                   `dynamodbav:"idleRemindedFor,omitempty"`
	NSORemindedFor       *time.Time                   `dynamodbav:"nsoRemindedFor,omitempty"`
	ClosingReminded      bool                         `dynamodbav:"closingReminded,omitempty"`
	Pending              []noticeFields               `dynamodbav:"pending,omitempty"`
	// The sparse reminder entry (certification.ReminderIndex).
	GSI1PK string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK string `dynamodbav:"GSI1SK,omitempty"`
}

func (it *applicationItem) versionField() (string, *int) { return "version", &it.Version }

func applicationItemOf(a certification.Application) applicationItem {
	it := applicationItem{Year: a.Year, SchoolID: a.SchoolID, Country: a.Country, Status: a.Status, Version: a.Version,
		OnlineSafetyAnswer: a.OnlineSafety.Answer, OnlineSafetyEvidence: a.OnlineSafety.Evidence,
		HeadTeacher: a.Declaration.HeadTeacher, SignedAt: a.Declaration.SignedAt,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt, UpdatedBy: a.UpdatedBy,
		SubmittedAt: a.SubmittedAt, SubmittedBy: a.SubmittedBy, EvaluatedAt: a.EvaluatedAt, EvaluatedBy: a.EvaluatedBy,
		Feedback: a.Feedback, IdleRemindedFor: a.IdleRemindedFor, NSORemindedFor: a.NSORemindedFor, ClosingReminded: a.ClosingReminded}
	if len(a.Elements) > 0 {
		it.Elements = map[string]elementPartFields{}
		for k, p := range a.Elements {
			it.Elements[k] = elementPartFields(p)
		}
	}
	for _, n := range a.Pending {
		it.Pending = append(it.Pending, noticeFields(n))
	}
	if list, at := certification.ReminderIndex(a); list != "" {
		it.GSI1PK, it.GSI1SK = certRemindersGSI1PK(a.Year, list), certReminderGSI1SK(at, a.SchoolID)
	}
	return it
}

func (it applicationItem) application() certification.Application {
	a := certification.Application{Year: it.Year, SchoolID: it.SchoolID, Country: it.Country, Status: it.Status, Version: it.Version,
		OnlineSafety: certification.OnlineSafety{Answer: it.OnlineSafetyAnswer, Evidence: it.OnlineSafetyEvidence},
		Declaration:  certification.Declaration{HeadTeacher: it.HeadTeacher, SignedAt: it.SignedAt},
		CreatedAt:    it.CreatedAt, UpdatedAt: it.UpdatedAt, UpdatedBy: it.UpdatedBy,
		SubmittedAt: it.SubmittedAt, SubmittedBy: it.SubmittedBy, EvaluatedAt: it.EvaluatedAt, EvaluatedBy: it.EvaluatedBy,
		Feedback: it.Feedback, IdleRemindedFor: it.IdleRemindedFor, NSORemindedFor: it.NSORemindedFor, ClosingReminded: it.ClosingReminded,
		Elements: map[string]certification.ElementPart{}}
	for k, p := range it.Elements {
		a.Elements[k] = certification.ElementPart(p)
	}
	for _, n := range it.Pending {
		a.Pending = append(a.Pending, certification.Notice(n))
	}
	return a
}

// certLabelItem is a school's label of a round.
type certLabelItem struct {
	Year       int       `dynamodbav:"year"`
	SchoolID   string    `dynamodbav:"schoolId"`
	ValidUntil time.Time `dynamodbav:"validUntil"`
	AwardedAt  time.Time `dynamodbav:"awardedAt"`
}

// certQueueItem is a submitted application in its country's NSO queue.
type certQueueItem struct {
	SchoolID    string    `dynamodbav:"schoolId"`
	SchoolName  string    `dynamodbav:"schoolName"`
	Year        int       `dynamodbav:"year"`
	SubmittedAt time.Time `dynamodbav:"submittedAt"`
	Country     string    `dynamodbav:"country"`
}

// Application implements certification.ApplicationStore: one consistent GetItem.
func (s *Store) Application(ctx context.Context, year int, schoolID string) (certification.Application, bool, error) {
	var it applicationItem
	found, err := s.get(ctx, key(schoolPK(schoolID), certAppSK(year)), &it)
	if err != nil || !found {
		return certification.Application{}, false, err
	}
	return it.application(), true, nil
}

// CreateApplication implements certification.ApplicationStore: one put that must not
// overwrite (two first saves at once: one wins, the other gets ErrApplicationExists).
func (s *Store) CreateApplication(ctx context.Context, a certification.Application) (certification.Application, error) {
	a.Version = 1
	it, err := item(schoolPK(a.SchoolID), certAppSK(a.Year), "certApplication", applicationItemOf(a))
	if err != nil {
		return certification.Application{}, err
	}
	if err := s.transact(ctx, []txItem{s.putNew(it, fail(certification.ErrApplicationExists))}); err != nil {
		return certification.Application{}, err
	}
	return a, nil
}

// UpdateApplication implements certification.ApplicationStore with updateVersioned: the
// application as decided (conditional on the version read, its reminder entry
// recomputed), the queue entry put or deleted, the label and the notifications, in one
// transaction.
func (s *Store) UpdateApplication(ctx context.Context, year int, schoolID string, decide func(*certification.Application) (certification.Effects, error)) (certification.Application, error) {
	var fx certification.Effects
	it, err := updateVersioned(ctx, s, key(schoolPK(schoolID), certAppSK(year)), certification.ErrNoApplication, certification.ErrApplicationBusy,
		func(it *applicationItem) error {
			a := it.application()
			var err error
			if fx, err = decide(&a); err != nil {
				return err
			}
			*it = applicationItemOf(a)
			return nil
		},
		func(ctx context.Context, before, after *applicationItem, cond expression.ConditionBuilder) error {
			return s.writeApplication(ctx, before, after, cond, fx)
		})
	return it.application(), err
}

func (s *Store) writeApplication(ctx context.Context, before, after *applicationItem, cond expression.ConditionBuilder, fx certification.Effects) error {
	au, err := s.versionedUpdate(key(schoolPK(after.SchoolID), certAppSK(after.Year)), before, after, cond, nil)
	if err != nil {
		return err
	}
	items := []txItem{au}
	if q := fx.Queue; q != nil {
		raw, err := item(certQueuePK(q.Country), certQueueSK(q.SubmittedAt, q.SchoolID), "certQueueEntry", certQueueItem(*q))
		if err != nil {
			return err
		}
		items = append(items, s.put(raw))
	}
	if q := fx.Unqueue; q != nil {
		d, err := s.del(key(certQueuePK(q.Country), certQueueSK(q.SubmittedAt, q.SchoolID)), nil, nil)
		if err != nil {
			return err
		}
		items = append(items, d)
	}
	if l := fx.Label; l != nil {
		raw, err := item(schoolPK(l.SchoolID), certLabelSK(l.Year), "certLabel", certLabelItem{Year: l.Year, SchoolID: l.SchoolID, ValidUntil: l.ValidUntil, AwardedAt: l.AwardedAt})
		if err != nil {
			return err
		}
		items = append(items, s.put(raw))
	}
	notes, err := s.notificationItems(fx.Notices...)
	if err != nil {
		return err
	}
	return s.transact(ctx, append(items, notes...))
}

// CertLabel implements certification.ApplicationStore: a consistent Query of the school's
// labels, newest round first, until one still valid at now (a page: one label per round).
func (s *Store) CertLabel(ctx context.Context, schoolID string, now time.Time) (*certification.Label, error) {
	in, err := partition{PK: schoolPK(schoolID), Prefix: prefixCertLabel, Consistent: true}.input(s, "")
	if err != nil {
		return nil, err
	}
	var found *certification.Label
	err = s.queryPages(ctx, in, func(out *dynamodb.QueryOutput) (bool, error) {
		ls, err := decode(out.Items, func(it certLabelItem) certification.Label {
			return certification.Label{Year: it.Year, SchoolID: it.SchoolID, ValidUntil: it.ValidUntil, AwardedAt: it.AwardedAt}
		})
		if err != nil {
			return false, err
		}
		for _, l := range ls {
			if l.ValidUntil.After(now) {
				found = &l
				return false, nil
			}
		}
		return true, nil
	})
	return found, err
}

// SchoolTeacherIDs implements certification.ApplicationStore: a consistent Query of the
// school's member links (SCHOOL#<id> / MEMBER#<memberId>).
func (s *Store) SchoolTeacherIDs(ctx context.Context, schoolID string) ([]string, error) {
	in, err := partition{PK: schoolPK(schoolID), Prefix: schoolMemberSK(""), Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		return nil, err
	}
	in.ProjectionExpression = aws.String("memberId")
	items, err := s.queryAll(ctx, in)
	if err != nil {
		return nil, err
	}
	return decode(items, func(it schoolMember) string { return it.MemberID })
}

// ListCertQueue implements certification.ApplicationStore: a consistent Query of
// CERTQUEUE#<country>, oldest first.
func (s *Store) ListCertQueue(ctx context.Context, country, after string, limit int) ([]certification.QueueEntry, string, error) {
	return listPartition(ctx, s, partition{PK: certQueuePK(country), Forward: true, Consistent: true}, after, limit,
		func(it certQueueItem) certification.QueueEntry { return certification.QueueEntry(it) })
}

// DueApplications implements certification.ApplicationStore: a Query of the round's
// reminder list on GSI1 (every page), the entries at or before dueBy (zero: all).
func (s *Store) DueApplications(ctx context.Context, year int, list string, dueBy time.Time) ([]string, error) {
	kc := expression.Key("GSI1PK").Equal(expression.Value(certRemindersGSI1PK(year, list)))
	if !dueBy.IsZero() {
		kc = kc.And(expression.Key("GSI1SK").LessThanEqual(expression.Value(certRemindersDueBy(dueBy))))
	}
	e, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), IndexName: aws.String("GSI1"), KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ProjectionExpression: aws.String("schoolId")}
	items, err := s.queryAll(ctx, in)
	if err != nil {
		return nil, err
	}
	return decode(items, func(it struct {
		SchoolID string `dynamodbav:"schoolId"`
	}) string {
		return it.SchoolID
	})
}

var _ certification.ApplicationStore = (*Store)(nil)

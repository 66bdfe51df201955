package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/notify"
	"etwin/shared/project"
)

func (s *Store) projectPut(p project.Project) (map[string]types.AttributeValue, error) {
	return item(projectPK(p.ProjectID), skProject, "project", newProjectItem(p))
}

// partnerPut is the item of one partner of p.
func (s *Store) partnerPut(p project.Project, pt project.Partner) (map[string]types.AttributeValue, error) {
	pt.ProjectID = p.ProjectID
	return item(projectPK(p.ProjectID), projectMemberSK(pt.MemberID), "partner", partnerItem{partnerAttrs: partnerAttrs(pt),
		GSI1PK: memberProjectsGSI1PK(pt.MemberID), GSI1SK: memberProjectsGSI1SK(p.CreatedAt.UTC().Format(time.RFC3339Nano), p.ProjectID)})
}

// PutProjectTree writes a project and its partners as they are given, replacing what is
// stored under the same keys (fixtures and the import; the API's use cases write through
// their own conditional transitions). At most 99 partners (one transaction).
func (s *Store) PutProjectTree(ctx context.Context, p project.Project, partners []project.Partner) error {
	pi, err := s.projectPut(p)
	if err != nil {
		return err
	}
	items := []txItem{s.put(pi)}
	for _, pt := range partners {
		it, err := s.partnerPut(p, pt)
		if err != nil {
			return err
		}
		items = append(items, s.put(it))
	}
	return s.transact(ctx, items)
}

// CreateProject implements project.Store: the new project, its partners (both founders)
// and the notices, in one transaction that also checks the co-founder is still a contact
// of the founder (project.ErrNotContact).
func (s *Store) CreateProject(ctx context.Context, p project.Project, partners []project.Partner, notices []notify.Notification) error {
	pi, err := s.projectPut(p)
	if err != nil {
		return err
	}
	items := []txItem{s.putNew(pi, fail(errBusy)), s.contactCheck(p.FounderID, p.CofounderID)}
	for _, pt := range partners {
		it, err := s.partnerPut(p, pt)
		if err != nil {
			return err
		}
		items = append(items, s.putNew(it, fail(errBusy)))
	}
	notes, err := s.notificationItems(notices...)
	if err != nil {
		return err
	}
	return s.transact(ctx, append(items, notes...))
}

// GetProject implements project.Store (one consistent GetItem).
func (s *Store) GetProject(ctx context.Context, projectID string) (project.Project, bool, error) {
	var it projectItem
	found, err := s.get(ctx, key(projectPK(projectID), skProject), &it)
	return it.toProject(), found, err
}

// contactCheck is the transactional check that otherID is a contact of memberID (the
// item IsContact reads), failing with project.ErrNotContact.
func (s *Store) contactCheck(memberID, otherID string) txItem {
	return s.exists(key(memberPK(memberID), contactSK(otherID)), fail(project.ErrNotContact))
}

// IsPartner implements project.Store: one consistent GetItem of the partner item.
func (s *Store) IsPartner(ctx context.Context, projectID, memberID string) (bool, error) {
	return s.has(ctx, key(projectPK(projectID), projectMemberSK(memberID)))
}

func (s *Store) queueEntryPut(p project.Project, country string) (txItem, error) {
	e := project.EntryOf(&p)
	it, err := item(nsoQueuePK(country), nsoQueueSK(e.SubmittedAt.UTC().Format(keyTime), p.ProjectID), "nsoQueueEntry", queueEntryItemOf(e))
	if err != nil {
		return txItem{}, err
	}
	return s.put(it), nil
}

func (s *Store) queueEntryDelete(p project.Project, country string) (txItem, error) {
	var at time.Time
	if p.SubmittedAt != nil {
		at = *p.SubmittedAt
	}
	return s.del(key(nsoQueuePK(country), nsoQueueSK(at.UTC().Format(keyTime), p.ProjectID)), nil, nil)
}

// versionField implements versionedItem.
func (it *projectItem) versionField() (string, *int) { return "version", &it.Version }

// UpdateProject implements project.Store with updateVersioned: the project as decided
// (conditional on the version read), the co-founder's school on their partner item, the
// NSO queue entries, the counters and the notifications, in one transaction.
func (s *Store) UpdateProject(ctx context.Context, projectID string, decide func(*project.Project) (project.Effects, error)) (project.Project, error) {
	var fx project.Effects
	it, err := updateVersioned(ctx, s, key(projectPK(projectID), skProject), project.ErrNoProject, project.ErrBusy,
		func(it *projectItem) error {
			p := it.toProject()
			var err error
			if fx, err = decide(&p); err != nil {
				return err
			}
			*it = newProjectItem(p)
			return nil
		},
		func(ctx context.Context, before, after *projectItem, cond expression.ConditionBuilder) error {
			return s.writeProject(ctx, before, after, cond, fx)
		})
	return it.toProject(), err
}

func (s *Store) writeProject(ctx context.Context, before, after *projectItem, cond expression.ConditionBuilder, fx project.Effects) error {
	pu, err := s.versionedUpdate(key(projectPK(after.ProjectID), skProject), before, after, cond, nil)
	if err != nil {
		return err
	}
	items := []txItem{pu}
	p := after.toProject()
	if f := fx.CofounderSchool; f != nil {
		it, err := s.update(key(projectPK(p.ProjectID), projectMemberSK(f.MemberID)), expression.NewBuilder().
			WithCondition(expression.AttributeExists(expression.Name("PK"))).
			WithUpdate(expression.Set(expression.Name("schoolId"), expression.Value(f.SchoolID)).
				Set(expression.Name("country"), expression.Value(f.Country))), fail(errStale))
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	for _, country := range fx.QueueAdd {
		it, err := s.queueEntryPut(p, country)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	for _, country := range fx.QueueRemove {
		it, err := s.queueEntryDelete(p, country)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	st, err := s.statsUpdates(fx.Stats, fx.StatsCountries...)
	if err != nil {
		return err
	}
	notes, err := s.notificationItems(fx.Notices...)
	if err != nil {
		return err
	}
	items = append(append(items, st...), notes...)
	if fx.Spend != nil {
		sp, err := s.actionSpend(*fx.Spend)
		if err != nil {
			return err
		}
		items = append(items, sp)
	}
	if before.Status != project.Approved && p.Status == project.Approved {
		// the founders' schools count the project (and its founders as active teachers)
		sums, err := s.founderSummaries(p)
		if err != nil {
			return err
		}
		items = append(items, sums...)
	}
	return s.transact(ctx, items)
}

// approvedFact is project p as a school's summary records it, with the school's teachers
// in it.
func approvedFact(p project.Project, members ...string) *projectFact {
	f := &projectFact{ProjectID: p.ProjectID, Members: members, ApprovedAt: p.ApprovedAt, ClosedAt: p.ClosedAt,
		European: len(p.NSOCountries) > 1}
	if f.ApprovedAt == nil && (p.Status == project.Approved || p.Status == project.Closed) {
		f.ApprovedAt = &p.CreatedAt
	}
	return f
}

// founderSummaries record an approved project in its founders' schools' summaries (one
// update per school: two founders of one school share it).
func (s *Store) founderSummaries(p project.Project) ([]txItem, error) {
	bySchool := map[string][]string{}
	var order []string
	for _, f := range p.Founders {
		if f.SchoolID == "" {
			continue
		}
		if _, ok := bySchool[f.SchoolID]; !ok {
			order = append(order, f.SchoolID)
		}
		bySchool[f.SchoolID] = append(bySchool[f.SchoolID], f.MemberID)
	}
	var items []txItem
	for _, sid := range order {
		it, err := s.summaryUpdate(sid, summaryChange{Project: approvedFact(p, bySchool[sid]...)})
		if err != nil {
			return nil, err
		}
		items = append(items, it)
	}
	return items, nil
}

// WithdrawProject implements project.Store with updateVersioned: when decide allows it,
// every item of the project's partition (the project, its partners) and its NSO queue
// entries go, in one transaction conditional on the version read.
func (s *Store) WithdrawProject(ctx context.Context, projectID string, decide func(*project.Project) error) error {
	_, err := updateVersioned(ctx, s, key(projectPK(projectID), skProject), project.ErrNoProject, project.ErrBusy,
		func(it *projectItem) error {
			p := it.toProject()
			return decide(&p)
		},
		func(ctx context.Context, before, _ *projectItem, cond expression.ConditionBuilder) error {
			return s.deleteProject(ctx, before.toProject(), cond)
		})
	return err
}

func (s *Store) deleteProject(ctx context.Context, p project.Project, cond expression.ConditionBuilder) error {
	drop, err := s.versionedDelete(key(projectPK(p.ProjectID), skProject), cond)
	if err != nil {
		return err
	}
	items := []txItem{drop}
	var sks []string
	in, err := partition{PK: projectPK(p.ProjectID), Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		return err
	}
	raws, _, err := s.queryPage(ctx, in, 99)
	if err != nil {
		return err
	}
	for _, raw := range raws {
		if sk := str(raw, "SK"); sk != skProject {
			sks = append(sks, sk)
		}
	}
	for _, sk := range sks {
		it, err := s.del(key(projectPK(p.ProjectID), sk), nil, nil)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	for _, country := range undecided(p) {
		it, err := s.queueEntryDelete(p, country)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	return s.transact(ctx, items)
}

func undecided(p project.Project) []string {
	if p.Status != project.AwaitingNSO {
		return nil
	}
	var out []string
	for _, c := range p.NSOCountries {
		if _, done := p.NSODecisions[c]; !done {
			out = append(out, c)
		}
	}
	return out
}

// ListMemberProjects implements project.Store: the member's partner items on GSI1,
// newest first, then their projects with BatchGetItem (in the same order).
func (s *Store) ListMemberProjects(ctx context.Context, memberID, after string, limit int) ([]project.Project, string, error) {
	gpk := memberProjectsGSI1PK(memberID)
	kc := expression.Key("GSI1PK").Equal(expression.Value(gpk))
	e, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, "", err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), IndexName: aws.String("GSI1"), KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ScanIndexForward: aws.Bool(false),
		ProjectionExpression: aws.String("PK, SK, GSI1PK, GSI1SK")}
	if after != "" {
		in.ExclusiveStartKey = memberProjectsStart(memberID, after)
	}
	entries, next, err := s.queryPage(ctx, in, limit)
	if err != nil {
		return nil, "", err
	}
	ids := make([]string, len(entries))
	for i, raw := range entries {
		ids[i] = projectIDOf(str(raw, "PK"))
	}
	keys := make([]map[string]types.AttributeValue, len(ids))
	for i, id := range ids {
		keys[i] = key(projectPK(id), skProject)
	}
	found, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, "", err
	}
	out := make([]project.Project, 0, len(ids))
	for _, id := range ids {
		raw, ok := found[keyRef(projectPK(id), skProject)]
		if !ok {
			continue // withdrawn meanwhile
		}
		var it projectItem
		if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
			return nil, "", err
		}
		out = append(out, it.toProject())
	}
	return out, next, nil
}

// ListNSOQueue implements project.Store: a consistent Query of NSOQUEUE#<country>, oldest
// first.
func (s *Store) ListNSOQueue(ctx context.Context, country, after string, limit int) ([]project.QueueEntry, string, error) {
	return listPartition(ctx, s, partition{PK: nsoQueuePK(country), Forward: true, Consistent: true}, after, limit, func(e queueEntryItem) project.QueueEntry { return e.toEntry() })
}

// DueReminderProjects implements project.Store: a Query of the reminders' GSI1 entries
// due at now (every page).
func (s *Store) DueReminderProjects(ctx context.Context, now time.Time) ([]string, error) {
	kc := expression.Key("GSI1PK").Equal(expression.Value(projectRemindersGSI1PK)).
		And(expression.Key("GSI1SK").LessThanEqual(expression.Value(projectRemindersDueBy(now))))
	e, err := expression.NewBuilder().WithKeyCondition(kc).Build()
	if err != nil {
		return nil, err
	}
	in := &dynamodb.QueryInput{TableName: s.tableName(), IndexName: aws.String("GSI1"), KeyConditionExpression: e.KeyCondition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(), ProjectionExpression: aws.String("projectId")}
	items, err := s.queryAll(ctx, in)
	ids := make([]string, len(items))
	for i, raw := range items {
		ids[i] = str(raw, "projectId")
	}
	return ids, err
}

// NSOAccounts implements project.Store: a consistent Query of NSOACCOUNTS#<country>.
func (s *Store) NSOAccounts(ctx context.Context, country string) ([]string, error) {
	in, err := partition{PK: nsoAccountsPK(country), Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		return nil, err
	}
	items, err := s.queryAll(ctx, in)
	if err != nil {
		return nil, err
	}
	return decode(items, func(it nsoAccountItem) string { return it.MemberID })
}

// nsoAccountItem is a country's NSO account entry.
type nsoAccountItem struct {
	MemberID string `dynamodbav:"memberId"`
}

var _ project.Store = (*Store)(nil)

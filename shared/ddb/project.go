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

// projectItem is the stored project. While a reminder is still to be sent it carries the
// sparse GSI1 entry of the reminders job (derived from the project on every write).
type projectItem struct {
	project.Project
	GSI1PK string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK string `dynamodbav:"GSI1SK,omitempty"`
}

// partnerItem is a partner of a project; GSI1 lists a member's projects.
type partnerItem struct {
	project.Partner
	GSI1PK string `dynamodbav:"GSI1PK"`
	GSI1SK string `dynamodbav:"GSI1SK"`
}

func newProjectItem(p project.Project) projectItem {
	it := projectItem{Project: p}
	if at := project.ReminderDueAt(&p); at != nil {
		it.GSI1PK, it.GSI1SK = projectRemindersGSI1PK, projectReminderGSI1SK(at.Format(keyTime), p.ProjectID)
	}
	return it
}

func (s *Store) projectPut(p project.Project) (map[string]types.AttributeValue, error) {
	return item(projectPK(p.ProjectID), skProject, "project", newProjectItem(p))
}

// partnerPut is the item of one partner of p.
func (s *Store) partnerPut(p project.Project, pt project.Partner) (map[string]types.AttributeValue, error) {
	pt.ProjectID = p.ProjectID
	return item(projectPK(p.ProjectID), projectMemberSK(pt.MemberID), "partner", partnerItem{Partner: pt,
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
// and the notices, in one transaction.
func (s *Store) CreateProject(ctx context.Context, p project.Project, partners []project.Partner, notices []notify.Notification) error {
	pi, err := s.projectPut(p)
	if err != nil {
		return err
	}
	items := []txItem{s.putNew(pi, fail(errBusy))}
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
	return it.Project, found, err
}

// IsPartner implements project.Store: one consistent GetItem of the partner item.
func (s *Store) IsPartner(ctx context.Context, projectID, memberID string) (bool, error) {
	return s.has(ctx, key(projectPK(projectID), projectMemberSK(memberID)))
}

// projectUpdate is the transactional update of the project item from c.Before to c.After,
// conditional on the version read: every attribute of After is set, attributes After no
// longer has are removed (attributes others keep on the item are left alone).
func (s *Store) projectUpdate(before, after project.Project) (txItem, error) {
	b, err := attributevalue.MarshalMap(newProjectItem(before))
	if err != nil {
		return txItem{}, err
	}
	a, err := attributevalue.MarshalMap(newProjectItem(after))
	if err != nil {
		return txItem{}, err
	}
	var upd expression.UpdateBuilder
	for name, v := range a {
		upd = upd.Set(expression.Name(name), expression.Value(v))
	}
	for name := range b {
		if _, kept := a[name]; !kept {
			upd = upd.Remove(expression.Name(name))
		}
	}
	return s.update(key(projectPK(after.ProjectID), skProject), expression.NewBuilder().
		WithCondition(expression.Name("version").Equal(expression.Value(before.Version))).
		WithUpdate(upd), fail(project.ErrStale))
}

func (s *Store) queueEntryPut(p project.Project, country string) (txItem, error) {
	e := project.EntryOf(&p)
	it, err := item(nsoQueuePK(country), nsoQueueSK(e.SubmittedAt.UTC().Format(keyTime), p.ProjectID), "nsoQueueEntry", e)
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

// ApplyProjectChange implements project.Store: the project (conditional on the version
// read, else project.ErrStale), the co-founder's school on their partner item, the NSO
// queue entries, the counters and the notifications, in one transaction.
func (s *Store) ApplyProjectChange(ctx context.Context, c project.Change) error {
	pu, err := s.projectUpdate(c.Before, c.After)
	if err != nil {
		return err
	}
	items := []txItem{pu}
	if f := c.CofounderSchool; f != nil {
		it, err := s.update(key(projectPK(c.After.ProjectID), projectMemberSK(f.MemberID)), expression.NewBuilder().
			WithCondition(expression.AttributeExists(expression.Name("PK"))).
			WithUpdate(expression.Set(expression.Name("schoolId"), expression.Value(f.SchoolID)).
				Set(expression.Name("country"), expression.Value(f.Country))), fail(project.ErrStale))
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	for _, country := range c.QueueAdd {
		it, err := s.queueEntryPut(c.After, country)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	for _, country := range c.QueueRemove {
		it, err := s.queueEntryDelete(c.After, country)
		if err != nil {
			return err
		}
		items = append(items, it)
	}
	st, err := s.statsUpdates(c.Stats, c.StatsCountries...)
	if err != nil {
		return err
	}
	notes, err := s.notificationItems(c.Notices...)
	if err != nil {
		return err
	}
	items = append(append(items, st...), notes...)
	return s.transact(ctx, items)
}

// WithdrawProject implements project.Store: every item of the project's partition (the
// project, its partners) and its NSO queue entries, in one transaction conditional on
// the version read.
func (s *Store) WithdrawProject(ctx context.Context, p project.Project) error {
	version := expression.Name("version").Equal(expression.Value(p.Version))
	drop, err := s.del(key(projectPK(p.ProjectID), skProject), &version, fail(project.ErrStale))
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
		out = append(out, it.Project)
	}
	return out, next, nil
}

// ListNSOQueue implements project.Store: a consistent Query of NSOQUEUE#<country>, oldest
// first.
func (s *Store) ListNSOQueue(ctx context.Context, country, after string, limit int) ([]project.QueueEntry, string, error) {
	return listPartition(ctx, s, partition{PK: nsoQueuePK(country), Forward: true, Consistent: true}, after, limit, asIs[project.QueueEntry])
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

package ddb

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/notify"
	"etwin/shared/project"
	"etwin/shared/twinspace"
)

// pageFields are the stored names of a twinspace.Page.
type pageFields struct {
	PageID    string    `dynamodbav:"pageId"`
	Title     string    `dynamodbav:"title"`
	Body      string    `dynamodbav:"body"`
	AuthorID  string    `dynamodbav:"authorId"`
	CreatedAt time.Time `dynamodbav:"createdAt"`
	UpdatedAt time.Time `dynamodbav:"updatedAt"`
	Version   int       `dynamodbav:"version"`
}

// GetTwinSpace implements twinspace.Store: one strongly consistent Query of the project's
// partition (continued while DynamoDB pages it), sorted out by sort key: LABEL# < MEMBER#
// < PAGE# < PROJECT.
func (s *Store) GetTwinSpace(ctx context.Context, projectID string) (twinspace.Space, bool, error) {
	var sp twinspace.Space
	found := false
	in, err := partition{PK: projectPK(projectID), Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		return sp, false, err
	}
	err = s.queryPages(ctx, in, func(out *dynamodb.QueryOutput) (bool, error) {
		for _, raw := range out.Items {
			sk := str(raw, "SK")
			switch {
			case sk == skProject:
				var it projectItem
				if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
					return false, err
				}
				sp.Project, found = it.toProject(), true
			case strings.HasPrefix(sk, prefixProjectMember):
				var it partnerItem
				if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
					return false, err
				}
				sp.Partners = append(sp.Partners, it.toPartner())
			case strings.HasPrefix(sk, prefixProjectPage):
				var pg pageFields
				if err := attributevalue.UnmarshalMap(raw, &pg); err != nil {
					return false, err
				}
				sp.Pages = append(sp.Pages, pg.toPage())
			case strings.HasPrefix(sk, prefixProjectLabel):
				var l labelItem
				if err := attributevalue.UnmarshalMap(raw, &l); err != nil {
					return false, err
				}
				sp.Labels = append(sp.Labels, l.toLabel())
			}
		}
		return true, nil
	})
	return sp, found, err
}

// GetProjectPartners implements twinspace.Store: one consistent BatchGetItem of the
// project and the partner items of memberIDs.
func (s *Store) GetProjectPartners(ctx context.Context, projectID string, memberIDs ...string) (project.Project, map[string]project.Partner, bool, error) {
	pk := projectPK(projectID)
	keys := []map[string]types.AttributeValue{key(pk, skProject)}
	seen := map[string]bool{}
	for _, id := range memberIDs {
		if !seen[id] {
			seen[id] = true
			keys = append(keys, key(pk, projectMemberSK(id)))
		}
	}
	got, err := s.batchGet(ctx, keys)
	if err != nil {
		return project.Project{}, nil, false, err
	}
	partners := map[string]project.Partner{}
	for id := range seen {
		if raw, ok := got[keyRef(pk, projectMemberSK(id))]; ok {
			var it partnerItem
			if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
				return project.Project{}, nil, false, err
			}
			partners[id] = it.toPartner()
		}
	}
	raw, ok := got[keyRef(pk, skProject)]
	if !ok {
		return project.Project{}, partners, false, nil
	}
	var it projectItem
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil {
		return project.Project{}, nil, false, err
	}
	return it.toProject(), partners, true, nil
}

// check is a transactional condition check built with the expression package.
func (s *Store) check(k map[string]types.AttributeValue, cond expression.ConditionBuilder, onFail func(map[string]types.AttributeValue) error) (txItem, error) {
	e, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return txItem{}, err
	}
	return txItem{write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: s.tableName(), Key: k, ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}, onFail: onFail}, nil
}

// projectOpen checks that the project is approved (a TwinSpace write).
func (s *Store) projectOpen(projectID string) (txItem, error) {
	return s.check(key(projectPK(projectID), skProject),
		expression.Name("status").Equal(expression.Value(project.Approved)), fail(twinspace.ErrNotOpen))
}

var isAdmin = expression.Name("role").Equal(expression.Value(project.RoleAdmin))

// adminFail tells a vanished caller from one who is no longer an administrator.
func adminFail(old map[string]types.AttributeValue) error {
	if old == nil {
		return twinspace.ErrGone
	}
	return twinspace.ErrNotAdmin
}

// callerIsAdmin checks that adminID is an administrator of the project.
func (s *Store) callerIsAdmin(projectID, adminID string) (txItem, error) {
	return s.check(key(projectPK(projectID), projectMemberSK(adminID)), isAdmin, adminFail)
}

// targetFail explains a failed condition on the target partner's item.
func targetFail(self bool) func(map[string]types.AttributeValue) error {
	return func(old map[string]types.AttributeValue) error {
		if old == nil {
			if self {
				return twinspace.ErrGone
			}
			return twinspace.ErrNotPartner
		}
		if b, ok := old["founder"].(*types.AttributeValueMemberBOOL); ok && b.Value {
			return twinspace.ErrFounder
		}
		if self {
			return twinspace.ErrNotAdmin
		}
		return twinspace.ErrNotPartner
	}
}

// AddPartner implements twinspace.Store: the project still approved, the caller still an
// administrator, the new partner still their contact (project.ErrNotContact), the new
// partner item (only if absent) and the notification, in one transaction.
func (s *Store) AddPartner(ctx context.Context, p project.Project, adminID string, pt project.Partner, n notify.Notification) error {
	open, err := s.projectOpen(p.ProjectID)
	if err != nil {
		return err
	}
	admin, err := s.callerIsAdmin(p.ProjectID, adminID)
	if err != nil {
		return err
	}
	it, err := s.partnerPut(p, pt)
	if err != nil {
		return err
	}
	notes, err := s.notificationItems(n)
	if err != nil {
		return err
	}
	items := append([]txItem{open, admin, s.contactCheck(adminID, pt.MemberID),
		s.putNew(it, fail(twinspace.ErrAlreadyPartner))}, notes...)
	if pt.SchoolID != "" { // the partner's school counts them as a teacher of the project
		sum, err := s.summaryUpdate(pt.SchoolID, summaryChange{Project: approvedFact(p, pt.MemberID)})
		if err != nil {
			return err
		}
		items = append(items, sum)
	}
	return s.transact(ctx, items)
}

// partnerChange is the transaction of a change to memberID's partner item by adminID:
// the project approved, the caller an administrator (folded into the change's own
// condition when the caller changes themself: one transaction may not touch an item twice).
func (s *Store) partnerChange(ctx context.Context, projectID, adminID, memberID string,
	change func(cond expression.ConditionBuilder, onFail func(map[string]types.AttributeValue) error) (txItem, error), cond expression.ConditionBuilder) error {
	open, err := s.projectOpen(projectID)
	if err != nil {
		return err
	}
	items := []txItem{open}
	self := adminID == memberID
	if self {
		cond = cond.And(isAdmin)
	} else {
		admin, err := s.callerIsAdmin(projectID, adminID)
		if err != nil {
			return err
		}
		items = append(items, admin)
	}
	target, err := change(cond, targetFail(self))
	if err != nil {
		return err
	}
	return s.transact(ctx, append(items, target))
}

var notFounder = expression.Name("founder").Equal(expression.Value(false))

// RemovePartner implements twinspace.Store (one transaction; the partner item is deleted
// only if it exists and is no founder's).
func (s *Store) RemovePartner(ctx context.Context, projectID, adminID, memberID string) error {
	k := key(projectPK(projectID), projectMemberSK(memberID))
	return s.partnerChange(ctx, projectID, adminID, memberID, func(cond expression.ConditionBuilder, onFail func(map[string]types.AttributeValue) error) (txItem, error) {
		return s.del(k, &cond, onFail)
	}, expression.AttributeExists(expression.Name("PK")).And(notFounder))
}

// SetPartnerRole implements twinspace.Store (one transaction; a founder's item is never
// set to member).
func (s *Store) SetPartnerRole(ctx context.Context, projectID, adminID, memberID, role string) error {
	k := key(projectPK(projectID), projectMemberSK(memberID))
	cond := expression.AttributeExists(expression.Name("PK"))
	if role != project.RoleAdmin {
		cond = cond.And(notFounder)
	}
	return s.partnerChange(ctx, projectID, adminID, memberID, func(cond expression.ConditionBuilder, onFail func(map[string]types.AttributeValue) error) (txItem, error) {
		return s.update(k, expression.NewBuilder().WithCondition(cond).
			WithUpdate(expression.Set(expression.Name("role"), expression.Value(role))), onFail)
	}, cond)
}

// AddPage implements twinspace.Store: the project approved, the author a partner, the
// page, in one transaction.
func (s *Store) AddPage(ctx context.Context, projectID string, pg twinspace.Page) error {
	open, err := s.projectOpen(projectID)
	if err != nil {
		return err
	}
	author := s.exists(key(projectPK(projectID), projectMemberSK(pg.AuthorID)), fail(twinspace.ErrGone))
	it, err := item(projectPK(projectID), projectPageSK(pg.CreatedAt.UTC().Format(time.RFC3339Nano), pg.PageID), "page", pageFields(pg))
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{open, author, s.putNew(it, fail(errBusy))})
}

// AwardLabel implements twinspace.Store: the project approved or closed, the project's
// label item (only if absent), the school's copy and the notifications, in one
// transaction.
func (s *Store) AwardLabel(ctx context.Context, l project.Label, ns []notify.Notification) error {
	status := expression.Name("status")
	visible, err := s.check(key(projectPK(l.ProjectID), skProject),
		status.Equal(expression.Value(project.Approved)).Or(status.Equal(expression.Value(project.Closed))), fail(twinspace.ErrNotOpen))
	if err != nil {
		return err
	}
	mine, err := item(projectPK(l.ProjectID), projectLabelSK(l.Kind, l.SchoolID), "label", labelItem(l))
	if err != nil {
		return err
	}
	theirs, err := item(schoolPK(l.SchoolID), schoolLabelSK(l.ProjectID, l.Kind), "label", labelItem(l))
	if err != nil {
		return err
	}
	notes, err := s.notificationItems(ns...)
	if err != nil {
		return err
	}
	// the API awards National Quality Labels to European projects only (CheckLabel)
	sum, err := s.summaryUpdate(l.SchoolID, summaryChange{Label: &l, LabelEuropean: true})
	if err != nil {
		return err
	}
	return s.transact(ctx, append([]txItem{visible, s.putNew(mine, fail(twinspace.ErrLabelAwarded)), s.put(theirs), sum}, notes...))
}

var _ twinspace.Store = (*Store)(nil)

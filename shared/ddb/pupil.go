package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/account"
	"etwin/shared/member"
	"etwin/shared/project"
	"etwin/shared/pupil"
)

// Pupils (docs/data-model.md "Pupils"): each pupil is one item in their project's pupil
// partition, PUPILS#<projectId> / PUPIL#<pupilId> (the list is one Query); their username
// is claimed in the members' username guard (holder "pupil", memberId the pupilId,
// projectId), and their sessions sit in MEMBER#<pupilId> / SESSION#<hash> like members'.
const holderPupil = "pupil"

// pupilFields are the stored names of a pupil.Pupil.
type pupilFields struct {
	PupilID      string    `dynamodbav:"pupilId"`
	ProjectID    string    `dynamodbav:"projectId"`
	FirstName    string    `dynamodbav:"firstName"`
	AgeGroup     string    `dynamodbav:"ageGroup"`
	CreatedBy    string    `dynamodbav:"createdBy"`
	Username     string    `dynamodbav:"username"`
	PasswordHash string    `dynamodbav:"passwordHash"`
	CreatedAt    time.Time `dynamodbav:"createdAt"`
}

// pupilGuard is the username guard of a pupil.
type pupilGuard struct {
	Username  string `dynamodbav:"username"`
	Holder    string `dynamodbav:"holder"`
	MemberID  string `dynamodbav:"memberId"`
	ProjectID string `dynamodbav:"projectId"`
}

func pupilKey(projectID, pupilID string) map[string]types.AttributeValue {
	return key(projectPupilsPK(projectID), pupilSK(pupilID))
}

func pupilGuardKey(username string) map[string]types.AttributeValue {
	return key(usernamePK(member.UsernameKey(username)), skUsername)
}

// CreatePupil implements pupil.Store: the pupil item and its username guard (put only if
// absent: two teachers drawing the same name at once get one each), while the project is
// approved and the creator a partner, in one transaction.
func (s *Store) CreatePupil(ctx context.Context, p pupil.Pupil) error {
	open, err := s.check(key(projectPK(p.ProjectID), skProject),
		expression.Name("status").Equal(expression.Value(project.Approved)), fail(pupil.ErrNotOpen))
	if err != nil {
		return err
	}
	creator := s.exists(key(projectPK(p.ProjectID), projectMemberSK(p.CreatedBy)), fail(pupil.ErrGone))
	it, err := item(projectPupilsPK(p.ProjectID), pupilSK(p.PupilID), "pupil", pupilFields(p))
	if err != nil {
		return err
	}
	guard, err := item(usernamePK(member.UsernameKey(p.Username)), skUsername, "username",
		pupilGuard{Username: p.Username, Holder: holderPupil, MemberID: p.PupilID, ProjectID: p.ProjectID})
	if err != nil {
		return err
	}
	return s.transact(ctx, []txItem{open, creator, s.putNew(it, fail(errBusy)), s.putNew(guard, fail(pupil.ErrUsernameTaken))})
}

// ListPupils implements pupil.Store: one consistent Query of the project's pupils.
func (s *Store) ListPupils(ctx context.Context, projectID string) ([]pupil.Pupil, error) {
	in, err := partition{PK: projectPupilsPK(projectID), Prefix: prefixPupil, Forward: true, Consistent: true}.input(s, "")
	if err != nil {
		return nil, err
	}
	items, err := s.queryAll(ctx, in)
	if err != nil {
		return nil, err
	}
	out := make([]pupil.Pupil, 0, len(items))
	for _, raw := range items {
		var f pupilFields
		if err := attributevalue.UnmarshalMap(raw, &f); err != nil {
			return nil, err
		}
		out = append(out, pupil.Pupil(f))
	}
	return out, nil
}

// GetPupil implements pupil.Store.
func (s *Store) GetPupil(ctx context.Context, projectID, pupilID string) (pupil.Pupil, bool, error) {
	var f pupilFields
	found, err := s.get(ctx, pupilKey(projectID, pupilID), &f)
	return pupil.Pupil(f), found, err
}

// DeletePupil implements pupil.Store: the item and its guard in one transaction (the item
// must exist: ErrGone), then the sessions.
func (s *Store) DeletePupil(ctx context.Context, p pupil.Pupil) error {
	exists := expression.AttributeExists(expression.Name("PK"))
	it, err := s.del(pupilKey(p.ProjectID, p.PupilID), &exists, fail(pupil.ErrGone))
	if err != nil {
		return err
	}
	mine := expression.Name("memberId").Equal(expression.Value(p.PupilID))
	guard, err := s.del(pupilGuardKey(p.Username), &mine, fail(errBusy))
	if err != nil {
		return err
	}
	if err := s.transact(ctx, []txItem{it, guard}); err != nil {
		return err
	}
	return s.DeleteAllSessions(ctx, p.PupilID)
}

// SetPupilPassword implements pupil.Store: the new hash (the item must exist: ErrGone),
// then the pupil's sessions end.
func (s *Store) SetPupilPassword(ctx context.Context, p pupil.Pupil, passwordHash string) error {
	failed, err := s.updateItem(ctx, pupilKey(p.ProjectID, p.PupilID), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK"))).
		WithUpdate(expression.Set(expression.Name("passwordHash"), expression.Value(passwordHash))), nil)
	if err != nil {
		return err
	}
	if failed {
		return pupil.ErrGone
	}
	return s.DeleteAllSessions(ctx, p.PupilID)
}

// PupilByUsername implements account.Store: the guard, then the pupil's item and their
// project's status (three strongly consistent reads, at sign-in only).
func (s *Store) PupilByUsername(ctx context.Context, username string) (account.PupilLogin, bool, error) {
	var g pupilGuard
	found, err := s.get(ctx, pupilGuardKey(username), &g)
	if err != nil || !found || g.Holder != holderPupil {
		return account.PupilLogin{}, false, err
	}
	p, found, err := s.GetPupil(ctx, g.ProjectID, g.MemberID)
	if err != nil || !found {
		return account.PupilLogin{}, false, err
	}
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.tableName(), Key: key(projectPK(p.ProjectID), skProject),
		ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("#s"), ExpressionAttributeNames: map[string]string{"#s": "status"}})
	if err != nil {
		return account.PupilLogin{}, false, err
	}
	open := str(res.Item, "status") == project.Approved
	return account.PupilLogin{PupilID: p.PupilID, ProjectID: p.ProjectID, Username: p.Username, PasswordHash: p.PasswordHash, Open: open}, true, nil
}

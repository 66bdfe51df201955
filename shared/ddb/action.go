package ddb

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"

	"etwin/shared/action"
)

// actionKept is how long a link's record stays after it expires, so that an expired link
// says "expired" (410) rather than "unknown" (404) for a while; the table's TTL then
// removes it.
const actionKept = 30 * 24 * time.Hour

// actionItem is a decision link's record, keyed by its token's hash.
type actionItem struct {
	Purpose     string     `dynamodbav:"purpose"`
	SubjectID   string     `dynamodbav:"subjectId"`
	RecipientID string     `dynamodbav:"recipientId"`
	CreatedAt   time.Time  `dynamodbav:"createdAt"`
	ExpiresAt   time.Time  `dynamodbav:"expiresAt"`
	UsedAt      *time.Time `dynamodbav:"usedAt,omitempty"`
	Outcome     string     `dynamodbav:"outcome,omitempty"`
	TTL         int64      `dynamodbav:"ttl"`
}

// actionPut is the write of a new link's record, in the transaction of the outbox item of
// the e-mail that carries it (outboxPuts).
func (s *Store) actionPut(t action.Token) (txItem, error) {
	av, err := item(actionPK(t.Hash), skAction, "action", actionItem{Purpose: t.Purpose, SubjectID: t.SubjectID,
		RecipientID: t.RecipientID, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, TTL: t.ExpiresAt.Add(actionKept).Unix()})
	if err != nil {
		return txItem{}, err
	}
	return s.putNew(av, fail(errBusy)), nil
}

// actionSpend is the write that uses a link, in the transaction of the decision it takes:
// only while the link exists and is unused (else action.ErrSpent).
func (s *Store) actionSpend(sp action.Spend) (txItem, error) {
	return s.update(key(actionPK(sp.Hash), skAction), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK")).And(expression.AttributeNotExists(expression.Name("usedAt")))).
		WithUpdate(expression.Set(expression.Name("usedAt"), expression.Value(sp.At.UTC())).
			Set(expression.Name("outcome"), expression.Value(sp.Outcome))), fail(action.ErrSpent))
}

// GetActionToken reads a link's record by its token's hash (strongly consistent).
func (s *Store) GetActionToken(ctx context.Context, hash string) (action.Token, bool, error) {
	var it actionItem
	found, err := s.get(ctx, key(actionPK(hash), skAction), &it)
	if err != nil || !found {
		return action.Token{}, found, err
	}
	return action.Token{Hash: hash, Purpose: it.Purpose, SubjectID: it.SubjectID, RecipientID: it.RecipientID,
		CreatedAt: it.CreatedAt, ExpiresAt: it.ExpiresAt, UsedAt: it.UsedAt, Outcome: it.Outcome}, true, nil
}

package ddb

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/idempotency"
)

// idempotencyItem is an Idempotency-Key and the first answer given under it. Without a
// reply the key is in progress until inProgressUntil (Unix ms), then free again; with
// one it is replayed until exp (Unix s).
type idempotencyItem struct {
	Fingerprint     string           `dynamodbav:"fingerprint"`
	Reply           *storedReplyItem `dynamodbav:"reply,omitempty"`
	InProgressUntil int64            `dynamodbav:"inProgressUntil"`
	expiry
}

type storedReplyItem struct {
	Status  int               `dynamodbav:"status"`
	Headers map[string]string `dynamodbav:"headers,omitempty"`
	Body    string            `dynamodbav:"body,omitempty"`
}

// ClaimIdempotencyKey stores a new key (no reply yet) unless one is stored and still
// holds: replayable (before exp), or in progress (before inProgressUntil). Then it
// returns that one (the condition's failure returns it, read consistently).
func (s *Store) ClaimIdempotencyKey(ctx context.Context, c idempotency.Claim) (*idempotency.Record, error) {
	it, err := item(idempotencyPK(c.Scope, c.KeyHash), skIdempotency, "idempotency", idempotencyItem{
		Fingerprint: c.Fingerprint, InProgressUntil: c.InProgressUntil.UnixMilli(),
		expiry: expiring(c.Expires)})
	if err != nil {
		return nil, err
	}
	cond := expression.AttributeNotExists(expression.Name("PK")).
		Or(expression.Name("exp").LessThanEqual(expression.Value(c.Now.Unix()))).
		Or(expression.AttributeNotExists(expression.Name("reply")).
			And(expression.Name("inProgressUntil").LessThan(expression.Value(c.Now.UnixMilli()))))
	e, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.tableName(), Item: it,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		var old idempotencyItem
		if err := attributevalue.UnmarshalMap(ccf.Item, &old); err != nil {
			return nil, err
		}
		rec := &idempotency.Record{Fingerprint: old.Fingerprint}
		if old.Reply != nil {
			rec.Reply = &idempotency.Reply{Status: old.Reply.Status, Headers: old.Reply.Headers, Body: old.Reply.Body}
		}
		return rec, nil
	}
	if err != nil {
		return nil, err
	}
	return nil, nil
}

// SaveIdempotentReply keeps the first answer of a claimed key.
func (s *Store) SaveIdempotentReply(ctx context.Context, scope, keyHash string, r idempotency.Reply) error {
	_, err := s.updateItem(ctx, key(idempotencyPK(scope, keyHash), skIdempotency), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK"))).
		WithUpdate(expression.Set(expression.Name("reply"), expression.Value(storedReplyItem{Status: r.Status, Headers: r.Headers, Body: r.Body}))), nil)
	return err
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed, so a retry runs again.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, scope, keyHash string) error {
	_, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: s.tableName(),
		Key: key(idempotencyPK(scope, keyHash), skIdempotency)})
	return err
}

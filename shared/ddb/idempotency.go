package ddb

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/httpapi"
)

// idempotencyItem is an Idempotency-Key and the first answer given under it.
type idempotencyItem struct {
	Fingerprint string               `dynamodbav:"fingerprint"`
	Reply       *httpapi.StoredReply `dynamodbav:"reply,omitempty"`
	Exp         int64                `dynamodbav:"exp"`
	TTL         int64                `dynamodbav:"ttl"`
}

// ClaimIdempotencyKey stores a new key (no reply yet) unless one is stored and unexpired,
// in which case it returns that one (read consistently).
func (s *Store) ClaimIdempotencyKey(ctx context.Context, scope, keyHash, fingerprint string, now time.Time) (*httpapi.IdempotencyRecord, error) {
	exp := now.Add(httpapi.IdempotencyWindow).Unix()
	it, err := item(idempotencyPK(scope, keyHash), skIdempotency, "idempotency",
		idempotencyItem{Fingerprint: fingerprint, Exp: exp, TTL: exp + int64(ttlGrace.Seconds())})
	if err != nil {
		return nil, err
	}
	cond := expression.AttributeNotExists(expression.Name("PK")).
		Or(expression.Name("exp").LessThanEqual(expression.Value(now.Unix())))
	e, err := expression.NewBuilder().WithCondition(cond).Build()
	if err != nil {
		return nil, err
	}
	out, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.tableName(), Item: it,
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		ReturnConsumedCapacity:              types.ReturnConsumedCapacityTotal})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		s.record("PutItem", 0)
		var old idempotencyItem
		if err := attributevalue.UnmarshalMap(ccf.Item, &old); err != nil {
			return nil, err
		}
		return &httpapi.IdempotencyRecord{Fingerprint: old.Fingerprint, Reply: old.Reply}, nil
	}
	if err != nil {
		return nil, err
	}
	s.record("PutItem", aws.ToFloat64(out.ConsumedCapacity.CapacityUnits))
	return nil, nil
}

// SaveIdempotentReply keeps the first answer of a claimed key.
func (s *Store) SaveIdempotentReply(ctx context.Context, scope, keyHash string, r httpapi.StoredReply) error {
	_, err := s.updateItem(ctx, key(idempotencyPK(scope, keyHash), skIdempotency), expression.NewBuilder().
		WithCondition(expression.AttributeExists(expression.Name("PK"))).
		WithUpdate(expression.Set(expression.Name("reply"), expression.Value(r))), nil)
	return err
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed, so a retry runs again.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, scope, keyHash string) error {
	out, err := s.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: s.tableName(),
		Key: key(idempotencyPK(scope, keyHash), skIdempotency), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		return err
	}
	s.record("DeleteItem", aws.ToFloat64(out.ConsumedCapacity.CapacityUnits))
	return nil
}

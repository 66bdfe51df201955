package ddb

import (
	"context"
	"errors"
	"maps"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/shared/apperr"
)

// txItem is one write of a transaction and what its failed condition means.
type txItem struct {
	write  types.TransactWriteItem
	onFail func(old map[string]types.AttributeValue) error
}

// errBusy is what the caller sees when others kept winning the same items.
var errBusy = apperr.Busy("Someone else changed the same data at the same moment; please try again.")

// transact runs a transaction. A failed condition becomes the onFail error of the item
// that failed (items are reported in order). A conflict with a concurrent transaction is
// retried by the SDK (client.go, retryPolicy); when its attempts run out, the caller sees
// errBusy.
func (s *Store) transact(ctx context.Context, items []txItem) error {
	writes := make([]types.TransactWriteItem, len(items))
	for i := range items {
		writes[i] = items[i].write
	}
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: writes})
	var tce *types.TransactionCanceledException
	var tip *types.TransactionInProgressException
	switch {
	case err == nil:
		return nil
	case errors.As(err, &tce):
		for i, r := range tce.CancellationReasons {
			if aws.ToString(r.Code) == "ConditionalCheckFailed" {
				if i < len(items) && items[i].onFail != nil {
					return items[i].onFail(r.Item)
				}
				return errBusy
			}
		}
		if conflictOnly(tce) {
			return errBusy
		}
	case errors.As(err, &tip):
		return errBusy
	}
	return err
}

// item marshals v and adds its keys (and a kind, for readers of the table).
func item(pk, sk, kind string, v any) (map[string]types.AttributeValue, error) {
	m := map[string]types.AttributeValue{}
	if v != nil {
		var err error
		if m, err = attributevalue.MarshalMap(v); err != nil {
			return nil, err
		}
	}
	maps.Copy(m, key(pk, sk))
	m["kind"] = &types.AttributeValueMemberS{Value: kind}
	return m, nil
}

// putNew is a transactional put that must not overwrite anything.
func (s *Store) putNew(it map[string]types.AttributeValue, onFail func(map[string]types.AttributeValue) error) txItem {
	return txItem{write: types.TransactWriteItem{Put: &types.Put{
		TableName: s.tableName(), Item: it,
		ConditionExpression:                 aws.String("attribute_not_exists(PK)"),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}, onFail: onFail}
}

// put is an unconditional transactional put.
func (s *Store) put(it map[string]types.AttributeValue) txItem {
	return txItem{write: types.TransactWriteItem{Put: &types.Put{TableName: s.tableName(), Item: it}}}
}

// update is a transactional update built with the expression package.
func (s *Store) update(k map[string]types.AttributeValue, b expression.Builder, onFail func(map[string]types.AttributeValue) error) (txItem, error) {
	e, err := b.Build()
	if err != nil {
		return txItem{}, err
	}
	return txItem{write: types.TransactWriteItem{Update: &types.Update{
		TableName: s.tableName(), Key: k,
		UpdateExpression: e.Update(), ConditionExpression: e.Condition(),
		ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values(),
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}, onFail: onFail}, nil
}

// exists is a transactional check that an item exists.
func (s *Store) exists(k map[string]types.AttributeValue, onFail func(map[string]types.AttributeValue) error) txItem {
	return txItem{write: types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: s.tableName(), Key: k, ConditionExpression: aws.String("attribute_exists(PK)"),
	}}, onFail: onFail}
}

func fail(err error) func(map[string]types.AttributeValue) error {
	return func(map[string]types.AttributeValue) error { return err }
}

// get reads one item strongly consistently into out; found is false when absent.
func (s *Store) get(ctx context.Context, k map[string]types.AttributeValue, out any) (bool, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.tableName(), Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return false, err
	}
	if res.Item == nil {
		return false, nil
	}
	return true, attributevalue.UnmarshalMap(res.Item, out)
}

// putIfAbsent writes a new item with one PutItem that must not overwrite anything (a new
// session, a new reset link: their keys hold 256 random bits).
func (s *Store) putIfAbsent(ctx context.Context, it map[string]types.AttributeValue) error {
	_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: s.tableName(), Item: it,
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	return err
}

// has reports whether an item exists: one strongly consistent GetItem that reads only
// its key.
func (s *Store) has(ctx context.Context, k map[string]types.AttributeValue) (bool, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: s.tableName(), Key: k,
		ConsistentRead: aws.Bool(true), ProjectionExpression: aws.String("PK")})
	if err != nil {
		return false, err
	}
	return res.Item != nil, nil
}

// updateItem runs a single UpdateItem built with the expression package; it reports
// conditionFailed instead of an error when the condition does not hold.
func (s *Store) updateItem(ctx context.Context, k map[string]types.AttributeValue, b expression.Builder, out any) (conditionFailed bool, err error) {
	e, err := b.Build()
	if err != nil {
		return false, err
	}
	in := &dynamodb.UpdateItemInput{TableName: s.tableName(), Key: k, UpdateExpression: e.Update(),
		ConditionExpression: e.Condition(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()}
	if out != nil {
		in.ReturnValues = types.ReturnValueAllNew
	}
	res, err := s.db.UpdateItem(ctx, in)
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if out != nil {
		return false, attributevalue.UnmarshalMap(res.Attributes, out)
	}
	return false, nil
}

func str(v map[string]types.AttributeValue, name string) string {
	if s, ok := v[name].(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

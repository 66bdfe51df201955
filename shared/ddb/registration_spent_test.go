package ddb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/outbox"
	"etwin/shared/registration"
	"etwin/shared/token"
)

// TestSpentLinkIsRefusedByItsOwnRecord: a link whose registration record says it was
// used cannot complete, even while its username hold still names it. The hold's
// condition (holder and token) usually refuses a second completion too, so the other
// completion tests pass without the link's own "not used yet" condition; here the
// record is the only thing that knows, as after a hold restored from a backup or a
// future path that releases a username. The record is marked used straight in the
// table, found by what it stores (kind and tokenHash), not by its key layout.
func TestSpentLinkIsRefusedByItsOwnRecord(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	table := testenv.NewTable(t)
	s := ddb.New(testenv.DDB(), table)
	now := time.Now().UTC()
	p := pending("spent.link", "spent@example.org", now)
	if err := s.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	markUsed(t, table, p.TokenHash, now.Add(-time.Minute))

	got, ok, err := s.GetPending(ctx, p.TokenHash)
	if err != nil || !ok || got.UsedAt == nil {
		t.Fatalf("the link was not marked used: %v %v %+v", ok, err, got)
	}
	err = s.Complete(ctx, completion(p, newSchool("Școala Folosită", now), "", now))
	if !errors.Is(err, registration.ErrLinkSpent) {
		t.Fatalf("a used link completed: %v (want ErrLinkSpent)", err)
	}
	if _, found, err := s.MemberByUsername(ctx, p.Username); err != nil || found {
		t.Fatalf("a member exists after the refused completion: %v %v", found, err)
	}
	if has, err := s.EmailHasAccount(ctx, p.Email); err != nil || has {
		t.Fatalf("the e-mail has an account after the refused completion: %v %v", has, err)
	}
}

// markUsed sets usedAt on the registration record of tokenHash, as a completion does.
func markUsed(t *testing.T, table, tokenHash string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	filter, err := expression.NewBuilder().WithFilter(
		expression.Name("kind").Equal(expression.Value("registration")).
			And(expression.Name("tokenHash").Equal(expression.Value(tokenHash)))).
		WithProjection(expression.NamesList(expression.Name("PK"), expression.Name("SK"))).Build()
	if err != nil {
		t.Fatal(err)
	}
	out, err := testenv.DDB().Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table),
		FilterExpression: filter.Filter(), ProjectionExpression: filter.Projection(),
		ExpressionAttributeNames: filter.Names(), ExpressionAttributeValues: filter.Values()})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1 {
		t.Fatalf("%d registration records for the token, want 1", len(out.Items))
	}
	used, err := attributevalue.Marshal(at)
	if err != nil {
		t.Fatal(err)
	}
	_, err = testenv.DDB().UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: out.Items[0],
		UpdateExpression: aws.String("SET usedAt = :at"), ExpressionAttributeValues: map[string]types.AttributeValue{":at": used}})
	if err != nil {
		t.Fatal(err)
	}
}

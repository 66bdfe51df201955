// Package outboxtest delivers the outbox of a test table in process, for the integration
// tests of use cases (a table of their own, which no mail-sender watches).
package outboxtest

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/mail"
	"etwin/shared/outbox"
)

// Deliver delivers the pending outbox e-mails of table (a NewTable, which no
// mail-sender watches) through snd, in process, with the mail-sender's own use case
// (outbox.Service.Deliver), and returns how many it found. It finds them by a Scan: test
// support only, no request path does this.
func Deliver(t testing.TB, table string, snd mail.Sender) int {
	t.Helper()
	ctx := context.Background()
	e, err := expression.NewBuilder().WithFilter(expression.Name("kind").Equal(expression.Value("outbox")).
		And(expression.Name("state").Equal(expression.Value(outbox.Pending)))).Build()
	if err != nil {
		t.Fatal(err)
	}
	svc := &outbox.Service{Store: ddb.New(testenv.DDB(), table), Mail: snd, Links: mail.Links{Portal: "https://portal.example", Confirm: "https://api.example"}}
	var ids []string
	p := dynamodb.NewScanPaginator(testenv.DDB(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		FilterExpression: e.Filter(), ExpressionAttributeNames: e.Names(), ExpressionAttributeValues: e.Values()})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			var id string
			if err := attributevalue.Unmarshal(it["id"], &id); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
	}
	// In commit order, as the stream hands them over (the ids sort by creation time).
	slices.Sort(ids)
	for _, id := range ids {
		_ = svc.Deliver(ctx, id) // a transient failure leaves it pending, as the stream would retry it
	}
	return len(ids)
}

package ddb_test

import (
	"context"
	"errors"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/testenv"
	"etwin/shared/apperr"
	"etwin/shared/ddb"
	"etwin/shared/outbox"
	"etwin/shared/registration"
	"etwin/shared/token"
)

// TestRenewalNeverExtendsAHold: the store refuses a fresh link of the same address that
// would outlive the running hold (a busy answer, not "taken": the address's own hold
// changed under it), and takes one that keeps its end; the hold then names the newest link.
func TestRenewalNeverExtendsAHold(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	first := pending("renew.me", "renew@example.org", now)
	if err := s.PutPending(ctx, first, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	extending := pending("renew.me", "renew@example.org", later) // ends 72 h after now+1h
	err := s.PutPending(ctx, extending, later, outbox.Mail{ID: token.ID("o-")})
	if apperr.StatusOf(err) != 409 || errors.Is(err, registration.ErrUsernameTaken) {
		t.Fatalf("a renewal that extends the hold: %v", err)
	}
	h, held, err := s.UsernameHold(ctx, "RENEW.ME")
	if err != nil || !held || h.TokenHash != first.TokenHash || h.Until.Unix() != first.ExpiresAt.Unix() {
		t.Fatalf("hold after the refused renewal: %+v %v %v", h, held, err)
	}
	renewal := pending("renew.me", "renew@example.org", later)
	renewal.ExpiresAt = registration.HoldUntil(h, held, "renew@example.org", later)
	if err := s.PutPending(ctx, renewal, later, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatalf("a renewal that keeps the end: %v", err)
	}
	if h, _, _ = s.UsernameHold(ctx, "renew.me"); h.TokenHash != renewal.TokenHash || h.Until.Unix() != first.ExpiresAt.Unix() || h.Email != "renew@example.org" {
		t.Fatalf("hold after the renewal: %+v", h)
	}
	// Another address still may not take it.
	if err := s.PutPending(ctx, pending("renew.me", "other@example.org", later), later, outbox.Mail{ID: token.ID("o-")}); !errors.Is(err, registration.ErrUsernameTaken) {
		t.Fatalf("another address: %v", err)
	}
}

// TestPendingHoldsLimitAndItem: the store refuses a fourth username of one address
// (ErrTooManyPending) and writes nothing for it; the address's holds item is stored with
// the attribute names docs/data-model.md gives and no address in clear.
func TestPendingHoldsLimitAndItem(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	table := testenv.NewTable(t)
	s := ddb.New(testenv.DDB(), table)
	now := time.Now().UTC()
	for _, u := range []string{"lim.a", "lim.b", "lim.c"} {
		if err := s.PutPending(ctx, pending(u, "Lim@example.org", now), now, outbox.Mail{ID: token.ID("o-")}); err != nil {
			t.Fatal(err)
		}
	}
	fourth := pending("lim.d", "Lim@example.org", now)
	if err := s.PutPending(ctx, fourth, now, outbox.Mail{ID: token.ID("o-")}); !errors.Is(err, registration.ErrTooManyPending) {
		t.Fatalf("a fourth username: %v", err)
	}
	if _, held, _ := s.UsernameHold(ctx, "lim.d"); held {
		t.Fatal("the refused username is held")
	}
	if _, found, _ := s.GetPending(ctx, fourth.TokenHash); found {
		t.Fatal("the refused pre-registration was stored")
	}
	out, err := testenv.DDB().Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		FilterExpression: aws.String("kind = :k"), ExpressionAttributeValues: map[string]types.AttributeValue{
			":k": &types.AttributeValueMemberS{Value: "pendingHolds"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1 {
		t.Fatalf("%d holds items, want 1", len(out.Items))
	}
	var names []string
	for n, v := range out.Items[0] {
		names = append(names, n)
		if sv, ok := v.(*types.AttributeValueMemberS); ok && slices.Contains([]string{"lim@example.org", "Lim@example.org"}, sv.Value) {
			t.Errorf("the address is stored in clear in %s", n)
		}
	}
	sort.Strings(names)
	if want := []string{"PK", "SK", "holds", "kind", "ttl", "version"}; !slices.Equal(names, want) {
		t.Fatalf("holds item attributes %v, want %v", names, want)
	}
	holds := out.Items[0]["holds"].(*types.AttributeValueMemberM).Value
	if len(holds) != 3 || holds["lim.a"] == nil {
		t.Fatalf("holds %v", holds)
	}
}

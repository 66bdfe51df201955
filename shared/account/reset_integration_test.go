package account_test

import (
	"context"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/account"
	"etwin/shared/apperr"
	"etwin/shared/ddb"
	"etwin/shared/outbox"
	"etwin/shared/token"
)

// TestOnlyTheNewestResetLinkWorks: a link replaced by a newer one answers 410 like a used
// one (before the password is even looked at), the newest one works once, and after it
// every link of the member answers 410.
func TestOnlyTheNewestResetLinkWorks(t *testing.T) {
	ctx := context.Background()
	store := ddb.New(testenv.DDB(), testenv.NewTable(t))
	m := seedMember(t, store, "resetter", "the first passphrase")
	now := time.Now().UTC()
	svc := &account.Service{Store: store, Now: func() time.Time { return now }}
	issue := func() string {
		tok := token.New()
		if err := store.PutReset(ctx, account.Reset{TokenHash: token.Hash(tok), MemberID: m.MemberID, CreatedAt: now,
			ExpiresAt: now.Add(account.ResetLifetime)}, outbox.Mail{ID: token.ID("o-")}); err != nil {
			t.Fatal(err)
		}
		return tok
	}
	older, newer := issue(), issue()
	for _, pw := range []string{"a brand new passphrase", "short"} {
		if err := svc.ConfirmReset(ctx, older, account.ResetConfirm{Password: pw}); apperr.StatusOf(err) != 410 {
			t.Fatalf("the replaced link with %q: %v, want 410", pw, err)
		}
	}
	if err := svc.ConfirmReset(ctx, newer, account.ResetConfirm{Password: "a brand new passphrase"}); err != nil {
		t.Fatalf("the newest link: %v", err)
	}
	for _, tok := range []string{older, newer} {
		if err := svc.ConfirmReset(ctx, tok, account.ResetConfirm{Password: "yet another passphrase"}); apperr.StatusOf(err) != 410 {
			t.Fatalf("a link after the reset: %v, want 410", err)
		}
	}
	if _, err := svc.Login(ctx, account.LoginInput{Username: "resetter", Password: "a brand new passphrase"}); err != nil {
		t.Fatalf("the new password: %v", err)
	}
}

package account_test

import (
	"context"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/account"
	"etwin/shared/apperr"
	"etwin/shared/ddb"
	"etwin/shared/member"
	"etwin/shared/outbox"
	"etwin/shared/password"
	"etwin/shared/registration"
	"etwin/shared/school"
	"etwin/shared/token"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// seedMember registers a member through the store, as registration does.
func seedMember(t *testing.T, s *ddb.Store, username, pw string) member.Member {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	hash, err := password.Hash(pw)
	if err != nil {
		t.Fatal(err)
	}
	p := registration.Pending{TokenHash: token.Hash(token.New()), FirstName: "T", LastName: "U", Email: username + "@example.org",
		Username: username, PasswordHash: hash, Language: "en", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	sc := school.School{SchoolID: token.ID("s-"), Name: "Școala " + username, Country: "RO", City: "Iași", Pupils: 1, RegisteredAt: now}
	m := member.Member{MemberID: token.ID("m-"), Username: username, Email: p.Email, Role: member.RoleTeacher,
		Schools: []member.SchoolRef{sc.Ref()}, PasswordHash: hash, CreatedAt: now}
	if err := s.Complete(ctx, registration.Completion{Pending: p, Member: m, NewSchool: &sc, SchoolID: sc.SchoolID, Now: now}); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFailedLoginLimit: after 100 failed logins in an hour even the right password gets
// the same 401, until the hour passes or the password is reset.
func TestFailedLoginLimit(t *testing.T) {
	ctx := context.Background()
	store := ddb.New(testenv.DDB(), testenv.NewTable(t))
	m := seedMember(t, store, "limited", "the right passphrase")
	now := time.Now().UTC()
	svc := &account.Service{Store: store, Now: func() time.Time { return now }}
	for i := 0; i < account.LoginLimit; i++ {
		_, err := svc.Login(ctx, account.LoginInput{Username: "limited", Password: "a wrong passphrase"})
		if apperr.StatusOf(err) != 401 {
			t.Fatalf("attempt %d: %v", i, err)
		}
	}
	_, err := svc.Login(ctx, account.LoginInput{Username: "limited", Password: "the right passphrase"})
	if apperr.StatusOf(err) != 401 {
		t.Fatalf("the limit did not hold: %v", err)
	}
	later := now.Add(account.LoginWindow + time.Minute)
	svc.Now = func() time.Time { return later }
	res, err := svc.Login(ctx, account.LoginInput{Username: "limited", Password: "the right passphrase"})
	if err != nil || res.MemberID != m.MemberID {
		t.Fatalf("after the window: %v", err)
	}
	who, err := svc.Authenticate(ctx, res.Token)
	if err != nil || who.MemberID != m.MemberID || who.Role != member.RoleTeacher {
		t.Fatalf("authenticate: %+v %v", who, err)
	}
	// Idle expiry ends the session.
	svc.Now = func() time.Time { return later.Add(account.IdleTimeout + time.Second) }
	if _, err := svc.Authenticate(ctx, res.Token); apperr.StatusOf(err) != 401 {
		t.Fatalf("idle session still alive: %v", err)
	}
}

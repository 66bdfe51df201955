package ddb_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"etwin/infra/testenv"
	"etwin/shared/account"
	"etwin/shared/apperr"
	"etwin/shared/ddb"
	"etwin/shared/member"
	"etwin/shared/outbox"
	"etwin/shared/registration"
	"etwin/shared/school"
	"etwin/shared/token"
)

func TestMain(m *testing.M) { testenv.Main(m) }

func newStore(t *testing.T) *ddb.Store {
	return ddb.New(testenv.DDB(), testenv.NewTable(t))
}

func pending(username, email string, now time.Time) registration.Pending {
	return registration.Pending{TokenHash: token.Hash(token.New()), FirstName: "Ana", LastName: "Pop", Email: email,
		Username: username, PasswordHash: "x", Language: "ro", CreatedAt: now, ExpiresAt: now.Add(registration.LinkLifetime)}
}

func newSchool(name string, now time.Time) *school.School {
	return &school.School{SchoolID: token.ID("s-"), Name: name, Country: "RO", City: "Iași", Address: "a", PostalCode: "700",
		SchoolType: "primary", Phone: "0232000000", Email: "s@example.ro", HeadTeacher: "H", Pupils: 10, RegisteredAt: now}
}

func completion(p registration.Pending, sc *school.School, existing string, now time.Time) registration.Completion {
	id := existing
	ref := member.SchoolRef{SchoolID: existing, Country: "RO"}
	if sc != nil {
		id = sc.SchoolID
		ref = sc.Ref()
	}
	return registration.Completion{Pending: p, NewSchool: sc, SchoolID: id, Now: now,
		Member: member.Member{MemberID: token.ID("m-"), Username: p.Username, Email: p.Email, Role: member.RoleTeacher,
			Schools: []member.SchoolRef{ref}, PasswordHash: p.PasswordHash, CreatedAt: now}}
}

func TestUsernameHoldAndRelease(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	a := pending("Ana.Pop", "ana@example.org", now)
	if err := s.PutPending(ctx, a, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	// Another address, same name in another case: refused while the hold lasts.
	if err := s.PutPending(ctx, pending("ana.pop", "other@example.org", now), now, outbox.Mail{ID: token.ID("o-")}); !errors.Is(err, registration.ErrUsernameTaken) {
		t.Fatalf("second hold: %v", err)
	}
	// The same address again: a fresh link replaces the hold.
	a2 := pending("ana.pop", "ana@example.org", now)
	if err := s.PutPending(ctx, a2, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatalf("fresh link: %v", err)
	}
	// After expiry anyone may take it.
	later := now.Add(registration.LinkLifetime + time.Minute)
	if err := s.PutPending(ctx, pending("ANA.POP", "third@example.org", later), later, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatalf("after expiry: %v", err)
	}
}

func TestCompleteIsSingleUseAndReplacedLinksDie(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	old := pending("ion", "ion@example.org", now)
	if err := s.PutPending(ctx, old, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	fresh := pending("ion", "ion@example.org", now)
	if err := s.PutPending(ctx, fresh, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	if err := s.Complete(ctx, completion(old, newSchool("Școala Veche", now), "", now)); !errors.Is(err, registration.ErrLinkSpent) {
		t.Fatalf("replaced link completed: %v", err)
	}
	c := completion(fresh, newSchool("Școala Nouă", now), "", now)
	if err := s.Complete(ctx, c); err != nil {
		t.Fatalf("complete: %v", err)
	}
	if err := s.Complete(ctx, completion(fresh, nil, c.SchoolID, now)); !errors.Is(err, registration.ErrLinkSpent) {
		t.Fatalf("second completion: %v", err)
	}
	m, ok, err := s.MemberByUsername(ctx, "ION")
	if err != nil || !ok || m.MemberID != c.Member.MemberID {
		t.Fatalf("member by folded username: %v %v %+v", ok, err, m)
	}
	if has, _ := s.EmailHasAccount(ctx, "ION@example.org"); !has {
		t.Fatal("e-mail guard missing")
	}
	// The completion's transaction started the new school's summary, with its teacher.
	sum, found, err := s.SchoolSummary(ctx, c.SchoolID)
	if err != nil || !found || sum.Country != "RO" || !sum.RegisteredAt.Equal(now.Truncate(time.Millisecond)) ||
		len(sum.Members) != 1 || sum.Members[0] != c.Member.MemberID {
		t.Fatalf("summary of the new school: %+v %v %v", sum, found, err)
	}
	// A pending pre-registration can no longer take the username.
	if err := s.PutPending(ctx, pending("Ion", "x@example.org", now), now, outbox.Mail{ID: token.ID("o-")}); !errors.Is(err, registration.ErrUsernameTaken) {
		t.Fatalf("member's username taken again: %v", err)
	}
}

func TestDuplicateSchoolAndMissingSchool(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	p1 := pending("t1", "t1@example.org", now)
	p2 := pending("t2", "t2@example.org", now)
	p3 := pending("t3", "t3@example.org", now)
	for _, p := range []registration.Pending{p1, p2, p3} {
		if err := s.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
			t.Fatal(err)
		}
	}
	first := newSchool("Liceul Teoretic „Ion Creangă”", now)
	if err := s.Complete(ctx, completion(p1, first, "", now)); err != nil {
		t.Fatal(err)
	}
	second := newSchool("LICEUL TEORETIC ION CREANGA", now)
	second.City = "IASI"
	var dup *registration.DuplicateSchoolError
	if err := s.Complete(ctx, completion(p2, second, "", now)); !errors.As(err, &dup) || dup.SchoolID != first.SchoolID {
		t.Fatalf("duplicate school: %v", err)
	}
	if _, found, _ := s.GetMember(ctx, "nobody"); found {
		t.Fatal("phantom member")
	}
	if err := s.Complete(ctx, completion(p3, nil, "s-missing", now)); !errors.Is(err, registration.ErrSchoolMissing) {
		t.Fatalf("joining a missing school: %v", err)
	}
	// The failed transactions left nothing behind: p2 can still complete by joining.
	if err := s.Complete(ctx, completion(p2, nil, first.SchoolID, now)); err != nil {
		t.Fatalf("p2 joining after the refused duplicate: %v", err)
	}
}

func TestSchoolSearchPagesEveryHitOnce(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	want := map[string]bool{}
	for i := 0; i < 23; i++ {
		p := pending(fmt.Sprintf("u%d", i), fmt.Sprintf("u%d@example.org", i), now)
		if err := s.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprintf("Liceul Liceal Nr %d", i)
		if i%3 == 0 {
			name = fmt.Sprintf("Școala Gimnazială %d", i)
		}
		sc := newSchool(name, now)
		if err := s.Complete(ctx, completion(p, sc, "", now)); err != nil {
			t.Fatal(err)
		}
		if i%3 != 0 {
			want[sc.SchoolID] = true
		}
	}
	q, _ := school.ParseQuery("lice", "RO")
	got := map[string]int{}
	after := ""
	for pages := 0; ; pages++ {
		hits, next, err := s.SearchSchools(ctx, q, after, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			got[h.SchoolID]++
		}
		if next == "" || pages > 20 {
			break
		}
		after = next
	}
	if len(got) != len(want) {
		t.Fatalf("found %d schools, want %d", len(got), len(want))
	}
	for id, n := range got {
		if !want[id] || n != 1 {
			t.Fatalf("school %s seen %d times (wanted: %v)", id, n, want[id])
		}
	}
	q2, _ := school.ParseQuery("scoala gimn", "")
	hits, _, err := s.SearchSchools(ctx, q2, "", 100)
	if err != nil || len(hits) != 8 {
		t.Fatalf("diacritics-free search found %d (%v)", len(hits), err)
	}
}

func TestSessionsAndReset(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	p := pending("sess", "sess@example.org", now)
	if err := s.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	c := completion(p, newSchool("Școala Sesiunilor", now), "", now)
	if err := s.Complete(ctx, c); err != nil {
		t.Fatal(err)
	}
	id := c.Member.MemberID
	var hashes []string
	for i := 0; i < 30; i++ { // more than one BatchWriteItem
		h := token.Hash(token.New())
		hashes = append(hashes, h)
		if err := s.PutSession(ctx, account.Session{MemberID: id, TokenHash: h, CreatedAt: now, LastSeenAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	r := account.Reset{TokenHash: token.Hash(token.New()), MemberID: id, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.PutReset(ctx, r, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	if err := s.UseReset(ctx, r, "newhash", now); err != nil {
		t.Fatal(err)
	}
	if err := s.UseReset(ctx, r, "again", now); !errors.Is(err, account.ErrResetSpent) {
		t.Fatalf("reset used twice: %v", err)
	}
	if err := s.DeleteAllSessions(ctx, id); err != nil {
		t.Fatal(err)
	}
	for _, h := range hashes {
		if _, found, _ := s.GetSession(ctx, id, h); found {
			t.Fatal("a session survived the reset")
		}
	}
	m, _, _ := s.GetMember(ctx, id)
	if m.PasswordHash != "newhash" {
		t.Fatal("password not changed")
	}
}

func TestFailedLoginWindow(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	p := pending("fl", "fl@example.org", now)
	_ = s.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")})
	c := completion(p, newSchool("Școala Încercărilor", now), "", now)
	if err := s.Complete(ctx, c); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := s.RecordFailedLogin(ctx, c.Member.MemberID, now); err != nil {
			t.Fatal(err)
		}
	}
	m, _, _ := s.GetMember(ctx, c.Member.MemberID)
	if m.FailedLogins != 3 {
		t.Fatalf("failed logins %d, want 3", m.FailedLogins)
	}
	later := now.Add(account.LoginWindow + time.Second)
	if err := s.RecordFailedLogin(ctx, c.Member.MemberID, later); err != nil {
		t.Fatal(err)
	}
	m, _, _ = s.GetMember(ctx, c.Member.MemberID)
	if m.FailedLogins != 1 || m.FailedLoginWindow != later.Unix() {
		t.Fatalf("new window: %d at %d", m.FailedLogins, m.FailedLoginWindow)
	}
}

// TestConcurrentCompletion: 16 completions of one link at once → exactly one member.
func TestConcurrentCompletion(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	now := time.Now().UTC()
	p := pending("race", "race@example.org", now)
	if err := s.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	var ok, spent atomic.Int32
	var wg sync.WaitGroup
	// 16 at once: more only measure DynamoDB Local's lock waits, which time out under load
	// ("this request will succeed in actual DynamoDB") once the SDK's retry quota is spent.
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			err := s.Complete(ctx, completion(p, newSchool(fmt.Sprintf("Școala %d", i), now), "", now))
			switch {
			case err == nil:
				ok.Add(1)
			case errors.Is(err, registration.ErrLinkSpent) || errors.Is(err, registration.ErrEmailTaken) || apperr.StatusOf(err) == 409:
				spent.Add(1)
			default:
				t.Errorf("unexpected: %v", err)
			}
		}(i)
	}
	wg.Wait()
	if ok.Load() != 1 {
		t.Fatalf("%d completions succeeded, want exactly 1 (%d refused)", ok.Load(), spent.Load())
	}
}

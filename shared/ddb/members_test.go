package ddb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/gen"
	"etwin/infra/testenv"
	"etwin/shared/account"
	"etwin/shared/apperr"
	"etwin/shared/cursor"
	"etwin/shared/ddb"
	"etwin/shared/directory"
	"etwin/shared/fold"
	"etwin/shared/member"
	"etwin/shared/outbox"
	"etwin/shared/principal"
	"etwin/shared/token"
)

func directoryOf(s *ddb.Store) *directory.Service {
	return &directory.Service{Store: s, Cursors: cursor.New(strings.Repeat("k", 32))}
}

// find runs a search for who (all pages) and returns the member ids found.
func find(t *testing.T, d *directory.Service, who string, params map[string]string) []string {
	t.Helper()
	q, err := directory.ParseQuery(params)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	cur := ""
	for page := 0; page < 1000; page++ {
		p, err := d.Search(context.Background(), principal.Principal{MemberID: who}, q, cur, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range p.Items {
			ids = append(ids, h.MemberID)
		}
		if p.NextCursor == "" {
			return ids
		}
		cur = p.NextCursor
	}
	t.Fatal("no end of pages")
	return nil
}

// register completes a registration for a teacher with a new school.
func register(t *testing.T, s *ddb.Store, first, last, schoolName string, subjects ...string) string {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	p := pending(token.ID("u"), token.ID("e")+"@example.org", now)
	if err := s.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	c := completion(p, newSchool(schoolName, now), "", now)
	c.Member.FirstName, c.Member.LastName = first, last
	c.Member.Profile = &member.Profile{Role: "teacher", Subjects: subjects, AgeGroups: []string{"12-15"},
		ProjectExperience: "some", Interests: []string{"stem"}, Languages: []string{"ro", "en"}}
	if err := s.Complete(ctx, c); err != nil {
		t.Fatal(err)
	}
	return c.Member.MemberID
}

func same(got []string, want ...string) bool {
	if len(got) != len(want) {
		return false
	}
	a, b := append([]string{}, got...), append([]string{}, want...)
	sort.Strings(a)
	sort.Strings(b)
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestMemberIndexFollowsEdits(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	d := directoryOf(s)
	ana := register(t, s, "Ana-Maria", "Ștefănescu", "Liceul „Ștefan cel Mare”", "ict")
	other := register(t, s, "Ion", "Pop", "Școala Gimnazială nr. 5", "physics")
	check := func(params map[string]string, want ...string) {
		t.Helper()
		if got := find(t, d, other, params); !same(got, want...) {
			t.Errorf("%v: got %v, want %v", params, got, want)
		}
	}
	check(map[string]string{"q": "stefanescu"}, ana)
	check(map[string]string{"q": "STEF"}, ana)
	check(map[string]string{"q": "ana maria"}, ana)
	check(map[string]string{"q": "liceul mare"}, ana)
	check(map[string]string{"subject": "ict", "country": "RO"}, ana)
	check(map[string]string{"country": "RO"}, ana, other)
	check(map[string]string{}, ana, other)

	// Renamed: the old words vanish, the new ones are found.
	last := "Țepeș"
	if _, err := s.UpdateMember(ctx, ana, account.MePatch{LastName: &last}.Apply); err != nil {
		t.Fatal(err)
	}
	check(map[string]string{"q": "stefanescu"})
	check(map[string]string{"q": "tepes"}, ana)
	check(map[string]string{"q": "stefan"}, ana) // still a word of the school's name

	// Profile categories changed, then hidden.
	m, _, _ := s.GetMember(ctx, ana)
	np := *m.Profile
	np.Subjects = []string{"physics", "chemistry"}
	if _, err := s.UpdateMember(ctx, ana, func(m *member.Member) error { m.Profile = &np; return nil }); err != nil {
		t.Fatal(err)
	}
	check(map[string]string{"subject": "ict"})
	check(map[string]string{"subject": "physics"}, ana, other)
	// (the school stream: the school link's card follows the edit)
	check(map[string]string{"q": "liceul", "subject": "ict"})
	check(map[string]string{"q": "liceul", "subject": "physics"}, ana)
	check(map[string]string{"subject": "chemistry", "ageGroup": "12-15"}, ana)
	hidden := []string{"subjects"}
	if _, err := s.UpdateMember(ctx, ana, account.MePatch{Preferences: &account.PreferencesPatch{HiddenFields: &hidden}}.Apply); err != nil {
		t.Fatal(err)
	}
	check(map[string]string{"subject": "physics"}, other)
	check(map[string]string{"q": "tepes", "subject": "chemistry"})
	check(map[string]string{"q": "tepes", "language": "ro"}, ana)
	check(map[string]string{"q": "liceul", "subject": "chemistry"})
	check(map[string]string{"q": "liceul tepes"}, ana)

	// A school added: its words and country are found.
	sc := newSchool("Lycée Victor Hugo", time.Now())
	sc.Country, sc.SchoolType = "FR", "upper_secondary"
	if err := s.AddSchool(ctx, ana, sc.Ref(), sc); err != nil {
		t.Fatal(err)
	}
	check(map[string]string{"q": "lycee hugo"}, ana)
	check(map[string]string{"country": "FR"}, ana)
	check(map[string]string{"schoolType": "upper_secondary"}, ana)
	check(map[string]string{"schoolType": "primary", "country": "RO"}, ana, other)

	// Staff are never found, and have no public profile.
	staff := member.Member{MemberID: token.ID("m-"), FirstName: "Ana", LastName: "Staff", Role: member.RoleNSO, Country: "RO",
		Schools: m.Schools} // (a link without a card)
	if err := s.BulkLoad(ctx, []member.Member{staff}, nil); err != nil {
		t.Fatal(err)
	}
	check(map[string]string{"q": "ana"}, ana)
	check(map[string]string{"q": "liceul"}, ana)
	check(map[string]string{}, ana, other)
	if _, err := d.Profile(ctx, staff.MemberID); apperr.StatusOf(err) != http.StatusNotFound {
		t.Errorf("staff profile: %v", err)
	}
	if p, err := d.Profile(ctx, ana); err != nil || p.Subjects != nil || p.Languages == nil || p.LastName != "Țepeș" {
		t.Errorf("profile: %v %+v", err, p)
	}
}

func TestConcurrentRenamesKeepTheIndexConsistent(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	d := directoryOf(s)
	id := register(t, s, "Ana", "Pop", "Școala Veche", "ict")
	names := []string{"Alpha", "Beta", "Gamma", "Delta"}
	var wg sync.WaitGroup
	for _, n := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.UpdateMember(ctx, id, account.MePatch{LastName: &n}.Apply); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	m, _, _ := s.GetMember(ctx, id)
	for _, n := range append(names, "Pop") {
		got := find(t, d, id, map[string]string{"q": n})
		if want := n == m.LastName; want != (len(got) == 1) {
			t.Errorf("last name %q: search %q found %v", m.LastName, n, got)
		}
	}
}

// A long school name and many categories need more than one transaction: the index
// still ends up complete and exact.
func TestLargeIndexSpansTransactions(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	d := directoryOf(s)
	id := register(t, s, "Ana", "Pop", "Alfa Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliett Kilo Lima Mike November Oscar", "ict")
	m, _, _ := s.GetMember(ctx, id)
	np := *m.Profile
	np.Subjects = []string{"ict", "physics", "chemistry", "biology", "mathematics", "geography", "history", "music"}
	np.Interests = []string{"stem", "environment", "citizenship", "inclusion", "health", "art"}
	for i := 0; i < 9; i++ {
		sc := newSchool(fmt.Sprintf("Papa%d Quebec%d Romeo%d Sierra%d Tango%d Uniform%d Victor%d Whiskey%d Xray%d Yankee%d Zulu%d Extra%d", i, i, i, i, i, i, i, i, i, i, i, i), time.Now())
		if err := s.AddSchool(ctx, id, sc.Ref(), sc); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.UpdateMember(ctx, id, func(m *member.Member) error { m.Profile = &np; return nil }); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"oscar", "zulu8", "papa0 extra0", "ana"} {
		if got := find(t, d, id, map[string]string{"q": q, "interest": "art", "subject": "music"}); !same(got, id) {
			t.Errorf("%q: %v", q, got)
		}
	}
	last := "Renamed"
	if _, err := s.UpdateMember(ctx, id, account.MePatch{LastName: &last}.Apply); err != nil {
		t.Fatal(err)
	}
	if got := find(t, d, id, map[string]string{"q": "pop"}); len(got) != 0 {
		t.Errorf("old name still found: %v", got)
	}
	if got := find(t, d, id, map[string]string{"q": "renamed yankee7"}); !same(got, id) {
		t.Errorf("new name: %v", got)
	}
}

func TestSearchPagesGiveEveryHitOnce(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	const n = 400
	members, schools := gen.Batch(7, 0, n)
	if err := s.BulkLoad(ctx, members, schools); err != nil {
		t.Fatal(err)
	}
	queries := []map[string]string{{}, {"country": "RO"}, {"q": "po"}, {"q": "m"}, {"q": "liceul"},
		{"language": "en", "ageGroup": "7-11"}, {"q": "ma", "country": "FR", "subject": members[0].Profile.Subjects[0]},
		{"q": "a e"}, {"interest": members[1].Profile.Interests[0]}}
	// the queries read the same table at once (each its own directory and random pages)
	for i, params := range queries {
		t.Run(fmt.Sprint(params), func(t *testing.T) {
			t.Parallel()
			searchEveryHitOnce(t, directoryOf(s), members, params, rand.New(rand.NewPCG(1, uint64(i))))
		})
	}
}

// searchEveryHitOnce pages through the hits of params with three budgets and random page
// sizes: every hit comes exactly once, and nothing else.
func searchEveryHitOnce(t *testing.T, d *directory.Service, members []member.Member, params map[string]string, r *rand.Rand) {
	ctx := context.Background()
	{
		q, err := directory.ParseQuery(params)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, m := range members {
			if matches(m, q) {
				want[m.MemberID] = true
			}
		}
		for round := 0; round < 3; round++ {
			d.Budget = []int{500, 7, 40}[round] // small budgets end pages early
			seen := map[string]bool{}
			cur := ""
			for pages := 0; ; pages++ {
				if pages > 2000 {
					t.Fatalf("%v: no end", params)
				}
				p, err := d.Search(ctx, principal.Principal{MemberID: "m-x"}, q, cur, 1+r.IntN(30))
				if err != nil {
					t.Fatal(err)
				}
				for _, h := range p.Items {
					if seen[h.MemberID] || !want[h.MemberID] {
						t.Fatalf("%v: %s twice or not a hit", params, h.MemberID)
					}
					seen[h.MemberID] = true
				}
				if cur = p.NextCursor; cur == "" {
					break
				}
			}
			if len(seen) != len(want) {
				t.Errorf("%v (budget %d): %d of %d hits", params, d.Budget, len(seen), len(want))
			}
		}
	}
}

// matches is the search's meaning, by brute force.
func matches(m member.Member, q directory.Query) bool {
	e, ok := directory.EntryOf(m)
	if !ok || !fold.MatchesPrefixes(e.Words, q.Words) {
		return false
	}
	for kind, v := range q.Filters {
		found := false
		for _, x := range e.Categories[kind] {
			found = found || x == v
		}
		if !found {
			return false
		}
	}
	return true
}

func TestMemberSearchCursors(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	s := newStore(t)
	members, schools := gen.Batch(9, 0, 30)
	if err := s.BulkLoad(ctx, members, schools); err != nil {
		t.Fatal(err)
	}
	d := directoryOf(s)
	ana := principal.Principal{MemberID: "m-ana"}
	q, _ := directory.ParseQuery(map[string]string{})
	p, err := d.Search(ctx, ana, q, "", 5)
	if err != nil || len(p.Items) != 5 || p.NextCursor == "" {
		t.Fatalf("%v %+v", err, p)
	}
	// Sorted by last then first name.
	for i := 1; i < len(p.Items); i++ {
		a, b := p.Items[i-1], p.Items[i]
		if fold.Text(a.LastName+" "+a.FirstName) > fold.Text(b.LastName+" "+b.FirstName) {
			t.Errorf("not in name order: %v before %v", a, b)
		}
	}
	bad := func(who principal.Principal, q directory.Query, cur string) {
		t.Helper()
		_, err := d.Search(ctx, who, q, cur, 5)
		if e, ok := apperr.As(err); !ok || e.Status != http.StatusBadRequest || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" {
			t.Errorf("cursor %q: %v", cur, err)
		}
	}
	bad(principal.Principal{MemberID: "m-ion"}, q, p.NextCursor)
	other, _ := directory.ParseQuery(map[string]string{"country": "RO"})
	bad(ana, other, p.NextCursor)
	tampered := []byte(p.NextCursor)
	tampered[3] ^= 1
	bad(ana, q, string(tampered))
	bad(ana, q, "garbage")
	if _, err := d.Search(ctx, ana, q, p.NextCursor, 5); err != nil {
		t.Errorf("own cursor: %v", err)
	}
}

// A change the search does not see (muting an e-mail kind) writes the member item alone:
// the member's search items are left as they are. A mark put on the member's school link
// survives it, and a rename (which the search sees) rewrites the link and drops it.
func TestUnseenChangeLeavesTheIndex(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	table := testenv.NewTable(t)
	s := ddb.New(testenv.DDB(), table)
	id := register(t, s, "Ana", "Pop", "Liceul Mare")
	m, _, err := s.GetMember(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	link := map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "SCHOOL#" + m.Schools[0].SchoolID},
		"SK": &types.AttributeValueMemberS{Value: "MEMBER#" + id}}
	marked := func() bool {
		t.Helper()
		out, err := testenv.DDB().GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: link, ConsistentRead: aws.Bool(true)})
		if err != nil || out.Item == nil {
			t.Fatalf("the school link: %v %v", err, out)
		}
		_, ok := out.Item["mark"]
		return ok
	}
	if _, err := testenv.DDB().UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: link,
		UpdateExpression: aws.String("SET mark = :one"), ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": &types.AttributeValueMemberN{Value: "1"}}}); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.MuteEmailKind(ctx, id, "partner_added"); !ok || err != nil {
		t.Fatal(ok, err)
	}
	if !marked() {
		t.Error("muting an e-mail kind rewrote the member's school link")
	}
	if m, _, _ := s.GetMember(ctx, id); !slices.Contains(m.MutedEmailKinds, "partner_added") {
		t.Errorf("not muted: %v", m.MutedEmailKinds)
	}
	last := "Popa"
	if _, err := s.UpdateMember(ctx, id, account.MePatch{LastName: &last}.Apply); err != nil {
		t.Fatal(err)
	}
	if marked() {
		t.Error("a rename left the member's school link as it was")
	}
}

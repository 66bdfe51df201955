package ddb_test

import (
	"context"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/testenv"
	"etwin/shared/account"
	"etwin/shared/contact"
	"etwin/shared/ddb"
	"etwin/shared/forum"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/outbox"
	"etwin/shared/project"
	"etwin/shared/registration"
	"etwin/shared/resource"
	"etwin/shared/school"
	"etwin/shared/stats"
	"etwin/shared/token"
	"etwin/shared/twinspace"
)

// attrPaths lists the attribute names of a stored item, nested ones as paths
// ("subject.type", "schools[].schoolId"), so that a renamed field anywhere shows.
func attrPaths(prefix string, v types.AttributeValue, out map[string]bool) {
	switch t := v.(type) {
	case *types.AttributeValueMemberM:
		for k, x := range t.Value {
			out[prefix+k] = true
			attrPaths(prefix+k+".", x, out)
		}
	case *types.AttributeValueMemberL:
		for _, x := range t.Value {
			attrPaths(strings.TrimSuffix(prefix, ".")+"[].", x, out)
		}
	}
}

// storedShapes scans the table and returns, per item kind (the "kind" attribute, or the
// key prefix of items without one), the union of their attribute paths.
func storedShapes(t *testing.T, table string) map[string][]string {
	t.Helper()
	sets := map[string]map[string]bool{}
	p := dynamodb.NewScanPaginator(testenv.DDB(), &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			kind := ""
			if k, ok := it["kind"].(*types.AttributeValueMemberS); ok {
				kind = k.Value
			} else {
				kind, _, _ = strings.Cut(it["PK"].(*types.AttributeValueMemberS).Value, "#")
			}
			if sets[kind] == nil {
				sets[kind] = map[string]bool{}
			}
			attrPaths("", &types.AttributeValueMemberM{Value: it}, sets[kind])
		}
	}
	out := map[string][]string{}
	for kind, set := range sets {
		for name := range set {
			out[kind] = append(out[kind], name)
		}
		sort.Strings(out[kind])
	}
	return out
}

// The stored attribute names of every item this adapter writes for registrations,
// schools, notifications, resources, sessions, reset links, contacts, the member search
// index, TwinSpace pages and the statistics, with every optional field set. Existing
// tables, the importer and infra/loader depend on these names: a change here is a data
// migration, not a refactoring.
func TestStoredAttributeNamesStay(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	ctx := context.Background()
	table := testenv.NewTable(t)
	s := ddb.New(testenv.DDB(), table)
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	used := now.Add(time.Minute)

	p := registration.Pending{TokenHash: "th-reg", FirstName: "Ana", LastName: "Pop", Email: "ana@example.org", Username: "ana.pop",
		PasswordHash: "hash", Language: "ro", CreatedAt: now, ExpiresAt: now.Add(time.Hour), UsedAt: &used}
	if err := s.PutPending(ctx, p, now, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	sc := school.School{SchoolID: "s-1", Name: "Liceul Creangă", Country: "RO", City: "Iași", Address: "Str. 1", PostalCode: "700",
		SchoolType: "upper_secondary", Phone: "0232000000", Fax: "0232000001", Email: "s@example.ro", Website: "https://s.example.ro",
		HeadTeacher: "H", Pupils: 300, OtherProjects: "some", RegisteredAt: now}
	if _, err := s.ImportSchool(ctx, sc); err != nil {
		t.Fatal(err)
	}
	teacher := member.Member{MemberID: "m-1", Username: "ana.pop", FirstName: "Ana", LastName: "Pop", Email: "ana@example.org",
		Language: "ro", Role: member.RoleTeacher, Country: "RO", CreatedAt: now,
		Schools: []member.SchoolRef{{SchoolID: "s-1", Name: "Liceul Creangă", Country: "RO", SchoolType: "upper_secondary"}},
		Profile: &member.Profile{Role: "teacher", Subjects: []string{"ict"}, AgeGroups: []string{"12-15"}, ProjectExperience: "some",
			Interests: []string{"stem"}, Languages: []string{"ro"}}}
	if err := s.BulkLoad(ctx, []member.Member{teacher}, nil); err != nil {
		t.Fatal(err)
	}
	n := notify.New(notify.Recipient{MemberID: "m-1", Email: "ana@example.org", Language: "ro", Country: "RO", WantsEmail: true}, notify.KindContactRequest,
		notify.Subject{Type: notify.SubjectContactRequest, ID: "r-1"}, &notify.Actor{MemberID: "m-2", FirstName: "Ion", LastName: "Ionescu"}, now)
	if err := s.AddNotifications(ctx, n); err != nil {
		t.Fatal(err)
	}
	res := resource.Resource{ResourceID: "res-1", Title: "Water", Description: "About water", Theme: "stem", Language: "en",
		URL: "https://example.org/water", Author: forum.Author{MemberID: "m-1", FirstName: "Ana", LastName: "Pop"}, CreatedAt: now,
		IndexWords: []string{"water", "about"}}
	if err := s.CreateResource(ctx, res); err != nil {
		t.Fatal(err)
	}
	if err := s.PutSession(ctx, account.Session{MemberID: "m-1", TokenHash: "th-sess", Role: member.RoleNSO, Country: "RO",
		CreatedAt: now, LastSeenAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := s.PutReset(ctx, account.Reset{TokenHash: "th-reset", MemberID: "m-1", CreatedAt: now, ExpiresAt: now.Add(time.Hour), UsedAt: &used}, outbox.Mail{ID: token.ID("o-")}); err != nil {
		t.Fatal(err)
	}
	from := contact.Person{MemberID: "m-1", FirstName: "Ana", LastName: "Pop", Country: "RO"}
	to := contact.Person{MemberID: "m-2", FirstName: "Ion", LastName: "Ionescu", Country: "FR"}
	req := contact.Request{RequestID: "r-1", Status: contact.StatusPending, From: from, To: to, CreatedAt: now,
		ExpiresAt: now.Add(contact.ExpiresAfter), DecidedAt: &used}
	if err := s.CreateContactRequest(ctx, req, "2026-03-04", 20, n2(n)); err != nil {
		t.Fatal(err)
	}
	decided := req
	decided.Status = contact.StatusAccepted
	if err := s.DecideContactRequest(ctx, contact.Decision{Request: decided, ForSender: to, ForInvitee: from}); err != nil {
		t.Fatal(err)
	}
	pr := project.Project{ProjectID: "p-1", Title: "Water", Status: project.Approved, CreatedAt: now}
	if err := s.PutProjectTree(ctx, pr, []project.Partner{{MemberID: "m-1", Role: project.RoleAdmin, Founder: true, AddedAt: now}}); err != nil {
		t.Fatal(err)
	}
	pg := twinspace.Page{PageID: "pg-1", Title: "Hello", Body: "Body", AuthorID: "m-1", CreatedAt: now, UpdatedAt: now.Add(time.Minute), Version: 2}
	if err := s.AddPage(ctx, "p-1", pg); err != nil {
		t.Fatal(err)
	}

	want := map[string][]string{
		"registration": {"PK", "SK", "createdAt", "email", "exp", "expiresAt", "firstName", "kind", "language", "lastName",
			"passwordHash", "tokenHash", "ttl", "usedAt", "username"},
		"school": {"PK", "SK", "address", "city", "country", "email", "fax", "headTeacher", "kind", "name", "nameKey",
			"otherProjects", "phone", "postalCode", "pupils", "registeredAt", "schoolId", "schoolType", "website"},
		"schoolWord": {"PK", "SK", "city", "country", "kind", "name", "ref", "schoolId", "words"},
		"STATS":      {"PK", "SK", "activeProjects", "schools", "teachers"},
		"memberIndex": {"PK", "SK", "ageGroups", "countries", "firstName", "interests", "kind", "languages", "lastName",
			"memberId", "role", "schoolTypes", "schools", "schools[].country", "schools[].name", "schools[].schoolId",
			"schools[].schoolType", "subjects", "wordsText"},
		"notification": {"PK", "SK", "actor", "actor.firstName", "actor.lastName", "actor.memberId",
			"createdAt", "id", "kind", "mail", "notificationKind", "read", "recipientId", "subject",
			"subject.id", "subject.type", "ttl"},
		"outbox": {"PK", "SK", "createdAt", "envelope", "envelope.country", "envelope.data", "envelope.data.ActorName", "envelope.data.FirstName",
			"envelope.lang", "envelope.link", "envelope.notification", "envelope.template", "envelope.to", "envelope.topic", "id", "kind",
			"ref", "ref.id", "ref.memberId", "ref.type", "state", "ttl"},
		"resource": {"PK", "SK", "author", "author.firstName", "author.lastName", "author.memberId", "createdAt",
			"description", "indexWords", "kind", "language", "resourceId", "theme", "title", "url"},
		"resourceListEntry": {"PK", "SK", "author", "author.firstName", "author.lastName", "author.memberId", "createdAt",
			"description", "indexWords", "kind", "language", "resourceId", "theme", "title", "url"},
		"resourceWord": {"PK", "SK", "kind", "language", "ref", "theme"},
		"session":      {"PK", "SK", "accountRole", "country", "createdAt", "kind", "lastSeenAt", "memberId", "tokenHash", "ttl"},
		"reset":        {"PK", "SK", "createdAt", "exp", "expiresAt", "kind", "memberId", "tokenHash", "ttl", "usedAt"},
		"contactRequest": {"PK", "SK", "createdAt", "decidedAt", "from", "from.country", "from.firstName", "from.lastName",
			"from.memberId", "kind", "requestId", "status", "to", "to.country", "to.firstName", "to.lastName", "to.memberId"},
		"contact": {"PK", "SK", "country", "firstName", "kind", "lastName", "memberId", "since"},
		"page":    {"PK", "SK", "authorId", "body", "createdAt", "kind", "pageId", "title", "updatedAt", "version"},
	}
	// (the pending-list entries were deleted by the decision; they are written as the request is)
	got := storedShapes(t, table)
	for kind, names := range want {
		if !reflect.DeepEqual(got[kind], names) {
			t.Errorf("%s items are stored with\n  %q\nwant\n  %q", kind, got[kind], names)
		}
	}
	// The outgoing and incoming request entries are the request's copies.
	if err := s.CreateContactRequest(ctx, contact.Request{RequestID: token.SortableID(contact.IDPrefix, now), Status: contact.StatusPending,
		From: from, To: contact.Person{MemberID: "m-3", FirstName: "Léo", LastName: "Martin", Country: "FR"}, CreatedAt: now, DecidedAt: &used},
		"2026-03-04", 20, n2(n)); err != nil {
		t.Fatal(err)
	}
	got = storedShapes(t, table)
	entry := append(append([]string(nil), want["contactRequest"]...), "ttl") // and a TTL
	for _, kind := range []string{"contactRequestIn", "contactRequestOut"} {
		if !reflect.DeepEqual(got[kind], entry) {
			t.Errorf("%s items are stored with %q, want the request's and ttl: %q", kind, got[kind], entry)
		}
	}

	// And each reads back as written.
	if back, ok, err := s.GetPending(ctx, p.TokenHash); err != nil || !ok || !reflect.DeepEqual(back, p) {
		t.Errorf("pending read back as %+v (%v %v), want %+v", back, ok, err, p)
	}
	if back, ok, err := s.GetSchool(ctx, sc.SchoolID); err != nil || !ok || !reflect.DeepEqual(back, sc) {
		t.Errorf("school read back as %+v (%v %v), want %+v", back, ok, err, sc)
	}
	q, _ := school.ParseQuery("creanga", "RO")
	if hits, _, err := s.SearchSchools(ctx, q, "", 10); err != nil || len(hits) != 1 ||
		hits[0] != (school.Hit{SchoolID: "s-1", Name: sc.Name, Country: "RO", City: sc.City}) {
		t.Errorf("school hits %+v (%v)", hits, err)
	}
	if c, err := s.GetStats(ctx, stats.All); err != nil || c != (stats.Counts{Teachers: 0, Schools: 1}) {
		t.Errorf("stats %+v (%v)", c, err)
	}
	if back, ok, err := s.GetSession(ctx, "m-1", "th-sess"); err != nil || !ok || back.Country != "RO" || back.Role != member.RoleNSO ||
		!back.CreatedAt.Equal(now) || back.TokenHash != "th-sess" {
		t.Errorf("session read back as %+v (%v %v)", back, ok, err)
	}
	if back, ok, err := s.GetReset(ctx, "th-reset"); err != nil || !ok || back.MemberID != "m-1" || back.UsedAt == nil || !back.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("reset read back as %+v (%v %v)", back, ok, err)
	}
	if back, ok, err := s.GetContactRequest(ctx, "r-1"); err != nil || !ok || !reflect.DeepEqual(back, decided) {
		t.Errorf("contact request read back as %+v (%v %v), want %+v", back, ok, err, decided)
	}
	if people, _, err := s.ListContacts(ctx, "m-1", "", 10); err != nil || len(people) != 1 || people[0] != to {
		t.Errorf("contacts %+v (%v)", people, err)
	}
	if reqs, _, err := s.ListContactRequests(ctx, "m-1", contact.Outgoing, contact.LiveSince(now), "", 10); err != nil || len(reqs) != 1 || reqs[0].To.MemberID != "m-3" {
		t.Errorf("outgoing requests %+v (%v)", reqs, err)
	}
	if back, ok, err := s.GetResource(ctx, res.ResourceID); err != nil || !ok || !reflect.DeepEqual(back, res) {
		t.Errorf("resource read back as %+v (%v %v), want %+v", back, ok, err, res)
	}
	if list, _, err := s.ListResources(ctx, resource.Filter{Theme: "stem"}, "", 10); err != nil || len(list) != 1 || !reflect.DeepEqual(list[0], res) {
		t.Errorf("resource list %+v (%v)", list, err)
	}
	if sp, ok, err := s.GetTwinSpace(ctx, "p-1"); err != nil || !ok || len(sp.Pages) != 1 || !reflect.DeepEqual(sp.Pages[0], pg) {
		t.Errorf("twinspace pages %+v (%v %v)", sp.Pages, ok, err)
	}
	listed, _, err := s.ListNotifications(ctx, "m-1", "", 10)
	want1 := n
	want1.Email = nil // the e-mail is its outbox item
	if err != nil || len(listed) != 1 || !reflect.DeepEqual(listed[0], want1) {
		t.Errorf("notifications %+v (%v), want %+v", listed, err, want1)
	}
}

// n2 is another notification like n (a new id, to someone else).
func n2(n notify.Notification) notify.Notification {
	return notify.New(notify.Recipient{MemberID: "m-9", WantsEmail: false}, n.Kind, n.Subject, n.Actor, n.CreatedAt.Add(time.Millisecond))
}

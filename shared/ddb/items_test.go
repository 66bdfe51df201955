package ddb

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"gopkg.in/yaml.v3"

	"etwin/shared/directory"
	"etwin/shared/forum"
	"etwin/shared/member"
	"etwin/shared/project"
	"etwin/shared/resource"
)

// attrPaths lists the attribute names of an item, nested ones as "a.b" (map members)
// and "a[].b" (members of a list's maps), each once, sorted.
func attrPaths(m map[string]types.AttributeValue) []string {
	var out []string
	var walk func(prefix string, m map[string]types.AttributeValue)
	walk = func(prefix string, m map[string]types.AttributeValue) {
		for k, v := range m {
			p := prefix + k
			out = append(out, p)
			switch t := v.(type) {
			case *types.AttributeValueMemberM:
				walk(p+".", t.Value)
			case *types.AttributeValueMemberL:
				for _, e := range t.Value {
					if mm, ok := e.(*types.AttributeValueMemberM); ok {
						walk(p+"[].", mm.Value)
					}
				}
			}
		}
	}
	walk("", m)
	slices.Sort(out)
	return slices.Compact(out)
}

// allSet fails when a field of v (recursively) is zero: the fixtures below must fill
// every field, so that a field added to a domain type and forgotten by its item fails
// the round trip.
func allSet(t *testing.T, path string, v reflect.Value) {
	t.Helper()
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			t.Errorf("fixture leaves %s nil", path)
			return
		}
		allSet(t, path, v.Elem())
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			if v.Interface().(time.Time).IsZero() {
				t.Errorf("fixture leaves %s zero", path)
			}
			return
		}
		for i := range v.NumField() {
			allSet(t, path+"."+v.Type().Field(i).Name, v.Field(i))
		}
	case reflect.Slice, reflect.Map:
		if v.Len() == 0 {
			t.Errorf("fixture leaves %s empty", path)
		}
		if v.Kind() == reflect.Slice {
			for i := range v.Len() {
				allSet(t, path+"[]", v.Index(i))
			}
		} else {
			for _, k := range v.MapKeys() {
				allSet(t, path+"."+k.String(), v.MapIndex(k))
			}
		}
	default:
		if v.IsZero() {
			t.Errorf("fixture leaves %s zero", path)
		}
	}
}

var (
	at  = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	at2 = at.Add(time.Hour)
)

func fullProject() project.Project {
	return project.Project{ProjectID: "p-1", Status: project.AwaitingNSO, Title: "T", Summary: "S", Language: "en",
		AgeRange: project.AgeRange{Min: 7, Max: 9}, Pupils: 20, Themes: []string{"art"}, Tools: []string{"x"},
		Objectives: "o", Methodology: "m", ExpectedResults: "e",
		Founders:  []project.Founder{{MemberID: "m-1", SchoolID: "s-1", Country: "RO"}, {MemberID: "m-2", SchoolID: "s-2", Country: "FR"}},
		FounderID: "m-1", CofounderID: "m-2", NSOCountries: []string{"FR", "RO"},
		NSODecisions: map[string]project.NSODecision{"RO": {Decision: "approve", Comment: "c", By: "n-1", At: at}},
		Comment:      "c", Version: 3, CreatedAt: at, UpdatedAt: at, SubmittedAt: &at, ApprovedAt: &at2, ClosedAt: &at2, Imported: true,
		RemindedCofounderAt: &at, RemindedNSO: map[string]time.Time{"RO": at}}
}

func fullMember() member.Member {
	yes := true
	return member.Member{MemberID: "m-1", Username: "u", FirstName: "f", LastName: "l", Email: "e@x.org", Language: "en", Role: "teacher",
		Country: "RO", Profile: &member.Profile{Role: "teacher", Subjects: []string{"ict"}, AgeGroups: []string{"7-11"}, ProjectExperience: "none",
			Interests: []string{"art"}, Languages: []string{"en"}, ProjectIdeas: "i"},
		Schools: []member.SchoolRef{{SchoolID: "s-1", Name: "n", Country: "RO", SchoolType: "primary"}}, PasswordHash: "h", CreatedAt: at,
		FailedLogins: 1, FailedLoginWindow: 5, EmailNotifications: &yes, HiddenFields: []string{"subjects"}, MutedEmailKinds: []string{"partner_added"},
		InvitationMail: "sent", InvitationReason: "r"}
}

func fullPost() forum.Post {
	return forum.Post{PostID: "p-9", AgeGroup: "7-11", Title: "t", Body: "b", Author: forum.Author{MemberID: "m-1", FirstName: "a", LastName: "b"},
		CreatedAt: at, UpdatedAt: &at2, ReplyCount: 2, Version: 4, IndexWords: []string{"t", "b"}}
}

// TestStoredAttributeNames pins the attribute names of the items whose shapes moved
// from the domain types into this package: stored data and the importer depend on them.
func TestStoredAttributeNames(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	s := &Store{table: "t"}
	p := fullProject()
	pt := project.Partner{ProjectID: "p-1", MemberID: "m-3", Role: "member", Founder: true, SchoolID: "s-3", Country: "IT",
		FirstName: "F", LastName: "L", AddedAt: at}
	l := project.Label{ProjectID: "p-1", Kind: "national", SchoolID: "s-1", Country: "RO", AwardedAt: at, AwardedBy: "n-1"}
	post := fullPost()
	r := forum.Reply{ReplyID: "r-1", PostID: "p-9", Body: "b", Author: post.Author, CreatedAt: at, UpdatedAt: &at2}
	m := fullMember()
	for _, v := range []any{p, pt, l, post, r, m} {
		allSet(t, reflect.TypeOf(v).String(), reflect.ValueOf(v))
	}
	must := func(it map[string]types.AttributeValue, err error) map[string]types.AttributeValue {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	queue, err := s.queueEntryPut(p, "FR")
	if err != nil {
		t.Fatal(err)
	}
	idx, _, err := memberIndex(m)
	if err != nil || len(idx) == 0 {
		t.Fatal(err, len(idx))
	}
	res := resource.Resource{ResourceID: "res-1", Title: "t", Description: "d", Theme: "art", Language: "en", URL: "https://x.org",
		Author: post.Author, CreatedAt: at, IndexWords: []string{"t"}}
	for _, c := range []struct {
		name string
		item map[string]types.AttributeValue
		want string
	}{
		{"project", must(s.projectPut(p)), "GSI1PK GSI1SK PK SK ageRange ageRange.max ageRange.min approvedAt closedAt cofounderId comment createdAt " +
			"expectedResults founderId founders founders[].country founders[].memberId founders[].schoolId imported kind language methodology " +
			"nsoCountries nsoDecisions nsoDecisions.RO nsoDecisions.RO.at nsoDecisions.RO.by nsoDecisions.RO.comment nsoDecisions.RO.decision " +
			"objectives projectId pupils remindedCofounderAt remindedNSO remindedNSO.RO status submittedAt summary themes title tools updatedAt version"},
		{"partner", must(s.partnerPut(p, pt)), "GSI1PK GSI1SK PK SK addedAt country firstName founder kind lastName memberId projectId role schoolId"},
		{"queue entry", queue.write.Put.Item, "PK SK founders founders[].country founders[].memberId founders[].schoolId kind projectId submittedAt title"},
		{"label", must(item("PK", "SK", "label", labelItem(l))), "PK SK awardedAt awardedBy country kind labelKind projectId schoolId"},
		{"post", must(item("PK", "SK", "post", postItemOf(post))), "PK SK ageGroup author author.firstName author.lastName author.memberId body " +
			"createdAt indexWords kind postId replyCount title updatedAt version"},
		{"reply", must(item("PK", "SK", "reply", replyItemOf(r))), "PK SK author author.firstName author.lastName author.memberId body createdAt " +
			"kind postId replyId updatedAt"},
		// (GSI2PK, GSI2SK, role, wordsText and the category sets: the member search's card)
		{"member", must(newMemberItem(fullMember(), []string{"A|B"})), "GSI2PK GSI2SK PK SK accountRole ageGroups countries country createdAt email emailNotifications " +
			"failedLoginWindow failedLogins firstName hiddenFields indexKeys indexVersion interests invitationMail invitationMailReason kind language languages lastName memberId mutedEmailKinds passwordHash profile " +
			"profile.ageGroups profile.interests profile.languages profile.projectExperience profile.projectIdeas profile.role profile.subjects " +
			"role schoolIds schoolTypes schools schools[].country schools[].name schools[].schoolId schools[].schoolType username wordsText"},
		{"name-word entry", idx[0], "PK SK ageGroups countries firstName interests kind languages lastName memberId role schoolTypes " +
			"schools schools[].country schools[].name schools[].schoolId schools[].schoolType wordsText"},
		{"school link", idx[len(idx)-1], "PK SK ageGroups countries firstName interests kind languages lastName memberId role schoolId schoolTypes " +
			"schools schools[].country schools[].name schools[].schoolId schools[].schoolType wordsText"},
		// Items of other packages that hold these types: a forum author, a member's schools.
		{"resource", must(item("PK", "SK", "resource", resourceItemOf(res))), "PK SK author author.firstName author.lastName author.memberId " +
			"createdAt description indexWords kind language resourceId theme title url"},
	} {
		if got := strings.Join(attrPaths(c.item), " "); got != c.want {
			t.Errorf("%s item attributes:\n got %s\nwant %s", c.name, got, c.want)
		}
	}
}

// TestMemberCardIsGSI2: GSI2 (template.yaml) projects exactly a memberCard's attributes,
// and a teacher's member item seen through it is the card every other search item
// carries.
func TestMemberCardIsGSI2(t *testing.T) {
	raw, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tpl struct {
		Resources map[string]struct {
			Properties struct {
				GlobalSecondaryIndexes []struct {
					IndexName  string `yaml:"IndexName"`
					Projection struct {
						ProjectionType   string   `yaml:"ProjectionType"`
						NonKeyAttributes []string `yaml:"NonKeyAttributes"`
					} `yaml:"Projection"`
				} `yaml:"GlobalSecondaryIndexes"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal(raw, &tpl); err != nil {
		t.Fatal(err)
	}
	var projected []string
	for _, ix := range tpl.Resources["Table"].Properties.GlobalSecondaryIndexes {
		if ix.IndexName == "GSI2" && ix.Projection.ProjectionType == "INCLUDE" {
			projected = ix.Projection.NonKeyAttributes
		}
	}
	if !slices.Equal(sorted(projected), sorted(cardAttributes)) {
		t.Fatalf("GSI2 projects %v, a member card is %v", projected, cardAttributes)
	}
	m := fullMember()
	m.HiddenFields = nil // (every category set present)
	card, err := attributevalue.MarshalMap(cardOf(mustEntry(t, m)))
	if err != nil {
		t.Fatal(err)
	}
	if got := topLevel(card); !slices.Equal(got, sorted(cardAttributes)) {
		t.Errorf("a full card's attributes: %v, want %v", got, sorted(cardAttributes))
	}
	mi, err := newMemberItem(m, nil)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]types.AttributeValue{}
	for _, a := range projected {
		if v, ok := mi[a]; ok {
			seen[a] = v
		}
	}
	var got memberCard
	if err := attributevalue.UnmarshalMap(seen, &got); err != nil {
		t.Fatal(err)
	}
	if want := cardOf(mustEntry(t, m)); !reflect.DeepEqual(got, want) {
		t.Errorf("the member item through GSI2:\n got %+v\nwant %+v", got, want)
	}
	if e := got.entry(); !reflect.DeepEqual(e.Hit, mustEntry(t, m).Hit) || !reflect.DeepEqual(e.Words, mustEntry(t, m).Words) ||
		!reflect.DeepEqual(e.Categories, mustEntry(t, m).Categories) || !reflect.DeepEqual(e.NameWords, mustEntry(t, m).NameWords) {
		t.Errorf("the card's entry %+v, the member's %+v", e, mustEntry(t, m))
	}
}

func mustEntry(t *testing.T, m member.Member) directory.Entry {
	t.Helper()
	e, ok := directory.EntryOf(m)
	if !ok {
		t.Fatal("not a teacher")
	}
	return e
}

func topLevel(it map[string]types.AttributeValue) []string {
	var out []string
	for k := range it {
		out = append(out, k)
	}
	return sorted(out)
}

// roundTrip marshals it as DynamoDB stores it and reads it back.
func roundTrip[I any](t *testing.T, it I) I {
	t.Helper()
	av, err := attributevalue.MarshalMap(it)
	if err != nil {
		t.Fatal(err)
	}
	var back I
	if err := attributevalue.UnmarshalMap(av, &back); err != nil {
		t.Fatal(err)
	}
	return back
}

// TestItemsKeepEveryField: a domain value stored and read back is the same value.
func TestItemsKeepEveryField(t *testing.T) {
	t.Parallel() // its own table (newStore); at most -parallel (GOMAXPROCS) at once
	p := fullProject()
	pi := roundTrip(t, newProjectItem(p))
	if got := pi.toProject(); !reflect.DeepEqual(got, p) {
		t.Errorf("project:\n got %+v\nwant %+v", got, p)
	}
	e := project.EntryOf(&p)
	qi := roundTrip(t, queueEntryItemOf(e))
	if got := qi.toEntry(); !reflect.DeepEqual(got, e) {
		t.Errorf("queue entry: %+v", got)
	}
	m := fullMember()
	mi := roundTrip(t, memberItemOf(m))
	if got := mi.toMember(); !reflect.DeepEqual(got, m) {
		t.Errorf("member:\n got %+v\nwant %+v", got, m)
	}
	if !slices.Equal(mi.SchoolIDs, []string{"s-1"}) {
		t.Errorf("member schoolIds: %v", mi.SchoolIDs)
	}
	post := fullPost()
	poi := roundTrip(t, postItemOf(post))
	if got := poi.toPost(); !reflect.DeepEqual(got, post) {
		t.Errorf("post: %+v", got)
	}
	r := forum.Reply{ReplyID: "r-1", PostID: "p-9", Body: "b", Author: post.Author, CreatedAt: at, UpdatedAt: &at2}
	ri := roundTrip(t, replyItemOf(r))
	if got := ri.toReply(); !reflect.DeepEqual(got, r) {
		t.Errorf("reply: %+v", got)
	}
	// nil and empty lists stay what they were (NULL and [] are stored differently).
	staff := member.Member{MemberID: "m-2", Schools: []member.SchoolRef{}}
	si := roundTrip(t, memberItemOf(staff))
	if got := si.toMember(); got.Schools == nil || len(got.Schools) != 0 || got.Profile != nil {
		t.Errorf("staff member: %+v", got)
	}
}

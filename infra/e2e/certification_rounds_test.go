package e2e

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/testenv"
	"etwin/shared/certification"
	"etwin/shared/principal"
)

// The rounds live in one partition of the table every test of the run shares; "none
// announced" is only true once it is empty.
const roundsPK = "CERTWINDOWS"

// clearRounds deletes every stored round (the fixture of "none announced").
func clearRounds(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	db := testenv.DDB()
	out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(testenv.TableName()), ConsistentRead: aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: roundsPK}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range out.Items {
		if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(testenv.TableName()),
			Key: map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]}}); err != nil {
			t.Fatal(err)
		}
	}
}

func rfc(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// roundBody is a round announced an hour before now+announce, opening at open, closing a
// month later; cutoffs as given (nil: the defaults).
func roundBody(announce, open time.Time, cutoffs map[string]any) map[string]any {
	b := map[string]any{"announceAt": rfc(announce), "opensAt": rfc(open), "closesAt": rfc(open.Add(30 * 24 * time.Hour))}
	if cutoffs != nil {
		b["cutoffs"] = cutoffs
	}
	return b
}

func timeOf(t *testing.T, v any) time.Time {
	t.Helper()
	s, _ := v.(string)
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatalf("not a time: %v", v)
	}
	return at
}

// The CSS sets a round; anyone reads the current one; nobody else may set one; dates out of
// order are a 422 naming the field; before it opens a round may move its cut-offs, after
// that it may not (409), though its close may still move; none announced → 404.
func TestCertificationWindows(t *testing.T) {
	clearRounds(t)
	t.Cleanup(func() { clearRounds(t) })
	css, _ := staffAccount(t, "css", "")
	nso, _ := staffAccount(t, "nso", "RO")
	teacher, _, _ := teacherAccount(t, "Round", "RO")

	expect(t, call(t, "GET", "/v1/certification/windows/current", "", nil), 404)

	now := time.Now().UTC().Truncate(time.Second)
	year := fmt.Sprint(now.Year())
	path := "/v1/certification/windows/" + year
	body := roundBody(now.Add(-time.Hour), now.Add(time.Hour), nil)
	expect(t, call(t, "PUT", path, "", body), 401)
	expect(t, call(t, "PUT", path, teacher, body), 403)
	expect(t, call(t, "PUT", path, nso, body), 403)
	expect(t, call(t, "GET", "/v1/certification/windows/current", "", nil), 404)

	// out of order, each naming its field
	bad := roundBody(now.Add(-time.Hour), now.Add(time.Hour), nil)
	bad["closesAt"] = rfc(now)
	if r := expect(t, call(t, "PUT", path, css, bad), 422); !slices.Equal(fieldsOf(r), []string{"closesAt"}) {
		t.Errorf("closes before it opens: %s", r.Raw)
	}
	bad = roundBody(now.Add(2*time.Hour), now.Add(time.Hour), nil)
	if r := expect(t, call(t, "PUT", path, css, bad), 422); !slices.Equal(fieldsOf(r), []string{"opensAt"}) {
		t.Errorf("opens before it is announced: %s", r.Raw)
	}
	bad = roundBody(now.Add(-time.Hour), now.Add(time.Hour), map[string]any{"labelledFrom": "2025-06-01T00:00:00Z", "labelledTo": "2025-01-01T00:00:00Z"})
	if r := expect(t, call(t, "PUT", path, css, bad), 422); !slices.Equal(fieldsOf(r), []string{"cutoffs.labelledTo"}) {
		t.Errorf("label range reversed: %s", r.Raw)
	}
	if r := expect(t, call(t, "PUT", "/v1/certification/windows/26", css, body), 422); !slices.Equal(fieldsOf(r), []string{"year"}) {
		t.Errorf("a bad year: %s", r.Raw)
	}
	expect(t, call(t, "GET", "/v1/certification/windows/current", "", nil), 404)

	// created with the defaults
	r := expect(t, call(t, "PUT", path, css, body), 200)
	open := now.Add(time.Hour)
	two := open.AddDate(-2, 0, 0)
	c, _ := r.JSON["cutoffs"].(map[string]any)
	if r.JSON["status"] != "announced" || fmt.Sprint(r.JSON["year"]) != year || !timeOf(t, c["registeredBefore"]).Equal(two) ||
		!timeOf(t, c["activeSince"]).Equal(two) || !timeOf(t, c["labelledFrom"]).Equal(two) || !timeOf(t, c["labelledTo"]).Equal(open) ||
		c["minActiveTeachers"] != float64(3) || c["europeanProject"] != true || len(r.JSON["elements"].([]any)) != 5 {
		t.Fatalf("created: %s", r.Raw)
	}
	cur := expect(t, call(t, "GET", "/v1/certification/windows/current", "", nil), 200)
	if fmt.Sprint(cur.JSON["year"]) != year || cur.JSON["status"] != "announced" {
		t.Fatalf("current: %s", cur.Raw)
	}

	// replaced before it opens: the cut-offs move (an older round's rules)
	older := map[string]any{"activeSince": rfc(two.AddDate(0, 6, 0)), "minActiveTeachers": 2, "europeanProject": false}
	r = expect(t, call(t, "PUT", path, css, roundBody(now.Add(-time.Hour), open, older)), 200)
	c = r.JSON["cutoffs"].(map[string]any)
	if c["minActiveTeachers"] != float64(2) || c["europeanProject"] != false || !timeOf(t, c["activeSince"]).Equal(two.AddDate(0, 6, 0)) {
		t.Fatalf("replaced: %s", r.Raw)
	}

	// it opens early, so labelledTo (at most opensAt) moves with it: still allowed, as the
	// round as stored has not opened
	opened := now.Add(-time.Minute)
	kept := map[string]any{"registeredBefore": rfc(two), "activeSince": rfc(two.AddDate(0, 6, 0)), "labelledFrom": rfc(two),
		"labelledTo": rfc(opened), "minActiveTeachers": 2, "europeanProject": false}
	r = expect(t, call(t, "PUT", path, css, roundBody(now.Add(-time.Hour), opened, kept)), 200)
	if r.JSON["status"] != "open" {
		t.Fatalf("opened: %s", r.Raw)
	}
	// now its cut-offs stay
	moved := map[string]any{"registeredBefore": rfc(two), "activeSince": rfc(two), "labelledFrom": rfc(two),
		"labelledTo": rfc(opened.Add(-2 * time.Hour)), "minActiveTeachers": 3, "europeanProject": false}
	r = expect(t, call(t, "PUT", path, css, roundBody(now.Add(-time.Hour), opened, moved)), 409)
	if got := fieldsOf(r); !slices.Equal(got, []string{"cutoffs.activeSince", "cutoffs.labelledTo", "cutoffs.minActiveTeachers"}) {
		t.Errorf("moved cut-offs named %v: %s", got, r.Raw)
	}
	// defaults that differ from the stored cut-offs move them too
	expect(t, call(t, "PUT", path, css, roundBody(now.Add(-time.Hour), opened, nil)), 409)
	// the close may still move
	later := roundBody(now.Add(-time.Hour), opened, kept)
	later["closesAt"] = rfc(opened.Add(60 * 24 * time.Hour))
	expect(t, call(t, "PUT", path, css, later), 200)
	cur = expect(t, call(t, "GET", "/v1/certification/windows/current", "", nil), 200)
	c = cur.JSON["cutoffs"].(map[string]any)
	if cur.JSON["status"] != "open" || !timeOf(t, cur.JSON["closesAt"]).Equal(opened.Add(60*24*time.Hour)) || c["minActiveTeachers"] != float64(2) {
		t.Fatalf("current after the replacements: %s", cur.Raw)
	}
	// a later year, not announced yet, is not current
	expect(t, call(t, "PUT", fmt.Sprintf("/v1/certification/windows/%d", now.Year()+1), css,
		roundBody(now.Add(24*time.Hour), now.Add(48*time.Hour), nil)), 200)
	if cur = expect(t, call(t, "GET", "/v1/certification/windows/current", "", nil), 200); fmt.Sprint(cur.JSON["year"]) != year {
		t.Fatalf("current with a later round scheduled: %s", cur.Raw)
	}
}

// Two CSS accounts open the same round at once, each with its own cut-offs: one is
// written, the other is decided again on the round as stored (now open) and gets 409.
func TestCertificationWindowsConcurrentOpening(t *testing.T) {
	t.Cleanup(func() { clearRounds(t) })
	cssA, _ := staffAccount(t, "css", "")
	cssB, _ := staffAccount(t, "css", "")
	now := time.Now().UTC().Truncate(time.Second)
	for round := range 3 {
		path := fmt.Sprintf("/v1/certification/windows/%d", 2090+round)
		expect(t, call(t, "PUT", path, cssA, roundBody(now.Add(-time.Hour), now.Add(time.Hour), nil)), 200)
		statuses := make([]int, 2)
		var wg sync.WaitGroup
		for i, tok := range []string{cssA, cssB} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cut := map[string]any{"minActiveTeachers": 2 + i}
				statuses[i] = call(t, "PUT", path, tok, roundBody(now.Add(-time.Hour), now.Add(-time.Minute), cut)).Status
			}()
		}
		wg.Wait()
		slices.Sort(statuses)
		if !slices.Equal(statuses, []int{200, 409}) {
			t.Fatalf("%s: %v, want one 200 and one 409", path, statuses)
		}
	}
}

// matrixRound puts a round announced and open now, straight in the table (once), so that
// GET .../current answers 200 to everyone in the matrix.
var matrixRound sync.Once

func init() {
	everyone := func(anon, teacher, nso, css int) map[matrixRole]int {
		return map[matrixRole]int{roleAnonymous: anon, roleStranger: teacher, rolePartnerMember: teacher, rolePartnerAdmin: teacher,
			roleCofounder: teacher, roleFounder: teacher, roleNSOFounder: nso, roleNSOOther: nso, roleCSS: css}
	}
	// a far-future round: never current, so the matrix leaves "current" alone
	matrixRows["PUT /v1/certification/windows/{year}"] = matrixRow{
		Path: func(*matrixWorld, matrixProject) string { return "/v1/certification/windows/2099" },
		Body: func(*matrixWorld, matrixProject) any {
			return roundBody(time.Date(2099, 9, 1, 0, 0, 0, 0, time.UTC), time.Date(2099, 10, 1, 0, 0, 0, 0, time.UTC), nil)
		},
		Expect: everyone(401, 403, 403, 200),
	}
	matrixRows["GET /v1/certification/windows/current"] = matrixRow{
		Path: func(w *matrixWorld, _ matrixProject) string {
			matrixRound.Do(func() {
				now := time.Now().UTC()
				in := certification.Input{AnnounceAt: rfc(now.Add(-time.Hour)), OpensAt: rfc(now), ClosesAt: rfc(now.Add(time.Hour))}
				svc := &certification.Service{Store: w.store}
				if _, err := svc.PutWindow(context.Background(), principal.Principal{MemberID: "m-matrix", Role: "css"}, "2098", in); err != nil {
					panic(err)
				}
			})
			return "/v1/certification/windows/current"
		},
		Expect: everyone(200, 200, 200, 200),
	}
}

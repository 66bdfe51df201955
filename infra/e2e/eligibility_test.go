package e2e

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/certification"
	"etwin/shared/ddb"
)

// eligibilityYear is this test's round (no other test uses it).
const eligibilityYear = 2071

// history is an imported history on every boundary of the stage-1 rules (cut-offs
// 2024-03-01 for registration and activity, labels within [2024-03-01, 2026-03-01]): each
// RO school has three teachers and a project, closed before activeSince (so that only the
// activities make teachers active), with a National Quality Label. Only "exact" passes.
func history(tag string) (text string, schools map[string]bool, teachers map[string][]string) {
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	fr := "FR~" + tag
	line(`{"type":"school","id":"%s","name":"Lycée Partenaire %s","country":"FR","city":"Lyon","schoolType":"upper_secondary","registeredAt":"2020-01-01T00:00:00Z"}`, fr, tag)
	line(`{"type":"member","id":"fr.%s","username":"fr.%s","email":"fr.%s@example.org","firstName":"Jean","lastName":"Dupont","language":"fr","schoolIds":["%s"],"registeredAt":"2020-01-02T00:00:00Z"}`, tag, tag, tag, fr)
	schools = map[string]bool{}
	teachers = map[string][]string{}
	type school struct {
		name       string
		eligible   bool
		registered string
		active     [3]string // the teachers' activities ("" none)
		labelAt    string
		national   bool // the labelled project has no foreign partner
	}
	for _, s := range []school{
		{"exact", true, "2024-03-01T00:00:00Z", [3]string{"2024-03-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-06-01T00:00:00Z"}, "2024-03-01T00:00:00Z", false},
		{"inside", true, "2022-01-01T00:00:00Z", [3]string{"2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"}, "2026-03-01T00:00:00Z", false},
		{"late", false, "2024-03-02T00:00:00Z", [3]string{"2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"}, "2025-09-15T00:00:00Z", false},
		{"two", false, "2022-01-01T00:00:00Z", [3]string{"2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", ""}, "2025-09-15T00:00:00Z", false},
		{"early", false, "2022-01-01T00:00:00Z", [3]string{"2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2024-02-29T23:59:59Z"}, "2025-09-15T00:00:00Z", false},
		{"labelout", false, "2022-01-01T00:00:00Z", [3]string{"2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"}, "2026-03-01T00:00:01Z", false},
		{"national", false, "2022-01-01T00:00:00Z", [3]string{"2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "2025-01-01T00:00:00Z"}, "2025-09-15T00:00:00Z", true},
	} {
		sid := "RO~" + s.name + "." + tag
		schools[sid] = s.eligible
		line(`{"type":"school","id":"%s","name":"Liceul %s %s","country":"RO","city":"Iași","schoolType":"upper_secondary","registeredAt":"%s"}`, sid, s.name, tag, s.registered)
		for i, at := range s.active {
			mid := fmt.Sprintf("m-%s.%d.%s", s.name, i, tag)
			teachers[sid] = append(teachers[sid], mid)
			line(`{"type":"member","id":"%s","username":"%s","email":"%s@example.org","password":"local-only-secret","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["%s"],"registeredAt":"2022-01-02T00:00:00Z"}`, mid, mid, mid, sid)
			if at != "" {
				line(`{"type":"activity","memberId":"%s","kind":"professional_development","at":"%s","schoolId":"%s"}`, mid, at, sid)
			}
		}
		cofounder := "fr." + tag
		if s.national {
			cofounder = teachers[sid][1]
		}
		pid := "p-" + s.name + "." + tag
		line(`{"type":"project","id":"%s","title":"Water around us","founders":["%s","%s"],"status":"closed","approvedAt":"2023-01-01T00:00:00Z","closedAt":"2024-02-01T00:00:00Z"}`, pid, teachers[sid][0], cofounder)
		line(`{"type":"label","projectId":"%s","kind":"national","schoolId":"%s","awardedAt":"%s"}`, pid, sid, s.labelAt)
	}
	return b.String(), schools, teachers
}

// putEligibilityRound opens this test's round an hour ago, with the fixed cut-offs, and
// deletes it when the test ends (other tests read "the current round").
func putEligibilityRound(t *testing.T) {
	t.Helper()
	css, _ := staffAccount(t, "css", "")
	now := time.Now().UTC().Truncate(time.Second)
	body := roundBody(now.Add(-2*time.Hour), now.Add(-time.Hour), map[string]any{"registeredBefore": "2024-03-01T00:00:00Z",
		"activeSince": "2024-03-01T00:00:00Z", "labelledFrom": "2024-03-01T00:00:00Z", "labelledTo": "2026-03-01T00:00:00Z"})
	expect(t, call(t, "PUT", fmt.Sprintf("/v1/certification/windows/%d", eligibilityYear), css, body), 200)
	t.Cleanup(func() {
		_, err := testenv.DDB().DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(testenv.TableName()),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: roundsPK},
				"SK": &types.AttributeValueMemberS{Value: fmt.Sprintf("WINDOW#%04d", eligibilityYear)}}})
		if err != nil {
			t.Error(err)
		}
		// the job announced the round to every teacher: withdraw it, other tests count
		// their teachers' notifications
		store := ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())
		if _, err := store.DeleteBroadcast(context.Background(), fmt.Sprintf("cert-announce-%04d", eligibilityYear)); err != nil {
			t.Error(err)
		}
	})
}

// After the certification-window job has run on an imported history sitting on every
// boundary of the rules, exactly the eligible schools' teachers hold one invitation each
// (a notification over HTTP and an e-mail); both jobs run three more times, and twice at
// once, change nothing.
func TestEligibilitySweepOnTheBoundaries(t *testing.T) {
	tag := unique("")
	text, schools, teachers := history(tag)
	if out, code := importFile(t, text); code != 0 {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	start := time.Now()
	putEligibilityRound(t)

	var rounds []certification.RoundReport
	runJob(t, "certification-window", &rounds)
	var mine *certification.RoundReport
	for i := range rounds {
		if rounds[i].Year == eligibilityYear {
			mine = &rounds[i]
		}
	}
	if mine == nil || mine.Status != "open" || mine.Sweep == nil || !mine.Sweep.Complete || !mine.Announced {
		t.Fatalf("the window job's report: %+v", rounds)
	}

	store := ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())
	ctx := context.Background()
	check := func(when string) {
		t.Helper()
		for sid, eligible := range schools {
			v, found, err := store.Verdict(ctx, eligibilityYear, sid)
			if err != nil || !found || v.Eligible != eligible {
				t.Errorf("%s: %s: verdict %+v (found %v, %v), want eligible %v", when, sid, v, found, err, eligible)
			}
			invited, err := store.Invited(ctx, eligibilityYear, sid)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			if eligible {
				want = len(teachers[sid])
			}
			if len(invited) != want {
				t.Errorf("%s: %s: %d invited, want %d", when, sid, len(invited), want)
			}
		}
	}
	check("after the first run")
	for sid, eligible := range schools {
		if eligible {
			for _, m := range teachers[sid] {
				testenv.WaitMails(t, m+"@example.org", start, 1)
			}
		}
	}

	// three more runs of both jobs, then both twice at once
	for range 3 {
		runJob(t, "certification-window", &rounds)
		var sweeps []certification.SweepReport
		runJob(t, "eligibility-sweep", &sweeps)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			var r []certification.RoundReport
			runJob(t, "certification-window", &r)
		})
		wg.Go(func() {
			var r []certification.SweepReport
			runJob(t, "eligibility-sweep", &r)
		})
	}
	wg.Wait()
	check("after the re-runs")

	// over HTTP: one invitation among an eligible teacher's notifications, none for the others
	for sid, eligible := range schools {
		m := teachers[sid][0]
		session := expect(t, call(t, "POST", "/v1/sessions", "", map[string]string{"username": m, "password": "local-only-secret"}), 201).JSON["token"].(string)
		r := expect(t, call(t, "GET", "/v1/notifications", session, nil), 200)
		n, announced := 0, 0
		for _, it := range r.JSON["items"].([]any) {
			item := it.(map[string]any)
			if item["kind"] == "certification_announced" && item["subject"].(map[string]any)["id"] == fmt.Sprint(eligibilityYear) {
				announced++
			}
			if item["kind"] == "certification_invitation" {
				n++
				if subj := item["subject"].(map[string]any); subj["id"] != sid {
					t.Errorf("%s: invitation about %v", m, subj)
				}
			}
		}
		if want := map[bool]int{true: 1, false: 0}[eligible]; n != want || announced != 1 {
			t.Errorf("%s (%s): %d invitations (want %d), %d announcements (want 1): %s", m, sid, n, want, announced, r.Raw)
		}
	}
	// and exactly one e-mail each, in their language
	time.Sleep(2 * time.Second) // anything the re-runs had queued would have gone by now
	ms, err := testenv.Mails(start)
	if err != nil {
		t.Fatal(err)
	}
	for sid, eligible := range schools {
		for _, m := range teachers[sid] {
			got := 0
			for _, mail := range ms {
				for _, to := range mail.To {
					if strings.EqualFold(to, m+"@example.org") {
						got++
						if !strings.Contains(mail.Subject, "Școala") {
							t.Errorf("%s: subject %q is not Romanian", m, mail.Subject)
						}
					}
				}
			}
			if want := map[bool]int{true: 1, false: 0}[eligible]; got != want {
				t.Errorf("%s: %d e-mails, want %d", m, got, want)
			}
		}
	}
}

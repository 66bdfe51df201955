package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/event"
)

// runEventReminders runs the built event-reminders function once with its schedule's
// event, as `make invoke FN=event-reminders` does.
func runEventReminders(t *testing.T) event.ReminderReport {
	t.Helper()
	var rep event.ReminderReport
	runJob(t, "event-reminders", &rep)
	return rep
}

// moveEvent moves an event's start (and its end, the same way) straight in the table,
// keys of its month partition included: the functions tell the real time, so "20 hours
// before the start" is the start moved to 20 hours from now.
func moveEvent(t *testing.T, id string, start time.Time) {
	t.Helper()
	start = start.UTC().Truncate(time.Second)
	db := localstack.NewDynamoClient(testenv.DDBEndpoint())
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	_, err := db.UpdateItem(context.Background(), &dynamodb.UpdateItemInput{
		TableName:           aws.String(testenv.TableName()),
		Key:                 map[string]types.AttributeValue{"PK": s("EVENT#" + id), "SK": s("EVENT")},
		UpdateExpression:    aws.String("SET startsAt = :s, endsAt = :e, GSI1PK = :pk, GSI1SK = :sk"),
		ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":s": s(start.Format(time.RFC3339Nano)), ":e": s(start.Add(time.Hour).Format(time.RFC3339Nano)),
			":pk": s("EVENTS#" + start.Format("2006-01")), ":sk": s(start.Format("2006-01-02T15:04:05.000Z") + "#" + id),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestEventRemindersJob: the CSS publishes an event two days ahead, three teachers
// register and one cancels; nothing is due yet. With the start 20 hours away, three runs
// of the job send exactly two reminder e-mails (the local SES) and notifications, none
// to the one who cancelled and nothing on the second and third runs; an event three days
// away gets nothing yet.
func TestEventRemindersJob(t *testing.T) {
	css, _ := staffAccount(t, "css", "")
	ana := signUp(t, applicant{First: "Ana", Lang: "ro"})
	ion := signUp(t, applicant{First: "Ion"})
	eva := signUp(t, applicant{First: "Eva", Lang: "fr"})
	title := "Robotics " + unique("")
	soon := createEvent(t, css, eventBody("f2f_workshop", title, time.Now().Add(48*time.Hour), map[string]any{
		"place": "Iași, Str. Lăpușneanu 1", "url": "https://example.org/robotics"}))
	later := createEvent(t, css, eventBody("webinar", "Later "+title, time.Now().Add(72*time.Hour), nil))
	for _, m := range []signedUp{ana, ion, eva} {
		expect(t, call(t, "POST", "/v1/events/"+soon+"/attendance", m.Session, nil), 201)
		expect(t, call(t, "POST", "/v1/events/"+later+"/attendance", m.Session, nil), 201)
	}
	expect(t, call(t, "DELETE", "/v1/events/"+soon+"/attendance", ion.Session, nil), 204)

	since := time.Now().Add(-time.Second)
	runEventReminders(t)
	for _, m := range []signedUp{ana, ion, eva} {
		if k := notificationKinds(t, m.Session, soon); countKind(k, "event_reminder") != 0 {
			t.Fatalf("reminded two days ahead: %v", k)
		}
	}

	moveEvent(t, soon, time.Now().Add(20*time.Hour))
	first := runEventReminders(t)
	if first.Reminded < 2 {
		t.Fatalf("the first run: %+v", first)
	}
	for range 2 {
		runEventReminders(t)
	}
	for _, c := range []struct {
		m    signedUp
		want int
	}{{ana, 1}, {ion, 0}, {eva, 1}} {
		if n := countKind(notificationKinds(t, c.m.Session, soon), "event_reminder"); n != c.want {
			t.Fatalf("%s: %d reminder notifications, want %d", c.m.Email, n, c.want)
		}
		if n := countKind(notificationKinds(t, c.m.Session, later), "event_reminder"); n != 0 {
			t.Fatalf("%s: reminded of the event three days away", c.m.Email)
		}
	}
	// the e-mails: the sign-up's own may land after since (the local SES keeps seconds),
	// so only those about this event count
	deadline := time.Now().Add(60 * time.Second)
	for reminderMails(t, ana.Email, title, since)+reminderMails(t, eva.Email, title, since) < 2 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second) // a duplicate would come in this time
	for _, c := range []struct {
		m    signedUp
		want int
	}{{ana, 1}, {ion, 0}, {eva, 1}} {
		if n := reminderMails(t, c.m.Email, title, since); n != c.want {
			t.Fatalf("%s: %d reminder e-mails, want %d", c.m.Email, n, c.want)
		}
	}
	// the e-mail names the event, its start in UTC, its place and its URL
	ms, err := testenv.Mails(since)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, m := range ms {
		if len(m.To) == 1 && m.To[0] == eva.Email && strings.Contains(m.Subject, title) {
			found = true
			for _, want := range []string{"(UTC)", "Iași, Str. Lăpușneanu 1", "https://example.org/robotics"} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("the e-mail lacks %q:\n%s", want, m.Text)
				}
			}
		}
	}
	if !found {
		t.Fatal("no reminder e-mail to Eva")
	}
}

// reminderMails counts the e-mails to addr since since whose subject names title.
func reminderMails(t *testing.T, addr, title string, since time.Time) int {
	t.Helper()
	ms, err := testenv.Mails(since)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if len(m.To) == 1 && m.To[0] == addr && strings.Contains(m.Subject, title) {
			n++
		}
	}
	return n
}

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/notify"
)

// A notification whose e-mail its request never sent (cut short after the commit) is
// sent by the mail-retry job, once; a member who turned e-mails off is skipped.
func TestNotificationMailRetry(t *testing.T) {
	store := ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())
	ctx := context.Background()
	ana, ion := newTeacher(t, "Ana", "en"), newTeacher(t, "Ion", "ro")
	expect(t, call(t, "PATCH", "/v1/me", ion.Session, map[string]any{"preferences": map[string]any{"emailNotifications": false}}), 200)
	// Committed ten minutes ago with the e-mail still pending (as a request that died
	// right after its transaction leaves it).
	at := time.Now().Add(-10 * time.Minute)
	pending := notify.New(notify.Recipient{MemberID: ana.ID, WantsEmail: true}, notify.KindPartnerAdded,
		notify.Subject{Type: notify.SubjectProject, ID: "p-" + unique("")}, nil, at)
	off := notify.New(notify.Recipient{MemberID: ion.ID, WantsEmail: true}, notify.KindPartnerAdded,
		notify.Subject{Type: notify.SubjectProject, ID: "p-" + unique("")}, nil, at)
	if err := store.AddNotifications(ctx, pending, off); err != nil {
		t.Fatal(err)
	}
	since := time.Now()
	var rep notify.RetryReport
	runJob(t, "notification-mail-retry", &rep)
	if rep.Sent < 1 || rep.Skipped < 1 {
		t.Fatalf("report %+v, want at least one sent and one skipped", rep)
	}
	if m := testenv.WaitMail(t, ana.Email, since); !strings.Contains(m.Text, pending.ID) {
		t.Fatalf("the retried e-mail does not link to its notification: %s", m.Text)
	}
	mails, err := testenv.Mails(since)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mails {
		if strings.Contains(m.Text, off.ID) {
			t.Fatalf("a member who turned e-mails off got %q", m.Subject)
		}
	}
	// Done: the next run has nothing of theirs to do.
	runJob(t, "notification-mail-retry", &rep)
	due, err := store.DueNotificationMails(ctx, time.Now(), 500)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range due {
		if n.ID == pending.ID || n.ID == off.ID {
			t.Fatalf("notification %s is still due after its retry", n.ID)
		}
	}
}

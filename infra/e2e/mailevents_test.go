package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"etwin/infra/gateway"
	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
)

// snsEvent is the event SNS hands a subscribed function, carrying one SES event.
func snsEvent(sesEvent string) []byte {
	b, _ := json.Marshal(map[string]any{"Records": []map[string]any{{
		"EventSource": "aws:sns", "EventVersion": "1.0",
		"Sns": map[string]any{"Type": "Notification", "MessageId": "m-1", "Message": sesEvent,
			"Timestamp": time.Now().UTC().Format(time.RFC3339)},
	}}})
	return b
}

// TestMailEventsSuppressBouncesAndComplaints runs the built mail-events function with the
// SNS events SES publishes: a permanent bounce and a complaint put their addresses on the
// suppression list (after which nothing is sent to them); a transient bounce does not.
func TestMailEventsSuppressBouncesAndComplaints(t *testing.T) {
	testenv.APIURL() // the stack's functions are built and running
	root, err := localstack.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	table := testenv.TableName()
	gw, err := gateway.New(gateway.Options{
		TemplatePath: filepath.Join(root, "template.yaml"),
		BinDir:       testenv.BinDir(),
		Parameters:   localstack.LocalParameters,
		TableName:    func(string) string { return table },
		ExtraEnv:     map[string]string{"AWS_ENDPOINT_URL_DYNAMODB": testenv.DDBEndpoint()},
		FunctionLog:  os.Stderr,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	bounced, complained, transient := unique("b")+"@example.org", unique("c")+"@example.org", unique("t")+"@example.org"
	for _, ev := range []string{
		fmt.Sprintf(`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":%q}]},"mail":{}}`, bounced),
		fmt.Sprintf(`{"eventType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":%q}]},"mail":{}}`, complained),
		fmt.Sprintf(`{"eventType":"Bounce","bounce":{"bounceType":"Transient","bouncedRecipients":[{"emailAddress":%q}]},"mail":{}}`, transient),
	} {
		if _, err := gw.Invoke(context.Background(), "MailEventsFunction", snsEvent(ev)); err != nil {
			t.Fatalf("mail-events: %v", err)
		}
	}
	store := ddb.New(testenv.DDB(), table)
	for addr, want := range map[string]bool{bounced: true, complained: true, transient: false} {
		if got, err := store.Suppressed(context.Background(), addr); err != nil || got != want {
			t.Errorf("%s suppressed %v (%v), want %v", addr, got, err, want)
		}
	}
	if _, err := gw.Invoke(context.Background(), "MailEventsFunction", snsEvent("not an SES event")); err == nil {
		t.Error("a message that is not an SES event was taken")
	}
}

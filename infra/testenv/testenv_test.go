package testenv

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
)

func TestMain(m *testing.M) { Main(m) }

func TestSharedAndNewTable(t *testing.T) {
	ctx := context.Background()
	if _, err := DDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(TableName())}); err != nil {
		t.Fatalf("shared table %s: %v", TableName(), err)
	}
	name := NewTable(t)
	out, err := DDB().DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Table.GlobalSecondaryIndexes) == 0 {
		t.Errorf("copy of the table has no GSI: %+v", out.Table)
	}
	if other := NewTable(t); other == name {
		t.Errorf("two tables named %s", name)
	}
}

func TestMail(t *testing.T) {
	since := time.Now()
	client := sesv2.New(sesv2.Options{
		Region:       "eu-central-1",
		BaseEndpoint: aws.String(SESURL()),
		Credentials:  credentials.NewStaticCredentialsProvider("local", "local", ""),
	})
	for i, subject := range []string{"first", "second"} {
		_, err := client.SendEmail(context.Background(), &sesv2.SendEmailInput{
			FromEmailAddress: aws.String("no-reply@etwinning.local"),
			Destination:      &types.Destination{ToAddresses: []string{"Ana Pop <Ana@Example.org>"}},
			Content: &types.EmailContent{Simple: &types.Message{
				Subject: &types.Content{Data: aws.String(subject)},
				Body: &types.Body{
					Text: &types.Content{Data: aws.String("text " + subject)},
					Html: &types.Content{Data: aws.String("<p>html " + subject + "</p>")},
				},
			}},
		})
		if err != nil {
			t.Fatalf("send %d: %v", i, err)
		}
	}
	m := WaitMail(t, "ana@example.org", since)
	if m.Subject != "second" || m.Text != "text second" || m.HTML != "<p>html second</p>" || m.From != "no-reply@etwinning.local" {
		t.Errorf("mail %+v", m)
	}
	if _, ok, err := LatestMail("nobody@example.org", since); ok || err != nil {
		t.Errorf("mail to nobody: %v %v", ok, err)
	}
}

func TestAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every function")
	}
	resp, err := http.Get(APIURL() + "/v1/no-such-route")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 404 || string(body) != `{"message":"Not Found"}` {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
}

// TestNoStackUntilUsed runs this test binary again, without the ETWIN_* variables of
// local exec, on this test alone: there it asserts that Main started no stack, since
// nothing asked for one (as in a fuzz worker, whose target only decodes bytes). A stack
// started eagerly by Main would cost every fuzz worker of the package a JVM.
func TestNoStackUntilUsed(t *testing.T) {
	if os.Getenv("TESTENV_CHILD") == "no-stack" {
		if stack != nil || ddbClient != nil {
			t.Fatal("Main started a stack that no test used")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoStackUntilUsed$", "-test.v", "-test.count=1")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ETWIN_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "TESTENV_CHILD=no-stack")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestNoStackUntilUsed") {
		t.Fatalf("child run: %v\n%s", err, out)
	}
	// And the parent, which used the stack in the tests above or uses it now, has one.
	if DDB() == nil || TableName() == "" {
		t.Fatal("no stack after first use")
	}
}

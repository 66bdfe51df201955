package localstack

import (
	"context"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestReadTablesFromTemplate(t *testing.T) {
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	specs, err := ReadTables(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var table *TableSpec
	for i := range specs {
		if specs[i].LogicalID == "Table" {
			table = &specs[i]
		}
	}
	if table == nil {
		t.Fatalf("no Table in %v", specs)
	}
	if len(table.Create.KeySchema) == 0 || len(table.Create.AttributeDefinitions) == 0 {
		t.Errorf("Table spec incomplete: %+v", table.Create)
	}
	if table.Create.BillingMode != types.BillingModePayPerRequest && table.Create.ProvisionedThroughput == nil {
		t.Errorf("Table has neither on-demand billing nor throughput")
	}
}

func TestReadTablesShapes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "template.yaml")
	writeFile(t, path, `
Resources:
  Things:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "${AWS::StackName}-things"
      BillingMode: PROVISIONED
      ProvisionedThroughput: {ReadCapacityUnits: 2, WriteCapacityUnits: 3}
      AttributeDefinitions:
        - {AttributeName: id, AttributeType: S}
        - {AttributeName: n, AttributeType: N}
      KeySchema:
        - {AttributeName: id, KeyType: HASH}
      GlobalSecondaryIndexes:
        - IndexName: ByN
          KeySchema: [{AttributeName: n, KeyType: HASH}]
          Projection: {ProjectionType: INCLUDE, NonKeyAttributes: [a, b]}
      TimeToLiveSpecification: {AttributeName: expires, Enabled: true}
  Other:
    Type: AWS::SQS::Queue
`)
	specs, err := ReadTables(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 1 || specs[0].LogicalID != "Things" {
		t.Fatalf("specs = %+v", specs)
	}
	c := specs[0].Create
	if c.BillingMode != types.BillingModeProvisioned || *c.ProvisionedThroughput.WriteCapacityUnits != 3 {
		t.Errorf("billing = %v %+v", c.BillingMode, c.ProvisionedThroughput)
	}
	gsi := c.GlobalSecondaryIndexes[0]
	if *gsi.IndexName != "ByN" || gsi.Projection.ProjectionType != types.ProjectionTypeInclude ||
		len(gsi.Projection.NonKeyAttributes) != 2 || gsi.ProvisionedThroughput == nil {
		t.Errorf("gsi = %+v", gsi)
	}
	if specs[0].TTLAttribute != "expires" {
		t.Errorf("ttl = %q", specs[0].TTLAttribute)
	}
}

// TestDynamoAndSES starts both real services (needs `make tools`), creates the
// template's tables twice (idempotent) and checks TTL.
func TestDynamoAndSES(t *testing.T) {
	if testing.Short() {
		t.Skip("starts java and node")
	}
	ctx := context.Background()
	ddb, err := StartDynamo(ctx, Options{InMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ddb.Stop()
	ses, err := StartSES(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer ses.Stop()

	root, _ := FindRoot()
	client := NewDynamoClient(ddb.URL)
	name := func(id string) string { return "t-" + id }
	for range 2 {
		if err := CreateTables(ctx, client, filepath.Join(root, "template.yaml"), name); err != nil {
			t.Fatal(err)
		}
	}
	// A table kept from before the template had its last index gets it.
	specs, err := ReadTables(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range specs {
		if spec.LogicalID != "Table" {
			continue
		}
		old := spec
		n := len(spec.Create.GlobalSecondaryIndexes)
		old.Create.GlobalSecondaryIndexes = spec.Create.GlobalSecondaryIndexes[:n-1]
		used := map[string]bool{}
		for _, k := range old.Create.KeySchema {
			used[aws.ToString(k.AttributeName)] = true
		}
		for _, ix := range old.Create.GlobalSecondaryIndexes {
			for _, k := range ix.KeySchema {
				used[aws.ToString(k.AttributeName)] = true
			}
		}
		old.Create.AttributeDefinitions = nil
		for _, d := range spec.Create.AttributeDefinitions {
			if used[aws.ToString(d.AttributeName)] {
				old.Create.AttributeDefinitions = append(old.Create.AttributeDefinitions, d)
			}
		}
		if err := CreateTable(ctx, client, old, "t-Old"); err != nil {
			t.Fatal(err)
		}
		if err := CreateTable(ctx, client, spec, "t-Old"); err != nil {
			t.Fatal(err)
		}
		d, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("t-Old")})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, ix := range d.Table.GlobalSecondaryIndexes {
			got = append(got, aws.ToString(ix.IndexName))
		}
		if len(got) != n || !slices.Contains(got, aws.ToString(spec.Create.GlobalSecondaryIndexes[n-1].IndexName)) {
			t.Errorf("the kept table's indexes: %v, want %d", got, n)
		}
	}

	out, err := client.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("t-Table")})
	if err != nil {
		t.Fatal(err)
	}
	if out.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled {
		t.Errorf("TTL status = %v", out.TimeToLiveDescription.TimeToLiveStatus)
	}

	// A fixed port that is taken is refused up front.
	if _, err := StartSES(ctx, Options{Port: ses.Port}); err == nil {
		t.Error("StartSES on a busy port succeeded")
	}

	ses.Stop()
	select {
	case <-ses.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("SES still running after Stop")
	}
}

// A service that dies before it is ready (as on a port taken between FreePort and its
// bind) is started again on another port; when every attempt dies, the error carries
// the service's own last words.
func TestLaunchRetriesAnEarlyExit(t *testing.T) {
	var ports []int
	command := func(port int) *exec.Cmd {
		ports = append(ports, port)
		if len(ports) == 1 {
			return exec.Command("sh", "-c", "echo address in use; exit 3")
		}
		return exec.Command("sleep", "30")
	}
	ready := func(svc *Service) func(context.Context) bool {
		return func(context.Context) bool { return len(ports) == 2 && svc.Port == ports[1] }
	}
	svc, err := launch(context.Background(), "flaky", Options{}, command, ready)
	if err != nil {
		t.Fatal(err)
	}
	svc.Stop()
	if len(ports) != 2 {
		t.Errorf("attempts = %d, want 2", len(ports))
	}

	dead := func(int) *exec.Cmd { return exec.Command("sh", "-c", "echo boom; exit 3") }
	never := func(*Service) func(context.Context) bool { return func(context.Context) bool { return false } }
	_, err = launch(context.Background(), "dead", Options{}, dead, never)
	if err == nil || !strings.Contains(err.Error(), "boom") || !errors.Is(err, errExitedEarly) {
		t.Errorf("err = %v, want the output and errExitedEarly", err)
	}
	// A fixed port is the caller's choice: no second attempt.
	ports = nil
	fixed := func(port int) *exec.Cmd { ports = append(ports, port); return dead(port) }
	free, _ := FreePort()
	if _, err := launch(context.Background(), "fixed", Options{Port: free}, fixed, never); err == nil || len(ports) != 1 {
		t.Errorf("fixed port: err = %v, attempts = %d", err, len(ports))
	}
}

package e2e

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"testing"
	"time"

	"etwin/infra/gateway"
	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/project"
)

// runReminders runs the built project-reminders function once with its schedule's event,
// as `make invoke FN=project-reminders` does, and returns its report.
func runReminders(t *testing.T) project.ReminderReport {
	t.Helper()
	var rep project.ReminderReport
	runJob(t, "project-reminders", &rep)
	return rep
}

// runJob runs the built scheduled function folder once with its schedule's event, as
// `make invoke FN=<folder>` does, and decodes its report into rep.
func runJob(t *testing.T, folder string, rep any) {
	t.Helper()
	testenv.APIURL() // builds the functions when the test started its own stack
	root, err := localstack.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(gateway.Options{
		TemplatePath: filepath.Join(root, "template.yaml"),
		BinDir:       testenv.BinDir(),
		Parameters:   localstack.LocalParameters,
		TableName:    func(string) string { return testenv.TableName() },
		ExtraEnv: map[string]string{
			"AWS_ENDPOINT_URL_DYNAMODB": testenv.DDBEndpoint(),
			"AWS_ENDPOINT_URL_SESV2":    testenv.SESURL(),
			"AWS_ENDPOINT_URL_SES":      testenv.SESURL(),
		},
		FunctionLog:  io.Discard,
		TimeoutScale: testenv.TimeoutScale,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	def := gw.Template().FunctionByName(folder)
	if def == nil || len(def.Schedules) == 0 {
		t.Fatalf("%s has no schedule in template.yaml", folder)
	}
	reply, err := gw.Invoke(t.Context(), def.LogicalID, gateway.ScheduledEvent(def, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(reply, rep); err != nil {
		t.Fatalf("reply %s: %v", reply, err)
	}
}

// backdate moves a project's clock back (its founding, and its submission to the NSOs)
// straight in the table, as if it had waited that long.
func backdate(t *testing.T, id string, by time.Duration) {
	t.Helper()
	store := ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())
	ctx := context.Background()
	p, ok, err := store.GetProject(ctx, id)
	if err != nil || !ok {
		t.Fatalf("project %s: %v %v", id, ok, err)
	}
	p.CreatedAt = p.CreatedAt.Add(-by)
	if p.SubmittedAt != nil {
		at := p.SubmittedAt.Add(-by)
		p.SubmittedAt = &at
	}
	if err := store.PutProjectTree(ctx, p, nil); err != nil {
		t.Fatal(err)
	}
}

func countKind(kinds []string, kind string) int {
	n := 0
	for _, k := range kinds {
		if k == kind {
			n++
		}
	}
	return n
}

// The daily job reminds the co-founder after 7 days and the undecided NSO after 14, once.
func TestProjectRemindersJob(t *testing.T) {
	ana, _, _ := teacherAccount(t, "Lena", "LU")
	mia, miaID, _ := teacherAccount(t, "Mia", "MT")
	makeContacts(t, ana, mia, miaID)
	nsoLU, _ := staffAccount(t, "nso", "LU")
	nsoMT, _ := staffAccount(t, "nso", "MT")
	id := expect(t, call(t, "POST", "/v1/projects", ana, projectBody(miaID)), 201).JSON["projectId"].(string)

	runReminders(t)
	if n := countKind(notificationKinds(t, mia, id), "project_reminder"); n != 0 {
		t.Fatalf("reminded on the first day (%d)", n)
	}
	backdate(t, id, 8*24*time.Hour)
	if rep := runReminders(t); rep.Cofounders < 1 {
		t.Fatalf("report %+v", rep)
	}
	runReminders(t)
	if n := countKind(notificationKinds(t, mia, id), "project_reminder"); n != 1 {
		t.Fatalf("the co-founder got %d reminders, want 1", n)
	}

	expect(t, call(t, "POST", "/v1/projects/"+id+"/cofounder-decision", mia, map[string]any{"decision": "approve"}), 200)
	expect(t, call(t, "POST", "/v1/projects/"+id+"/nso-decision", nsoMT, map[string]any{"decision": "approve", "comment": ""}), 200)
	backdate(t, id, 15*24*time.Hour)
	runReminders(t)
	runReminders(t)
	if n := countKind(notificationKinds(t, nsoLU, id), "project_reminder"); n != 1 {
		t.Fatalf("the undecided NSO got %d reminders, want 1", n)
	}
	if n := countKind(notificationKinds(t, nsoMT, id), "project_reminder"); n != 0 {
		t.Fatalf("the NSO that decided got %d reminders", n)
	}
	// The reminders did not get in the way of the last decision.
	r := expect(t, call(t, "POST", "/v1/projects/"+id+"/nso-decision", nsoLU, map[string]any{"decision": "approve", "comment": ""}), 200)
	if r.JSON["status"] != "approved" {
		t.Fatalf("after the reminders: %s", r.Raw)
	}
}

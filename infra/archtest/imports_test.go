package archtest

import (
	"os/exec"
	"strings"
	"testing"
)

// adapters are the shared/ packages that may speak to AWS or HTTP: the outbound adapters
// (ddb, sesmail, ssmkey), the inbound one (api, over httpapi), the composition root (app) and
// the Lambda runtime starter (lambdarun).
var adapters = map[string]bool{
	"etwin/shared/api":       true,
	"etwin/shared/app":       true,
	"etwin/shared/ddb":       true,
	"etwin/shared/httpapi":   true,
	"etwin/shared/sesmail":   true,
	"etwin/shared/lambdarun": true, // the Lambda runtime (aws-lambda-go): only main.go files import it
	"etwin/shared/ssmkey":    true,
	"etwin/shared/s3files":   true, // the TwinSpace files' object store (S3)
}

// forbidden is what no domain package may depend on, even indirectly.
func forbidden(dep string) bool {
	return adapters[dep] ||
		strings.HasPrefix(dep, "github.com/aws/") ||
		strings.HasPrefix(dep, "github.com/aws/aws-lambda-go")
}

// The domain packages (every shared/ package but the adapters) import neither the AWS SDK
// nor aws-lambda-go nor the HTTP layer, directly or through another package.
func TestDomainImportsNoTransportOrAWS(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "etwin/shared/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	domains := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		if adapters[pkg] {
			continue
		}
		domains++
		for _, dep := range fields[1:] {
			if forbidden(dep) {
				t.Errorf("%s depends on %s", pkg, dep)
			}
		}
	}
	if domains < 15 {
		t.Fatalf("only %d domain packages listed; the test is not looking at the code", domains)
	}
}

// The domain's rules do not depend on the inbound adapter either way round: only
// functions/ and the tools may import shared/api.
func TestOnlyFunctionsAndToolsImportTheAPI(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "etwin/...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg := fields[0]
		if strings.HasPrefix(pkg, "etwin/functions/") || strings.HasPrefix(pkg, "etwin/infra/") {
			continue
		}
		for _, dep := range fields[1:] {
			if dep == "etwin/shared/api" {
				t.Errorf("%s imports etwin/shared/api", pkg)
			}
		}
	}
}

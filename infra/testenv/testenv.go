// Package testenv gives integration and end-to-end tests the local stack: DynamoDB
// Local, the local SES and the local API with the real function binaries.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
//
// Under `make test` (local exec) the stack already runs and its addresses come in
// ETWIN_* variables; under a plain `go test` a private stack for the package (in
// memory, free ports) starts on the first call that needs it (DDB, TableName, NewTable,
// SESURL, ...) and Main stops it after the tests. A test binary that never asks, such
// as a fuzz worker or `go test -run='^$' -fuzz=...` of a fuzz target that decodes
// bytes, starts nothing. The API, which needs the functions built, only starts on the
// first APIURL call.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"etwin/infra/gateway"
	"etwin/infra/lambdabuild"
	"etwin/infra/localstack"
)

// The logical ID of the template's one table.
const tableLogicalID = "Table"

var (
	ddbEndpoint string
	sesURL      string
	s3URL       string
	apiURL      string
	tableName   string
	binDir      string
	ddbClient   *dynamodb.Client

	// Set by Main; the private stack starts at most once, on first use.
	mainRan    bool
	stackOnce  sync.Once
	stackErr   error
	stack      *localstack.Stack // nil unless a private stack was started
	gatewayMu  sync.Mutex
	gatewayErr error
)

// Main runs the package's tests against the local stack and exits with their result.
func Main(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	mainRan = true
	if endpoint := os.Getenv("ETWIN_DDB_ENDPOINT"); endpoint != "" {
		ddbEndpoint = endpoint
		sesURL = os.Getenv("ETWIN_SES_ENDPOINT")
		s3URL = os.Getenv("ETWIN_S3_ENDPOINT")
		apiURL = os.Getenv("ETWIN_API_URL")
		tableName = os.Getenv("ETWIN_TABLE_NAME")
		binDir = os.Getenv("ETWIN_BIN_DIR")
		if tableName == "" {
			tableName = tableLogicalID
		}
		ddbClient = localstack.NewDynamoClient(ddbEndpoint)
		stackOnce.Do(func() {}) // the stack is there: nothing to start
		return m.Run()
	}
	defer func() {
		if stack != nil {
			stack.Stop()
		}
	}()
	return m.Run()
}

// startStack starts the package's private stack (DynamoDB Local and the SES).
func startStack() {
	st, err := localstack.StartStack(context.Background(), localstack.StackOptions{SkipGateway: true})
	if err != nil {
		stackErr = err
		return
	}
	stack = st
	ddbEndpoint = st.Dynamo.URL
	sesURL = st.SES.URL
	s3URL = st.S3.URL
	tableName = st.TableName(tableLogicalID)
	ddbClient = st.DDB
}

// mustHaveStack starts the private stack on first use; a failure panics with the
// reason (every later call panics the same way).
func mustHaveStack() {
	if !mainRan {
		panic("testenv: no local stack: call testenv.Main(m) from TestMain")
	}
	stackOnce.Do(startStack)
	if stackErr != nil {
		panic("testenv: starting the local stack: " + stackErr.Error())
	}
}

// DDB is a DynamoDB client for the local DynamoDB.
func DDB() *dynamodb.Client { mustHaveStack(); return ddbClient }

// DDBEndpoint is the local DynamoDB's URL.
func DDBEndpoint() string { mustHaveStack(); return ddbEndpoint }

// SESURL is the local SES's URL (its captured mail as JSON at /store).
func SESURL() string { mustHaveStack(); return sesURL }

// S3URL is the local S3's URL (path-style; its buckets are the template's, see FilesBucket).
func S3URL() string { mustHaveStack(); return s3URL }

// FilesBucket is the local name of the template's FilesBucket.
func FilesBucket() string { return gateway.BucketName("FilesBucket") }

// TableName is the name of the template's Table in the local DynamoDB, shared by
// every test of the run; NewTable gives a test its own.
func TableName() string { mustHaveStack(); return tableName }

// BinDir is where the function binaries are, <BinDir>/<folder>/bootstrap ("" until
// the API runs when Main started the stack itself; then <root>/.local/bin, as make
// build writes it).
func BinDir() string { mustHaveStack(); return binDir }

// APIURL is the local API's base URL, e.g. http://127.0.0.1:3000 (no trailing
// slash). When Main started the stack itself, the first call rebuilds the stale
// function binaries and starts the API; a failure there panics with the reason.
func APIURL() string {
	mustHaveStack()
	gatewayMu.Lock()
	defer gatewayMu.Unlock()
	if apiURL == "" && gatewayErr == nil && stack != nil {
		gatewayErr = startGateway()
	}
	if gatewayErr != nil {
		panic("testenv: starting the local API: " + gatewayErr.Error())
	}
	return apiURL
}

func startGateway() error {
	// The binaries of `make build`, brought up to date first (cheap when they are), so
	// a plain `go test` of the end-to-end tests never runs stale ones.
	bin := filepath.Join(stack.Root, ".local", "bin")
	pkgs, err := lambdabuild.Packages(stack.Root)
	if err != nil {
		return err
	}
	stale, err := lambdabuild.Update(context.Background(), stack.Root, bin, pkgs)
	if err != nil {
		return err
	}
	if len(stale) > 0 {
		fmt.Fprintf(os.Stderr, "testenv: rebuilt %d stale function binaries in %s\n", len(stale), bin)
	}
	err = stack.StartGateway(localstack.GatewayOptions{BinDir: bin, FunctionLog: os.Stderr, TimeoutScale: TimeoutScale})
	if err != nil {
		return err
	}
	binDir = bin
	apiURL = stack.APIURL
	return nil
}

// TimeoutScale is how much longer than the template says functions may run on the
// test stacks (local exec uses the same): tests on a loaded machine must not fail on
// AWS's time limits, only on wrong answers.
const TimeoutScale = 3

// BuildFunctions builds every functions/<folder> that holds Go code into
// <binDir>/<folder>/bootstrap for this machine, as `make build` does.
func BuildFunctions(root, binDir string) error {
	pkgs, err := lambdabuild.Packages(root)
	if err != nil {
		return err
	}
	return lambdabuild.Build(context.Background(), root, binDir, nil, pkgs)
}

var (
	specOnce sync.Once
	spec     localstack.TableSpec
	specErr  error
)

var unsafeTableChars = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// NewTable creates a fresh copy of the template's Table under a unique name, for a
// test that wants isolation, and deletes it when the test ends. It returns the name.
func NewTable(t testing.TB) string {
	t.Helper()
	mustHaveStack()
	specOnce.Do(func() {
		root, err := localstack.FindRoot()
		if err != nil {
			specErr = err
			return
		}
		specs, err := localstack.ReadTables(filepath.Join(root, "template.yaml"))
		if err != nil {
			specErr = err
			return
		}
		for _, s := range specs {
			if s.LogicalID == tableLogicalID {
				spec = s
				return
			}
		}
		specErr = fmt.Errorf("template.yaml has no %s table", tableLogicalID)
	})
	if specErr != nil {
		t.Fatal("testenv:", specErr)
	}
	name := unsafeTableChars.ReplaceAllString(t.Name(), "_")
	if len(name) > 200 {
		name = name[:200]
	}
	b := make([]byte, 4)
	rand.Read(b)
	name = "t_" + name + "_" + hex.EncodeToString(b)

	// Without the template's stream: nothing reads a private table's stream (the
	// mail-sender follows the shared table's), and DynamoDB Local keeps every stream record,
	// of deleted tables too, getting slower with each (a whole make test spent minutes so).
	private := spec
	private.Create.StreamSpecification = nil
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := localstack.CreateTable(ctx, ddbClient, private, name); err != nil {
		t.Fatal("testenv:", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ddbClient.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String(name)})
	})
	return name
}

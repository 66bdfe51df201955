package gateway

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

const realTemplate = "../../template.yaml"

var localParameters = map[string]string{"CursorSigningKey": strings.Repeat("k", 32), "ConfirmUrl": "http://127.0.0.1:3000"}

func TestRealTemplate(t *testing.T) {
	tmpl, err := LoadTemplate(realTemplate, TemplateOptions{Parameters: localParameters})
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Functions) == 0 {
		t.Fatal("no functions")
	}
	if len(tmpl.Tables) == 0 {
		t.Error("no tables")
	}
	routes := map[string]string{}
	for _, f := range tmpl.Functions {
		if !strings.HasPrefix(f.CodeURI, "functions/") || strings.Count(f.CodeURI, "/") != 1 {
			t.Errorf("%s: CodeUri %q is not functions/<folder>", f.LogicalID, f.CodeURI)
		}
		// The Makefile's sam build rule build-%Function turns the logical ID into the
		// folder by CamelCase → kebab-case; the two must agree.
		if want := kebab(strings.TrimSuffix(f.LogicalID, "Function")); f.Folder != want || !strings.HasSuffix(f.LogicalID, "Function") {
			t.Errorf("%s: folder %q, the Makefile expects %q (logical IDs end in Function)", f.LogicalID, f.Folder, want)
		}
		if len(f.Routes) == 0 && len(f.Schedules) == 0 && len(f.StreamSources) == 0 && len(f.Topics) == 0 {
			t.Errorf("%s: no HttpApi, schedule, DynamoDB or SNS event", f.LogicalID)
		}
		// API routes answer within API Gateway's 30 s; scheduled jobs may use Lambda's 15 min.
		maxTimeout := 30 * time.Second
		if len(f.Routes) == 0 {
			maxTimeout = 15 * time.Minute
		}
		if f.Timeout <= 0 || f.Timeout > maxTimeout || f.MemoryMB < 128 {
			t.Errorf("%s: timeout %s, memory %d", f.LogicalID, f.Timeout, f.MemoryMB)
		}
		for _, r := range f.Routes {
			if other, dup := routes[r.RouteKey()]; dup {
				t.Errorf("route %s in %s and %s", r.RouteKey(), other, f.LogicalID)
			}
			routes[r.RouteKey()] = f.LogicalID
			// The API is under /v1; only the pages people open from e-mails are not.
			if !strings.HasPrefix(r.Path, "/v1/") && !strings.HasPrefix(r.Path, "/confirm/") && !strings.HasPrefix(r.Path, "/unsubscribe/") {
				t.Errorf("%s: route %s outside /v1 and the e-mailed pages", f.LogicalID, r.RouteKey())
			}
		}
	}
	// What Globals.Function gives every function (tables map to their logical ID
	// when no TableName mapping is given).
	for _, f := range tmpl.Functions {
		if f.Env["TABLE_NAME"] != "Table" {
			t.Errorf("%s: TABLE_NAME = %q", f.LogicalID, f.Env["TABLE_NAME"])
		}
	}
	// The stream event sources read a table with a stream and report what they give
	// up to a queue of the template; the outbox sender's filter takes the outbox
	// INSERTs and nothing else.
	for _, f := range tmpl.Functions {
		for _, src := range f.StreamSources {
			if tmpl.TableStreams[src.Table] == "" || src.OnFailure == "" || src.MaximumRetryAttempts < 0 {
				t.Errorf("%s/%s: table %s (stream %q), on failure %q, %d retries", f.LogicalID, src.Name,
					src.Table, tmpl.TableStreams[src.Table], src.OnFailure, src.MaximumRetryAttempts)
			}
		}
	}
	if mail := tmpl.FunctionByName("MailSenderFunction"); mail != nil {
		if len(mail.StreamSources) != 1 || len(mail.StreamSources[0].Filters) == 0 {
			t.Fatalf("MailSenderFunction: stream sources %+v", mail.StreamSources)
		}
		outbox := `{"eventName":"INSERT","dynamodb":{"NewImage":{"kind":{"S":"outbox"}}}}`
		others := []string{
			`{"eventName":"MODIFY","dynamodb":{"NewImage":{"kind":{"S":"outbox"}}}}`,
			`{"eventName":"INSERT","dynamodb":{"NewImage":{"kind":{"S":"school"}}}}`,
			`{"eventName":"REMOVE","dynamodb":{"Keys":{"PK":{"S":"x"}}}}`,
		}
		src := mail.StreamSources[0]
		if !matchAny(src.Filters, []byte(outbox)) {
			t.Errorf("MailSenderFunction's filter does not take an outbox INSERT")
		}
		for _, rec := range others {
			if matchAny(src.Filters, []byte(rec)) {
				t.Errorf("MailSenderFunction's filter takes %s", rec)
			}
		}
	}
	if tmpl.Cors == nil || len(tmpl.Cors.AllowOrigins) == 0 {
		t.Errorf("CORS %+v", tmpl.Cors)
	}
	// The template throttles every route (DefaultRouteSettings), and so does the
	// local gateway.
	for key := range routes {
		if th, ok := tmpl.Throttles[key]; !ok || th.BurstLimit <= 0 || th.RateLimit <= 0 {
			t.Errorf("route %s: throttle %+v, %v", key, th, ok)
		}
	}
}

// Every template function has its folder under functions/ and every folder there is
// a template function. Skipped while functions/ holds no function yet.
func TestFunctionFolders(t *testing.T) {
	tmpl, err := LoadTemplate(realTemplate, TemplateOptions{Parameters: localParameters})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir("../../functions")
	folders := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			folders[e.Name()] = true
		}
	}
	if len(folders) == 0 {
		t.Fatal("functions/ has no function folder")
	}
	inTemplate := map[string]bool{}
	for _, f := range tmpl.Functions {
		inTemplate[f.Folder] = true
		if !folders[f.Folder] {
			t.Errorf("%s: no folder functions/%s", f.LogicalID, f.Folder)
		}
	}
	for folder := range folders {
		if !inTemplate[folder] {
			t.Errorf("functions/%s is not a function of template.yaml", folder)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	// The test template's EchoFunction needs Secret, which has no Default.
	_, err := LoadTemplate("testdata/template.yaml", TemplateOptions{Parameters: map[string]string{"P": "x"}})
	if err == nil || !strings.Contains(err.Error(), "EchoFunction") || !strings.Contains(err.Error(), "SECRET") ||
		!strings.Contains(err.Error(), "Secret") {
		t.Errorf("missing parameter: %v", err)
	}

	cases := map[string]string{
		"!GetAtt":          `V: !GetAtt Table.Arn`,
		`no condition "C"`: `V: !If [C, a, b]`,
		"!GetAtt cannot":   `V: !If [Yes, !GetAtt Table.Arn, b]`,
		"NoSuchThing":      `V: !Ref NoSuchThing`,
		"Table.Arn":        `V: !Sub "${Table.Arn}/x"`,
		"AWS::SQS::Queue":  `V: !Ref Queue`,
	}
	for want, env := range cases {
		path := filepath.Join(t.TempDir(), "template.yaml")
		text := `
Conditions:
  Yes: !Equals [a, a]
Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Queue: {Type: AWS::SQS::Queue}
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/f
      Environment:
        Variables:
          ` + env + "\n"
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := LoadTemplate(path, TemplateOptions{})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "function F") {
			t.Errorf("%s: error %v", env, err)
		}
	}
}

func TestTemplateGlobalsMerge(t *testing.T) {
	tmpl, err := LoadTemplate("testdata/template.yaml", TemplateOptions{Parameters: map[string]string{"Secret": "s"}})
	if err != nil {
		t.Fatal(err)
	}
	echo := tmpl.FunctionByName("EchoFunction")
	slow := tmpl.FunctionByName("SlowFunction")
	if echo.Env["PARAM"] != "default-p" || echo.Env["TABLE_NAME"] != "Table" || echo.Env["SECRET"] != "s" {
		t.Errorf("echo env %v", echo.Env)
	}
	if _, ok := slow.Env["SUBBED"]; ok || slow.Env["SECRET"] != "x" || slow.Env["PARAM"] != "default-p" {
		t.Errorf("slow env %v", slow.Env)
	}
	if echo.Timeout != 5*time.Second || slow.Timeout != time.Second || echo.MemoryMB != 256 || slow.MemoryMB != 512 {
		t.Errorf("timeouts %s %s, memory %d %d", echo.Timeout, slow.Timeout, echo.MemoryMB, slow.MemoryMB)
	}
	if len(echo.Routes) != 4 || echo.Routes[3].RouteKey() != "ANY /v1/files/{path+}" {
		t.Errorf("routes %+v", echo.Routes)
	}
}

// A route's throttling limits are each taken from the most specific place that sets
// them: the HttpApi event's RouteSettings, the HttpApi's RouteSettings for the route
// key, DefaultRouteSettings; one that nothing sets is the account-level quota.
func TestTemplateThrottles(t *testing.T) {
	tmpl, err := LoadTemplate("testdata/throttle.yaml", TemplateOptions{Parameters: map[string]string{"Rate": "1.5"}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Throttle{
		"GET /v1/a":           {BurstLimit: 2, RateLimit: 1.5}, // !Ref Rate, overridden
		"GET /v1/b":           {BurstLimit: 2, RateLimit: 1.5},
		"GET /v1/slow-refill": {BurstLimit: 1, RateLimit: 0.5},
		"GET /v1/closed":      {BurstLimit: 0, RateLimit: 0},
		"GET /v1/big-burst":   {BurstLimit: 4, RateLimit: 1.5},
		"GET /v1/event":       {BurstLimit: 3, RateLimit: 1.5},
	}
	if len(tmpl.Throttles) != len(want) {
		t.Errorf("throttles %+v", tmpl.Throttles)
	}
	for key, w := range want {
		if got := tmpl.Throttles[key]; got != w {
			t.Errorf("%s: %+v, want %+v", key, got, w)
		}
	}

	// No throttling anywhere: no throttles. Only a rate: the account's burst.
	// Globals.HttpApi serves the implicit API.
	cases := map[string]map[string]Throttle{
		"": {},
		"DefaultRouteSettings: {ThrottlingRateLimit: 7}":  {"GET /x": {BurstLimit: accountBurstLimit, RateLimit: 7}},
		"DefaultRouteSettings: {ThrottlingBurstLimit: 7}": {"GET /x": {BurstLimit: 7, RateLimit: accountRateLimit}},
	}
	for api, want := range cases {
		path := filepath.Join(t.TempDir(), "template.yaml")
		text := "Globals:\n  HttpApi:\n    " + api + `
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/f
      Events:
        X: {Type: HttpApi, Properties: {Method: GET, Path: /x}}
`
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		tmpl, err := LoadTemplate(path, TemplateOptions{})
		if err != nil {
			t.Fatalf("%q: %v", api, err)
		}
		if len(tmpl.Throttles) != len(want) || tmpl.Throttles["GET /x"] != want["GET /x"] {
			t.Errorf("%q: throttles %+v, want %+v", api, tmpl.Throttles, want)
		}
	}

	// Settings that cannot be: a route no function serves, a negative or non-numeric limit.
	bad := map[string]string{
		`RouteSettings: {"GET /nope": {ThrottlingBurstLimit: 1}}`: `"GET /nope"`,
		`DefaultRouteSettings: {ThrottlingBurstLimit: -1}`:        "ThrottlingBurstLimit",
		`DefaultRouteSettings: {ThrottlingRateLimit: fast}`:       "ThrottlingRateLimit",
	}
	for api, want := range bad {
		path := filepath.Join(t.TempDir(), "template.yaml")
		text := "Globals:\n  HttpApi:\n    " + api + `
Resources:
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/f
      Events:
        X: {Type: HttpApi, Properties: {Method: GET, Path: /x}}
`
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadTemplate(path, TemplateOptions{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v", api, err)
		}
	}
}

var camelBoundary = regexp.MustCompile(`([a-z0-9])([A-Z])`)

// kebab is the Makefile's CamelCase → kebab-case rule.
func kebab(s string) string {
	return strings.ToLower(camelBoundary.ReplaceAllString(s, "$1-$2"))
}

// !If resolves only its chosen branch, by the template's Conditions over parameters.
func TestTemplateIf(t *testing.T) {
	path := filepath.Join(t.TempDir(), "template.yaml")
	text := `
Parameters:
  Url: {Type: String, Default: ""}
Conditions:
  UrlGiven: !Not [!Equals [!Ref Url, ""]]
  Both: !And [!Condition UrlGiven, !Or [!Equals [a, b], !Equals [c, c]]]
Resources:
  HttpApi: {Type: AWS::Serverless::HttpApi}
  F:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/f
      Environment:
        Variables:
          V: !If [UrlGiven, !Ref Url, !Sub "https://${HttpApi}.example"]
          W: !If [Both, yes, no]
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl, err := LoadTemplate(path, TemplateOptions{Parameters: map[string]string{"Url": "http://127.0.0.1:3000"}})
	if err != nil {
		t.Fatal(err)
	}
	if env := tmpl.Functions[0].Env; env["V"] != "http://127.0.0.1:3000" || env["W"] != "yes" {
		t.Errorf("env %v", env)
	}
	// Without the parameter the other branch is taken, and it cannot be resolved here.
	if _, err := LoadTemplate(path, TemplateOptions{}); err == nil || !strings.Contains(err.Error(), "HttpApi") {
		t.Errorf("the other branch: %v", err)
	}
}

package apicontract

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"

	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/apperr"
	"etwin/shared/httpapi"
	"etwin/shared/registration"
)

// templateFunction is an AWS::Serverless::Function of template.yaml.
type templateFunction struct {
	Resource string   // logical id
	Folder   string   // the folder under functions/ (from CodeUri)
	CodeURI  string   // as written
	Routes   []string // its HttpApi events as "METHOD /path"
	Props    *yaml.Node
}

// child returns the value of key in a mapping node (nil when absent).
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// scalar returns a plain (untagged) scalar's value; "" for tagged values such as !Ref,
// which a CodeUri, Method or Path must not be.
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "!!str" && n.Tag != "") {
		return ""
	}
	return n.Value
}

// loadTemplate parses template.yaml (its CloudFormation tags stay on the nodes).
func loadTemplate(t *testing.T, root string) []templateFunction {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("template.yaml: %v", err)
	}
	resources := child(&doc, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		t.Fatal("template.yaml has no Resources mapping")
	}
	var out []templateFunction
	for i := 0; i+1 < len(resources.Content); i += 2 {
		name, res := resources.Content[i].Value, resources.Content[i+1]
		if scalar(child(res, "Type")) != "AWS::Serverless::Function" {
			continue
		}
		props := child(res, "Properties")
		fn := templateFunction{Resource: name, CodeURI: scalar(child(props, "CodeUri"))}
		folder, ok := strings.CutPrefix(strings.TrimSuffix(fn.CodeURI, "/"), "functions/")
		if !ok || folder == "" || strings.Contains(folder, "/") {
			t.Errorf("%s: CodeUri %q is not functions/<folder>", name, fn.CodeURI)
		}
		fn.Folder = folder
		fn.Props = props
		events := child(props, "Events")
		if events != nil && events.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(events.Content); j += 2 {
				ev := events.Content[j+1]
				if scalar(child(ev, "Type")) != "HttpApi" {
					continue
				}
				ep := child(ev, "Properties")
				method, path := strings.ToUpper(scalar(child(ep, "Method"))), scalar(child(ep, "Path"))
				if method == "" || path == "" {
					t.Errorf("%s: HttpApi event %s has no plain Method and Path", name, events.Content[j].Value)
					continue
				}
				fn.Routes = append(fn.Routes, method+" "+path)
			}
		}
		out = append(out, fn)
	}
	if len(out) == 0 {
		t.Fatal("template.yaml declares no AWS::Serverless::Function")
	}
	return out
}

type fixture struct {
	root      string
	contract  *Contract
	functions []templateFunction
	byRoute   map[string]templateFunction // template route key → function serving it
}

func setup(t *testing.T) fixture {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	f := fixture{root: root, contract: c, functions: loadTemplate(t, root), byRoute: map[string]templateFunction{}}
	for _, fn := range f.functions {
		for _, r := range fn.Routes {
			if other, dup := f.byRoute[r]; dup {
				t.Errorf("route %s is served by both %s and %s", r, other.Resource, fn.Resource)
			}
			f.byRoute[r] = fn
		}
	}
	return f
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// (a) every function folder is a template function and the reverse.
func TestFunctionFoldersMatchTemplate(t *testing.T) {
	f := setup(t)
	entries, err := os.ReadDir(filepath.Join(f.root, "functions"))
	if err != nil {
		t.Fatal(err)
	}
	folders := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			folders[e.Name()] = true
		}
	}
	inTemplate := map[string]string{}
	for _, fn := range f.functions {
		if other, dup := inTemplate[fn.Folder]; dup {
			t.Errorf("functions/%s is the CodeUri of both %s and %s", fn.Folder, other, fn.Resource)
		}
		inTemplate[fn.Folder] = fn.Resource
	}
	for _, folder := range keys(folders) {
		if _, ok := inTemplate[folder]; !ok {
			t.Errorf("functions/%s has no function in template.yaml", folder)
		}
	}
	for _, folder := range keys(inTemplate) {
		if !folders[folder] {
			t.Errorf("template function %s has CodeUri functions/%s, which is not a folder", inTemplate[folder], folder)
		}
	}
}

// (b) every OpenAPI route is an HttpApi route of the template and the reverse.
func TestRoutesMatchTemplate(t *testing.T) {
	f := setup(t)
	documented := map[string]bool{}
	for _, r := range f.contract.Routes() {
		documented[r] = true
		if _, ok := f.byRoute[r]; !ok {
			t.Errorf("%s is in %s but no template function serves it", r, SpecPath)
		}
	}
	for _, r := range keys(f.byRoute) {
		if !documented[r] {
			t.Errorf("%s (template function %s) is missing from %s", r, f.byRoute[r].Resource, SpecPath)
		}
	}
	if len(documented) == 0 {
		t.Fatal("no routes documented")
	}
}

// (c) every operationId is the folder of the function serving the route.
func TestOperationIDsNameFunctionFolders(t *testing.T) {
	f := setup(t)
	seen := map[string]string{}
	for _, r := range f.contract.Routes() {
		method, path, _ := strings.Cut(r, " ")
		op := f.contract.Doc.Paths.Value(path).GetOperation(method)
		if other, dup := seen[op.OperationID]; dup {
			t.Errorf("operationId %q is used by both %s and %s", op.OperationID, other, r)
		}
		seen[op.OperationID] = r
		fn, ok := f.byRoute[r]
		if !ok {
			continue // reported by TestRoutesMatchTemplate
		}
		if want := fn.Folder + map[bool]string{true: "-head"}[method == "HEAD"]; op.OperationID != want {
			t.Errorf("%s: operationId %q, but functions/%s serves it", r, op.OperationID, fn.Folder)
		}
	}
}

// served is the api route a function's main.go serves: main.go must be
// lambdarun.Serve(api.<Name>) (lambdarun.ServePublic for a Public route, ServeIdentified
// for one that also identifies a signed-in caller), where <Name> is the folder's name in CamelCase and the route's
// Function is the folder.
func served(t *testing.T, root, folder string) (app.Route, bool) {
	t.Helper()
	file := filepath.Join(root, "functions", folder, "main.go")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	af, err := parser.ParseFile(token.NewFileSet(), file, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	name, serve := "", ""
	ast.Inspect(af, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && len(call.Args) >= 1 {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "lambdarun" && (sel.Sel.Name == "Serve" || sel.Sel.Name == "ServePublic" || sel.Sel.Name == "ServeIdentified") {
				if arg, ok := call.Args[0].(*ast.SelectorExpr); ok {
					name, serve = arg.Sel.Name, sel.Sel.Name
				}
			}
		}
		return true
	})
	for _, r := range api.Routes() {
		if r.Function == folder {
			if kebab(name) != folder {
				t.Errorf("functions/%s/main.go serves api.%s, not the route of its folder", folder, name)
			}
			want := map[bool]string{true: "ServePublic", false: "Serve"}[r.Public]
			if r.Identify {
				want = "ServeIdentified"
			}
			if serve != want {
				t.Errorf("functions/%s/main.go calls lambdarun.%s; its route (Public=%v) needs lambdarun.%s", folder, serve, r.Public, want)
			}
			return r, true
		}
	}
	return app.Route{}, false
}

// kebab is a Go name as a function folder: ProjectNSODecision → project-nso-decision.
func kebab(name string) string {
	var b strings.Builder
	rs := []rune(name)
	for i, r := range rs {
		upper := unicode.IsUpper(r)
		if i > 0 && upper && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]))) {
			b.WriteByte('-')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// (d) public operations (no security requirement) are exactly the functions that start
// api routes marked Public; the others require bearerAuth.
func TestRouteProtection(t *testing.T) {
	f := setup(t)
	if f.contract.Doc.Components == nil || f.contract.Doc.Components.SecuritySchemes["bearerAuth"] == nil {
		t.Fatal("components.securitySchemes.bearerAuth is missing")
	}
	for _, r := range f.contract.Routes() {
		fn, ok := f.byRoute[r]
		if !ok {
			continue // reported by TestRoutesMatchTemplate
		}
		method, path, _ := strings.Cut(r, " ")
		op := f.contract.Doc.Paths.Value(path).GetOperation(method)
		reqs := f.contract.Doc.Security
		if op.Security != nil {
			reqs = *op.Security
		}
		docPublic := len(reqs) == 0 || slices.ContainsFunc(reqs, func(req openapi3.SecurityRequirement) bool { return len(req) == 0 })
		route, ok := served(t, f.root, fn.Folder)
		switch {
		case !ok:
			t.Errorf("functions/%s (%s) serves no route of api.Routes()", fn.Folder, r)
		case docPublic && !route.Public:
			t.Errorf("%s has no security requirement in %s, but the api route of functions/%s is not Public", r, SpecPath, fn.Folder)
		case !docPublic && route.Public:
			t.Errorf("%s requires %v in %s, but the api route of functions/%s is Public", r, reqs, SpecPath, fn.Folder)
		case !docPublic && !slices.ContainsFunc(reqs, func(req openapi3.SecurityRequirement) bool { _, ok := req["bearerAuth"]; return ok }):
			t.Errorf("%s is protected but does not require bearerAuth", r)
		}
		if ok && !route.Public && op.Responses.Status(http.StatusUnauthorized) == nil {
			t.Errorf("%s is protected but documents no 401", r)
		}
	}
}

// (e) CheckResponse accepts correct answers and refuses wrong ones.
func TestCheckResponse(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	jsonCT := http.Header{"Content-Type": {"application/json"}}
	problemCT := http.Header{"Content-Type": {"application/problem+json"}}
	cases := []struct {
		name         string
		method, path string
		status       int
		header       http.Header
		body         string
		ok           bool
	}{
		{"login", "POST", "/v1/sessions", 201, jsonCT,
			`{"token":"m-1.abc","expiresAt":"2026-11-22T20:00:00Z","memberId":"m-1"}`, true},
		{"login without token", "POST", "/v1/sessions", 201, jsonCT,
			`{"expiresAt":"2026-11-22T20:00:00Z","memberId":"m-1"}`, false},
		{"login with an undocumented field", "POST", "/v1/sessions", 201, jsonCT,
			`{"token":"m-1.abc","expiresAt":"2026-11-22T20:00:00Z","memberId":"m-1","password":"x"}`, false},
		{"login, token of the wrong type", "POST", "/v1/sessions", 201, jsonCT,
			`{"token":5,"expiresAt":"2026-11-22T20:00:00Z","memberId":"m-1"}`, false},
		{"login as problem", "POST", "/v1/sessions", 401, problemCT,
			`{"type":"https://etwinning.local/problems/unauthorized","title":"Unauthorized","status":401,"detail":"The username or password is wrong."}`, true},
		{"problem without status", "POST", "/v1/sessions", 401, problemCT,
			`{"type":"https://etwinning.local/problems/unauthorized","title":"Unauthorized"}`, false},
		{"problem as plain JSON", "POST", "/v1/sessions", 422, jsonCT,
			`{"type":"x","title":"Unprocessable Entity","status":422}`, false},
		{"undocumented status", "POST", "/v1/sessions", 418, problemCT,
			`{"type":"x","title":"I'm a teapot","status":418}`, false},
		{"server error is not in the contract", "GET", "/v1/me", 500, problemCT,
			`{"type":"about:blank","title":"Internal Server Error","status":500}`, false},
		{"unknown route", "GET", "/v1/nowhere", 200, jsonCT, `{}`, false},
		{"wrong method", "PUT", "/v1/sessions", 200, jsonCT, `{}`, false},
		{"logout", "DELETE", "/v1/sessions/current", 204, http.Header{}, ``, true},
		{"logout with a body", "DELETE", "/v1/sessions/current", 204, jsonCT, `{"ok":true}`, false},
		{"gateway 401", "GET", "/v1/me", 401, jsonCT, `{"message":"Unauthorized"}`, true},
		{"path parameter", "GET", "/v1/schools/s-1", 200, jsonCT,
			`{"schoolId":"s-1","name":"Școala 1","country":"RO","city":"Iași","address":"Str. 1","postalCode":"700125",
			"schoolType":"primary","phone":"0232000000","email":"s@example.org","headTeacher":"H","pupils":3,
			"registeredAt":"2026-01-02T03:04:05Z"}`, true},
		{"school without pupils", "GET", "/v1/schools/s-1", 200, jsonCT,
			`{"schoolId":"s-1","name":"Școala 1","country":"RO","city":"Iași","address":"Str. 1","postalCode":"700125",
			"schoolType":"primary","phone":"0232000000","email":"s@example.org","headTeacher":"H",
			"registeredAt":"2026-01-02T03:04:05Z"}`, false},
		{"last page", "GET", "/v1/schools", 200, jsonCT, `{"items":[{"schoolId":"s-1","name":"A","country":"RO","city":"B"}]}`, true},
		{"page with a cursor", "GET", "/v1/schools", 200, jsonCT, `{"items":[],"nextCursor":"abc"}`, true},
		{"page without items", "GET", "/v1/schools", 200, jsonCT, `{"nextCursor":"abc"}`, false},
		{"pre-registration", "POST", "/v1/registrations", 202, jsonCT, `{"status":"pending"}`, true},
		{"pre-registration, other status", "POST", "/v1/registrations", 202, jsonCT, `{"status":"done"}`, false},
		{"own account of a staff member", "GET", "/v1/me", 200, jsonCT,
			`{"memberId":"m-1","username":"css.1","firstName":"A","lastName":"B","email":"a@example.org","language":"en",
			"role":"css","profile":null,"schools":[],"preferences":{"emailNotifications":true,"hiddenFields":[],"mutedEmailKinds":[]}}`, true},
		{"own account, unknown role", "GET", "/v1/me", 200, jsonCT,
			`{"memberId":"m-1","username":"x.1","firstName":"A","lastName":"B","email":"a@example.org","language":"en",
			"role":"wizard","profile":null,"schools":[],"preferences":{"emailNotifications":true,"hiddenFields":[],"mutedEmailKinds":[]}}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := c.CheckResponse(tc.method, tc.path, tc.status, tc.header, []byte(tc.body))
			if tc.ok && err != nil {
				t.Errorf("refused a correct answer: %v", err)
			}
			if !tc.ok {
				if err == nil {
					t.Errorf("accepted a wrong answer")
				} else {
					t.Logf("refused as expected: %v", err)
				}
			}
		})
	}
}

// The answers the shared code builds (no servers needed) match the contract.
func TestRealAnswersMatch(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	check := func(name, method, path string, resp httpapi.Response) {
		t.Helper()
		h := http.Header{}
		for k, v := range resp.Headers {
			h.Set(k, v)
		}
		if err := c.CheckResponse(method, path, resp.StatusCode, h, []byte(resp.Body)); err != nil {
			t.Errorf("%s: %v\n%.400s", name, err, resp.Body)
		}
	}
	resp, err := api.Vocabularies.Handler(nil)(context.Background(), &httpapi.Request{})
	if err != nil {
		t.Fatal(err)
	}
	check("vocabularies", "GET", "/v1/vocabularies", resp)

	check("invalid", "POST", "/v1/registrations", httpapi.ProblemResponse(apperr.Invalid(apperr.FieldError{Field: "language", Message: "required"})))
	check("bad request", "POST", "/v1/me/schools", httpapi.ProblemResponse(apperr.BadRequest("x", apperr.FieldError{Field: "surprise", Message: "unknown field"})))
	check("duplicate school", "POST", "/v1/registrations/abc/complete", httpapi.ProblemResponse(registration.DuplicateSchool("s-1")))
	check("unauthorized", "GET", "/v1/me", httpapi.ProblemResponse(apperr.NoSession()))
	check("gone", "GET", "/v1/registrations/abc", httpapi.ProblemResponse(apperr.Gone("spent")))
	check("too large", "PATCH", "/v1/me", httpapi.ProblemResponse(apperr.TooLarge("big")))
	check("unsupported", "POST", "/v1/password-resets/abc", httpapi.ProblemResponse(apperr.Unsupported("text")))
	check("unavailable", "POST", "/v1/password-resets", httpapi.ProblemResponse(apperr.Unavailable("mail")))
	resp, _ = httpapi.NoContent()
	check("logout", "DELETE", "/v1/sessions/current", resp)
	resp, _ = httpapi.JSON(http.StatusAccepted, map[string]string{"status": "pending"})
	check("pre-registration", "POST", "/v1/registrations", resp)
	resp, _ = httpapi.JSON(http.StatusCreated, registration.Completed{MemberID: "m-1", SchoolID: "s-1"})
	check("registration completed", "POST", "/v1/registrations/abc/complete", resp)
}

func TestRoutesListsEveryOperation(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	routes := c.Routes()
	if !slices.IsSorted(routes) {
		t.Errorf("Routes() is not sorted: %v", routes)
	}
	for _, want := range []string{"POST /v1/registrations", "GET /v1/schools/{schoolId}", "DELETE /v1/sessions/current"} {
		if !slices.Contains(routes, want) {
			t.Errorf("Routes() lacks %s: %v", want, routes)
		}
	}
	for _, r := range routes {
		method, path, _ := strings.Cut(r, " ")
		op := c.Doc.Paths.Value(path).GetOperation(method)
		if op == nil || op.OperationID == "" {
			t.Errorf("%s has no operationId", r)
		}
	}
}

// Every write route honours Idempotency-Key (the chain of app.Route has httpapi.Idempotency)
// and documents it. (That its role may keep the key records is TestLeastPrivilege's.)
// A route that opts out (NoReplay) does not.
func TestWriteRoutesDocumentIdempotencyKeys(t *testing.T) {
	f := setup(t)
	for _, fn := range f.functions {
		writes := slices.ContainsFunc(fn.Routes, func(r string) bool { return !strings.HasPrefix(r, "GET ") && !strings.HasPrefix(r, "HEAD ") })
		if !writes {
			continue
		}
		if route, ok := served(t, f.root, fn.Folder); ok && route.NoReplay {
			continue
		}
		for _, r := range fn.Routes {
			method, path, _ := strings.Cut(r, " ")
			op := f.contract.Doc.Paths.Value(path).GetOperation(method)
			if op == nil {
				continue // reported by TestRoutesMatchTemplate
			}
			if !slices.ContainsFunc(op.Parameters, func(p *openapi3.ParameterRef) bool {
				return p.Value != nil && p.Value.In == "header" && p.Value.Name == "Idempotency-Key"
			}) {
				t.Errorf("%s does not document the Idempotency-Key header in %s", r, SpecPath)
			}
			for _, code := range []int{409, 422} {
				if op.Responses.Status(code) == nil {
					t.Errorf("%s does not document %d (Idempotency-Key in flight / reused) in %s", r, code, SpecPath)
				}
			}
		}
	}
}

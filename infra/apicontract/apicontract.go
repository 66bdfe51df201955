// Package apicontract loads the OpenAPI description of the HTTP API (docs/openapi.yaml)
// and checks real HTTP answers against it. It is a test helper: the end-to-end tests pass
// every response they get through (*Contract).CheckResponse, and the package's own tests
// keep the OpenAPI file, template.yaml and the functions/ folders in step.
package apicontract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// SpecPath is where the OpenAPI file lives, relative to the repository root.
const SpecPath = "docs/openapi.yaml"

// Contract is a loaded and validated OpenAPI document with a router over its paths.
type Contract struct {
	// Doc is the parsed document (read it, do not modify it).
	Doc *openapi3.T
	// File is the absolute path of the file Doc was loaded from.
	File string

	router routers.Router
	base   *url.URL // the first server, variables at their defaults
	mu     sync.Mutex
}

// Load finds the repository root (the nearest directory holding go.mod, walking up from
// the working directory, then from this source file) and loads docs/openapi.yaml there.
func Load() (*Contract, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	return LoadFile(filepath.Join(root, filepath.FromSlash(SpecPath)))
}

// The pages for people (confirmation and unsubscribe pages) answer text/html, and the
// events' calendar feed text/calendar, which the contract describes as strings.
func init() {
	openapi3filter.RegisterBodyDecoder("text/html", openapi3filter.PlainBodyDecoder)
	openapi3filter.RegisterBodyDecoder("text/calendar", openapi3filter.PlainBodyDecoder)
}

// LoadFile loads and validates an OpenAPI file.
func LoadFile(path string) (*Contract, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromFile(abs)
	if err != nil {
		return nil, fmt.Errorf("apicontract: loading %s: %w", abs, err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("apicontract: %s is not a valid OpenAPI document: %w", abs, err)
	}
	if len(doc.Servers) == 0 {
		return nil, fmt.Errorf("apicontract: %s declares no servers", abs)
	}
	base, err := serverURL(doc.Servers[0])
	if err != nil {
		return nil, fmt.Errorf("apicontract: %s: %w", abs, err)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apicontract: routing %s: %w", abs, err)
	}
	return &Contract{Doc: doc, File: abs, router: router, base: base}, nil
}

// RepoRoot returns the nearest directory at or above the working directory (or else
// above this source file) that holds a go.mod.
func RepoRoot() (string, error) {
	var starts []string
	if wd, err := os.Getwd(); err == nil {
		starts = append(starts, wd)
	}
	if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
		starts = append(starts, filepath.Dir(file))
	}
	for _, dir := range starts {
		for {
			if st, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil && !st.IsDir() {
				return dir, nil
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				break
			}
			dir = parent
		}
	}
	return "", errors.New("apicontract: no go.mod found above the working directory")
}

// serverURL resolves a server's URL with its variables at their defaults.
func serverURL(s *openapi3.Server) (*url.URL, error) {
	raw := s.URL
	for name, v := range s.Variables {
		raw = strings.ReplaceAll(raw, "{"+name+"}", v.Default)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("server URL %q is not an absolute URL", s.URL)
	}
	return u, nil
}

// Routes lists the documented operations as sorted route keys "METHOD /path", the form
// API Gateway uses (e.g. "GET /v1/schools/{schoolId}").
func (c *Contract) Routes() []string {
	var out []string
	for path, item := range c.Doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, strings.ToUpper(method)+" "+path)
		}
	}
	sort.Strings(out)
	return out
}

// CheckResponse validates a real HTTP answer to method and path (the URL path the request
// was sent to, such as "/v1/schools/s-1", without query) against the operation that serves
// it: the status must be documented for that operation, the Content-Type must be one the
// status declares, and the body must match its schema (and be empty when the status
// declares no content). An undocumented route is an error too.
func (c *Contract) CheckResponse(method, path string, status int, header http.Header, body []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()

	method = strings.ToUpper(method)
	u := *c.base
	u.Path = strings.TrimRight(c.base.Path, "/") + path
	u.RawPath = ""
	req, err := http.NewRequest(method, u.String(), nil)
	if err != nil {
		return fmt.Errorf("apicontract: %s %s: %w", method, path, err)
	}
	route, params, err := c.router.FindRoute(req)
	if err != nil {
		return fmt.Errorf("apicontract: %s %s is not an operation of %s: %w", method, path, SpecPath, err)
	}
	op := route.Operation
	if op.Responses.Status(status) == nil && op.Responses.Default() == nil {
		return fmt.Errorf("apicontract: %s (%s %s) does not document status %d (documented: %s)",
			op.OperationID, method, route.Path, status, strings.Join(documented(op), ", "))
	}
	if header == nil {
		header = http.Header{}
	}
	resp := op.Responses.Status(status)
	if resp == nil {
		resp = op.Responses.Default()
	}
	if len(resp.Value.Content) == 0 && len(bytes.TrimSpace(body)) > 0 {
		return fmt.Errorf("apicontract: %s (%s %s) status %d declares no body, got %d bytes",
			op.OperationID, method, route.Path, status, len(body))
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	opts.WithCustomSchemaErrorFunc(schemaMessage)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Options:                opts,
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("apicontract: %s (%s %s) status %d: %w", op.OperationID, method, route.Path, status, err)
	}
	return nil
}

func documented(op *openapi3.Operation) []string {
	var out []string
	for code := range op.Responses.Map() {
		out = append(out, code)
	}
	sort.Strings(out)
	return out
}

// schemaMessage shortens schema errors to where and what (the body is at hand in a test's
// output; the schema dump kin-openapi adds by default is not).
func schemaMessage(err *openapi3.SchemaError) string {
	if err.Origin != nil {
		return "" // the default: the origin's own message
	}
	msg := err.Reason
	if msg == "" {
		msg = fmt.Sprintf("does not match the schema's %q", err.SchemaField)
	}
	if p := err.JSONPointer(); len(p) > 0 && !strings.Contains(msg, "at '/") {
		msg = fmt.Sprintf("at %q: %s", "/"+strings.Join(p, "/"), msg)
	}
	return msg
}

package gateway

import (
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Template is what the local gateway needs from template.yaml: the functions, their
// environment, routes and schedules, the HTTP API's CORS and throttling settings and
// the table logical IDs. It is read from the template every time; nothing is written
// twice.
type Template struct {
	Functions []*Function // sorted by logical ID
	Tables    []string    // logical IDs of the AWS::DynamoDB::Table resources
	Cors      *Cors       // nil when the HTTP API has no CorsConfiguration
	// Throttles are the throttled routes' limits by route key: for each limit, the
	// route's own RouteSettings (on its HttpApi event, else in the HttpApi's
	// RouteSettings) over the HttpApi's DefaultRouteSettings. A route without an entry
	// sets neither limit and is not throttled locally.
	Throttles map[string]Throttle
	// TableStreams are the stream view types (StreamSpecification.StreamViewType) of
	// the tables that have a stream, by table logical ID.
	TableStreams map[string]string
	// Queues are the logical IDs of the AWS::SQS::Queue resources (the on-failure
	// destinations of stream event sources), sorted.
	Queues []string
}

// Function is one AWS::Serverless::Function with Globals.Function merged in.
type Function struct {
	LogicalID string
	CodeURI   string // e.g. functions/registration-start
	Folder    string // the last element of CodeURI, e.g. registration-start
	Env       map[string]string
	Timeout   time.Duration
	MemoryMB  int
	LogFormat string // LoggingConfig.LogFormat, default JSON
	LogLevel  string // LoggingConfig.ApplicationLogLevel, default INFO
	Routes    []Route
	Schedules []Schedule
	// StreamSources are the function's DynamoDB events (event source mappings on a
	// table's stream), in template order.
	StreamSources []*StreamSource
	// Topics are the SNS topics it subscribes to (logical IDs); nothing publishes locally.
	Topics []string
}

// Route is one HttpApi event. RouteKey is "METHOD /path" or "$default".
type Route struct {
	Method string // upper case; ANY matches every method
	Path   string
}

// RouteKey is the API Gateway route key, e.g. "GET /v1/schools/{schoolId}".
func (r Route) RouteKey() string {
	if r.Path == "" {
		return "$default"
	}
	return r.Method + " " + r.Path
}

// Schedule is one Schedule or ScheduleV2 event.
type Schedule struct {
	Name       string // the event's key under Events
	Type       string // Schedule or ScheduleV2
	Expression string // rate(...) or cron(...)
	Input      string // the fixed JSON the schedule sends instead of the default event, if any
}

// Cors is the HttpApi CorsConfiguration.
type Cors struct {
	AllowOrigins     []string
	AllowMethods     []string
	AllowHeaders     []string
	ExposeHeaders    []string
	MaxAge           int
	AllowCredentials bool
}

// Throttle is a route's throttling target, as API Gateway applies it: a token bucket
// per route that holds BurstLimit requests and refills at RateLimit requests per
// second; a request finding it empty is answered 429. A limit the template leaves
// unset is the account-level quota (10,000 per second, burst 5,000).
type Throttle struct {
	BurstLimit int
	RateLimit  float64
}

// API Gateway's account-level throttling quota per Region, which applies where a
// route sets no limit of its own.
const (
	accountRateLimit  = 10000
	accountBurstLimit = 5000
)

// TemplateOptions say how references that have no local meaning are resolved.
type TemplateOptions struct {
	// Parameters override the template parameters' Default values.
	Parameters map[string]string
	// TableName maps a table's logical ID to its local name; nil keeps the logical ID.
	TableName func(logicalID string) string
}

// Values of the pseudo parameters locally.
var pseudoParameters = map[string]string{
	"AWS::Region":    "eu-central-1",
	"AWS::AccountId": accountID,
	"AWS::Partition": "aws",
	"AWS::URLSuffix": "amazonaws.com",
	"AWS::StackName": "etwin-local",
}

const accountID = "123456789012"

// FunctionByName finds a function by logical ID or by folder name.
func (t *Template) FunctionByName(name string) *Function {
	for _, f := range t.Functions {
		if f.LogicalID == name || f.Folder == name {
			return f
		}
	}
	return nil
}

// LoadTemplate reads a SAM template. Every environment value must resolve locally: a
// plain string, a !Ref to a parameter (override, else Default), to a table (its local
// name) or to a pseudo parameter, or a !Sub of those. Anything else is an error that
// names the function and variable.
func LoadTemplate(templatePath string, opts TemplateOptions) (*Template, error) {
	data, err := os.ReadFile(templatePath)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("gateway: %s: %w", templatePath, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) > 0 {
		root = root.Content[0]
	}

	r := &resolver{
		params:    map[string]*yaml.Node{},
		streams:   map[string]string{},
		overrides: opts.Parameters,
		tableName: opts.TableName,
		resources: map[string]string{},

		eventRouteSettings: map[string]*yaml.Node{},
		conditions:         map[string]*yaml.Node{},
	}
	for _, c := range pairs(get(root, "Conditions")) {
		r.conditions[c.key] = c.value
	}
	for _, p := range pairs(get(root, "Parameters")) {
		r.params[p.key] = p.value
	}
	resources := pairs(get(root, "Resources"))
	for _, res := range resources {
		r.resources[res.key] = scalar(get(res.value, "Type"))
		if r.resources[res.key] == "AWS::DynamoDB::Table" {
			if view := scalar(get(get(get(res.value, "Properties"), "StreamSpecification"), "StreamViewType")); view != "" {
				r.streams[res.key] = view
			}
		}
	}

	t := &Template{TableStreams: r.streams}
	globals := get(get(root, "Globals"), "Function")
	apiIDs := map[string]bool{}
	for _, res := range resources {
		switch r.resources[res.key] {
		case "AWS::DynamoDB::Table":
			t.Tables = append(t.Tables, res.key)
		case "AWS::SQS::Queue":
			t.Queues = append(t.Queues, res.key)
		case "AWS::Serverless::Function":
			fn, apis, err := r.function(res.key, get(res.value, "Properties"), globals)
			if err != nil {
				return nil, err
			}
			t.Functions = append(t.Functions, fn)
			for _, id := range apis {
				apiIDs[id] = true
			}
		}
	}
	sort.Slice(t.Functions, func(i, j int) bool { return t.Functions[i].LogicalID < t.Functions[j].LogicalID })
	sort.Strings(t.Tables)
	sort.Strings(t.Queues)

	// All routes are served on one local port, so they must belong to one API. Its
	// CORS and throttling settings come from that HttpApi resource, or from
	// Globals.HttpApi for the implicit API SAM makes when an event names no ApiId.
	if len(apiIDs) > 1 {
		var ids []string
		for id := range apiIDs {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		return nil, fmt.Errorf("gateway: routes belong to several HTTP APIs %v; the local gateway serves one", ids)
	}
	// A property of the HttpApi resource wins over the same one in Globals.HttpApi.
	globalAPI := get(get(root, "Globals"), "HttpApi")
	var apiProps *yaml.Node
	for id := range apiIDs {
		if id != "" {
			apiProps = get(get(get(root, "Resources"), id), "Properties")
		}
	}
	apiProp := func(name string) *yaml.Node {
		if n := get(apiProps, name); n != nil {
			return n
		}
		return get(globalAPI, name)
	}
	if t.Cors, err = r.cors(apiProp("CorsConfiguration")); err != nil {
		return nil, err
	}
	if t.Throttles, err = r.throttles(t.Functions, apiProp("DefaultRouteSettings"), apiProp("RouteSettings")); err != nil {
		return nil, err
	}
	return t, nil
}

type resolver struct {
	params    map[string]*yaml.Node // parameter name → its declaration
	overrides map[string]string
	tableName func(string) string
	resources map[string]string // logical ID → Type
	streams   map[string]string // table logical ID → StreamViewType, for tables with a stream
	// eventRouteSettings are the RouteSettings of HttpApi events, by route key.
	eventRouteSettings map[string]*yaml.Node
	// conditions are the template's Conditions, by name.
	conditions map[string]*yaml.Node
}

func (r *resolver) function(id string, props, globals *yaml.Node) (*Function, []string, error) {
	fail := func(format string, args ...any) (*Function, []string, error) {
		return nil, nil, fmt.Errorf("gateway: function %s: %s", id, fmt.Sprintf(format, args...))
	}
	// A property of the function wins over the same property in Globals.Function.
	prop := func(name string) *yaml.Node {
		if n := get(props, name); n != nil {
			return n
		}
		return get(globals, name)
	}
	fn := &Function{LogicalID: id, Env: map[string]string{}, LogFormat: "JSON", LogLevel: "INFO"}

	codeURI, err := r.str(prop("CodeUri"))
	if err != nil || codeURI == "" {
		return fail("CodeUri must be a local folder (%v)", err)
	}
	fn.CodeURI = strings.TrimSuffix(codeURI, "/")
	fn.Folder = path.Base(fn.CodeURI)

	// Environment variables merge key by key: Globals first, the function's own on top.
	for _, source := range []*yaml.Node{globals, props} {
		for _, v := range pairs(get(get(source, "Environment"), "Variables")) {
			value, err := r.str(v.value)
			if err != nil {
				return fail("environment variable %s: %v", v.key, err)
			}
			fn.Env[v.key] = value
		}
	}

	timeout, err := r.intValue(prop("Timeout"), 3) // Lambda's default is 3 s
	if err != nil {
		return fail("Timeout: %v", err)
	}
	fn.Timeout = time.Duration(timeout) * time.Second
	if fn.MemoryMB, err = r.intValue(prop("MemorySize"), 128); err != nil {
		return fail("MemorySize: %v", err)
	}
	if logging := prop("LoggingConfig"); logging != nil {
		if s := scalar(get(logging, "LogFormat")); s != "" {
			fn.LogFormat = s
		}
		if s := scalar(get(logging, "ApplicationLogLevel")); s != "" {
			fn.LogLevel = s
		}
	}

	var apis []string
	for _, ev := range pairs(get(props, "Events")) {
		evProps := get(ev.value, "Properties")
		switch typ := scalar(get(ev.value, "Type")); typ {
		case "HttpApi":
			route := Route{
				Method: strings.ToUpper(scalar(get(evProps, "Method"))),
				Path:   scalar(get(evProps, "Path")),
			}
			if route.Path == "" && route.Method != "" {
				return fail("event %s: Method without Path", ev.key)
			}
			if route.Method == "" && route.Path != "" {
				route.Method = "ANY"
			}
			fn.Routes = append(fn.Routes, route)
			if n := get(evProps, "RouteSettings"); n != nil {
				r.eventRouteSettings[route.RouteKey()] = n
			}
			api := ""
			if n := get(evProps, "ApiId"); n != nil {
				if api = refName(n); api == "" {
					return fail("event %s: ApiId must be a !Ref to an HttpApi resource", ev.key)
				}
			}
			apis = append(apis, api)
		case "Schedule", "ScheduleV2":
			expr := "Schedule"
			if typ == "ScheduleV2" {
				expr = "ScheduleExpression"
			}
			s := Schedule{Name: ev.key, Type: typ, Expression: scalar(get(evProps, expr))}
			if n := get(evProps, "Input"); n != nil {
				if s.Input, err = r.str(n); err != nil {
					return fail("event %s: Input: %v", ev.key, err)
				}
			}
			fn.Schedules = append(fn.Schedules, s)
		case "DynamoDB":
			src, err := r.streamSource(ev.key, evProps)
			if err != nil {
				return fail("event %s: %v", ev.key, err)
			}
			fn.StreamSources = append(fn.StreamSources, src)
		case "SNS":
			// Locally nothing publishes to a topic (SES's events come from AWS); the
			// subscription is recorded, and tests invoke the function with an SNS event.
			topic := refName(get(evProps, "Topic"))
			if topic == "" {
				return fail("event %s: Topic must be a !Ref to an SNS topic", ev.key)
			}
			fn.Topics = append(fn.Topics, topic)
		}
	}
	return fn, apis, nil
}

func (r *resolver) cors(n *yaml.Node) (*Cors, error) {
	if n == nil {
		return nil, nil
	}
	if n.Kind == yaml.ScalarNode {
		// CorsConfiguration: true allows every origin, method and header.
		if n.Value == "true" {
			return &Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}, AllowHeaders: []string{"*"}}, nil
		}
		return nil, nil
	}
	c := &Cors{}
	lists := map[string]*[]string{
		"AllowOrigins":  &c.AllowOrigins,
		"AllowMethods":  &c.AllowMethods,
		"AllowHeaders":  &c.AllowHeaders,
		"ExposeHeaders": &c.ExposeHeaders,
	}
	for name, dst := range lists {
		for _, item := range seq(get(n, name)) {
			s, err := r.str(item)
			if err != nil {
				return nil, fmt.Errorf("gateway: CorsConfiguration.%s: %w", name, err)
			}
			*dst = append(*dst, s)
		}
	}
	var err error
	if c.MaxAge, err = r.intValue(get(n, "MaxAge"), 0); err != nil {
		return nil, fmt.Errorf("gateway: CorsConfiguration.MaxAge: %w", err)
	}
	c.AllowCredentials = scalar(get(n, "AllowCredentials")) == "true"
	return c, nil
}

// throttles resolves each route's throttling limits. Each limit is looked up on its
// own: the route's HttpApi event RouteSettings, then the API's RouteSettings entry for
// the route key, then DefaultRouteSettings. RouteSettings for a route key that no
// function serves is an error, as it is when the stage is deployed.
func (r *resolver) throttles(fns []*Function, defaults, perRoute *yaml.Node) (map[string]Throttle, error) {
	routeSettings := map[string]*yaml.Node{}
	for _, p := range pairs(perRoute) {
		routeSettings[p.key] = p.value
	}
	served := map[string]bool{}
	out := map[string]Throttle{}
	for _, fn := range fns {
		for _, route := range fn.Routes {
			key := route.RouteKey()
			served[key] = true
			var th Throttle
			burstSet, rateSet := false, false
			for _, n := range []*yaml.Node{r.eventRouteSettings[key], routeSettings[key], defaults} {
				if v := get(n, "ThrottlingBurstLimit"); v != nil && !burstSet {
					b, err := r.intValue(v, 0)
					if err != nil || b < 0 {
						return nil, fmt.Errorf("gateway: route %s: ThrottlingBurstLimit %q is not a count (%v)", key, scalar(v), err)
					}
					th.BurstLimit, burstSet = b, true
				}
				if v := get(n, "ThrottlingRateLimit"); v != nil && !rateSet {
					s, err := r.str(v)
					if err != nil {
						return nil, fmt.Errorf("gateway: route %s: ThrottlingRateLimit: %w", key, err)
					}
					rate, err := strconv.ParseFloat(s, 64)
					if err != nil || rate < 0 {
						return nil, fmt.Errorf("gateway: route %s: ThrottlingRateLimit %q is not a rate", key, s)
					}
					th.RateLimit, rateSet = rate, true
				}
			}
			if !burstSet && !rateSet {
				continue
			}
			if !burstSet {
				th.BurstLimit = accountBurstLimit
			}
			if !rateSet {
				th.RateLimit = accountRateLimit
			}
			out[key] = th
		}
	}
	for key := range routeSettings {
		if !served[key] {
			return nil, fmt.Errorf("gateway: RouteSettings names route %q, which no function serves", key)
		}
	}
	return out, nil
}

// str resolves a node to a string.
func (r *resolver) str(n *yaml.Node) (string, error) {
	if n == nil {
		return "", nil
	}
	if n.Kind == yaml.AliasNode {
		return r.str(n.Alias)
	}
	switch {
	case n.Tag == "!Ref":
		return r.ref(n.Value)
	case n.Tag == "!Sub" && n.Kind == yaml.ScalarNode:
		return r.sub(n.Value)
	case n.Tag == "!If" && n.Kind == yaml.SequenceNode && len(n.Content) == 3:
		// Only the chosen branch is resolved, as CloudFormation does.
		ok, err := r.condition(n.Content[0].Value)
		if err != nil {
			return "", err
		}
		if ok {
			return r.str(n.Content[1])
		}
		return r.str(n.Content[2])
	case n.Kind == yaml.MappingNode && len(n.Content) == 2:
		// The long forms {Ref: X} and {"Fn::Sub": "..."}.
		switch n.Content[0].Value {
		case "Ref":
			return r.ref(n.Content[1].Value)
		case "Fn::Sub":
			if n.Content[1].Kind == yaml.ScalarNode {
				return r.sub(n.Content[1].Value)
			}
		}
		return "", fmt.Errorf("%s cannot be resolved locally", n.Content[0].Value)
	case n.Kind == yaml.ScalarNode && (n.Tag == "" || strings.HasPrefix(n.Tag, "!!")):
		return n.Value, nil
	case n.Tag != "" && strings.HasPrefix(n.Tag, "!"):
		return "", fmt.Errorf("%s cannot be resolved locally", n.Tag)
	}
	return "", fmt.Errorf("a %s cannot be used as a string here", kindName(n.Kind))
}

// condition evaluates the template's condition name: !Equals of strings, !Not, !And,
// !Or and !Condition, over parameters (what the template's Conditions use).
func (r *resolver) condition(name string) (bool, error) {
	c, ok := r.conditions[name]
	if !ok {
		return false, fmt.Errorf("no condition %q", name)
	}
	return r.truth(c, 0)
}

func (r *resolver) truth(n *yaml.Node, depth int) (bool, error) {
	n = deref(n)
	if n == nil || depth > 10 {
		return false, errors.New("a condition cannot be evaluated locally")
	}
	switch {
	case n.Tag == "!Condition" && n.Kind == yaml.ScalarNode:
		c, ok := r.conditions[n.Value]
		if !ok {
			return false, fmt.Errorf("no condition %q", n.Value)
		}
		return r.truth(c, depth+1)
	case n.Tag == "!Equals" && n.Kind == yaml.SequenceNode && len(n.Content) == 2:
		a, err := r.str(n.Content[0])
		if err != nil {
			return false, err
		}
		b, err := r.str(n.Content[1])
		return a == b, err
	case n.Tag == "!Not" && n.Kind == yaml.SequenceNode && len(n.Content) == 1:
		v, err := r.truth(n.Content[0], depth+1)
		return !v, err
	case (n.Tag == "!And" || n.Tag == "!Or") && n.Kind == yaml.SequenceNode:
		all := n.Tag == "!And"
		for _, c := range n.Content {
			v, err := r.truth(c, depth+1)
			if err != nil {
				return false, err
			}
			if v != all {
				return v, nil
			}
		}
		return all, nil
	}
	return false, fmt.Errorf("the condition %s cannot be evaluated locally", n.Tag)
}

func (r *resolver) ref(name string) (string, error) {
	if v, ok := pseudoParameters[name]; ok {
		return v, nil
	}
	if decl, ok := r.params[name]; ok {
		if v, ok := r.overrides[name]; ok {
			return v, nil
		}
		if def := get(decl, "Default"); def != nil {
			return def.Value, nil
		}
		return "", fmt.Errorf("parameter %s has no Default and no local value", name)
	}
	switch r.resources[name] {
	case "AWS::DynamoDB::Table":
		if r.tableName == nil {
			return name, nil
		}
		return r.tableName(name), nil
	case "AWS::S3::Bucket":
		return BucketName(name), nil
	case "":
		return "", fmt.Errorf("!Ref %s: no such parameter or resource", name)
	default:
		return "", fmt.Errorf("!Ref %s (%s) cannot be resolved locally", name, r.resources[name])
	}
}

// BucketName is the local name of a bucket logical ID (!Ref FilesBucket is "filesbucket"):
// S3 bucket names are lower case; the local S3 server holds one bucket of each name.
func BucketName(logicalID string) string { return strings.ToLower(logicalID) }

var subVariable = regexp.MustCompile(`\$\{([^}!][^}]*)\}`)

// sub resolves ${Name} in a !Sub string; ${!Literal} stays as ${Literal}.
func (r *resolver) sub(s string) (string, error) {
	var firstErr error
	out := subVariable.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		if strings.Contains(name, ".") && !strings.HasPrefix(name, "AWS::") {
			if firstErr == nil {
				firstErr = fmt.Errorf("${%s} (an attribute) cannot be resolved locally", name)
			}
			return m
		}
		v, err := r.ref(name)
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return v
	})
	if firstErr != nil {
		return "", firstErr
	}
	return strings.ReplaceAll(out, "${!", "${"), nil
}

func (r *resolver) intValue(n *yaml.Node, def int) (int, error) {
	if n == nil {
		return def, nil
	}
	s, err := r.str(n)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(s)
}

// YAML node helpers. A nil node stands for "absent" and every helper accepts it.

type pair struct {
	key   string
	value *yaml.Node
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// get returns the value of key in a mapping node, or nil.
func get(n *yaml.Node, key string) *yaml.Node {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return deref(n.Content[i+1])
		}
	}
	return nil
}

// pairs returns the entries of a mapping node in file order.
func pairs(n *yaml.Node) []pair {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var out []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, pair{n.Content[i].Value, deref(n.Content[i+1])})
	}
	return out
}

// seq returns the items of a sequence node; a single scalar counts as one item.
func seq(n *yaml.Node) []*yaml.Node {
	n = deref(n)
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.SequenceNode:
		return n.Content
	default:
		return []*yaml.Node{n}
	}
}

// scalar returns a plain scalar's value, or "" for anything else.
func scalar(n *yaml.Node) string {
	n = deref(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// refName returns X for !Ref X or {Ref: X}, else "".
func refName(n *yaml.Node) string {
	n = deref(n)
	switch {
	case n == nil:
		return ""
	case n.Tag == "!Ref":
		return n.Value
	case n.Kind == yaml.MappingNode && len(n.Content) == 2 && n.Content[0].Value == "Ref":
		return n.Content[1].Value
	}
	return ""
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	default:
		return "value"
	}
}

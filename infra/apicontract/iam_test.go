package apicontract

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// The resources of template.yaml's statements, by the text they are written as.
const (
	resTable     = "table"
	resIndex     = "table indexes"
	resSES       = "SES identity"
	resCursorKey = "cursor key parameter"
	resUnsubKey  = "unsubscribe key parameter"
	resSESSet    = "SES configuration set"
	resDLQ       = "mail dead-letter queue"
	resFiles     = "files bucket objects"
)

var knownResources = map[string]string{
	"!GetAtt Table.Arn":         resTable,
	`!Sub ${Table.Arn}/index/*`: resIndex,
	`!Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SesIdentity}`:                       resSES,
	`!Sub arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${CursorKeyParameterName}`:            resCursorKey,
	`!Sub arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter${UnsubscribeKeyParameterName}`:       resUnsubKey,
	`!Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:configuration-set/${MailConfigurationSetName}`: resSESSet,
	"!GetAtt MailDeadLetterQueue.Arn": resDLQ,
	`!Sub ${FilesBucket.Arn}/*`:       resFiles,
}

// writeActions change items; a read-only route may hold none of them on the whole table.
var writeActions = []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem",
	"dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate", "dynamodb:PartiQLDelete", "dynamodb:*", "*"}

// statement is one statement of a function's inline policies, as far as the test
// understands it.
type statement struct {
	Sid         string
	Actions     []string
	Resources   []string // a known resource (res*) or the text as written
	LeadingKeys []string // Condition ForAllValues:StringLike dynamodb:LeadingKeys
	Attributes  []string // Condition ForAllValues:StringEquals dynamodb:Attributes
}

func (s statement) keyed() bool { return s.LeadingKeys != nil }

// strs reads a scalar or a sequence of scalars (with their tags, e.g. "!Sub ...").
func strs(n *yaml.Node) []string {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.ScalarNode {
		if n.Tag != "" && strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
			return []string{n.Tag + " " + n.Value}
		}
		return []string{n.Value}
	}
	var out []string
	for _, c := range n.Content {
		out = append(out, strs(c)...)
	}
	return out
}

// value is a scalar's text whatever its YAML type (!!int, !!bool, …); "" for CloudFormation
// tags and non-scalars.
func value(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "" && !strings.HasPrefix(n.Tag, "!!")) {
		return ""
	}
	return n.Value
}

func mappingKeys(n *yaml.Node) []string {
	var out []string
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			out = append(out, n.Content[i].Value)
		}
	}
	return out
}

// statements reads a function's Policies; what it cannot read is a problem, for every
// grant must be checked.
func statements(fn templateFunction) (out []statement, problems []string) {
	policies := child(fn.Props, "Policies")
	if policies == nil {
		return nil, nil
	}
	if policies.Kind != yaml.SequenceNode {
		return nil, []string{"Policies is not a list"}
	}
	for _, pol := range policies.Content {
		st := child(pol, "Statement")
		if pol.Kind != yaml.MappingNode || st == nil || st.Kind != yaml.SequenceNode {
			problems = append(problems, fmt.Sprintf("a policy other than an inline document with a Statement list (line %d): the test cannot check it", pol.Line))
			continue
		}
		for _, s := range st.Content {
			x := statement{Sid: scalar(child(s, "Sid")), Actions: strs(child(s, "Action"))}
			for _, r := range strs(child(s, "Resource")) {
				if known, ok := knownResources[r]; ok {
					r = known
				}
				x.Resources = append(x.Resources, r)
			}
			if e := scalar(child(s, "Effect")); e != "Allow" {
				problems = append(problems, fmt.Sprintf("statement %s (line %d) has Effect %q, not Allow", x.Sid, s.Line, e))
			}
			for _, k := range mappingKeys(s) {
				if !slices.Contains([]string{"Sid", "Effect", "Action", "Resource", "Condition"}, k) {
					problems = append(problems, fmt.Sprintf("statement %s (line %d) has %s: the test cannot check it", x.Sid, s.Line, k))
				}
			}
			if cond := child(s, "Condition"); cond != nil {
				for _, op := range mappingKeys(cond) {
					keys := child(cond, op)
					for _, key := range mappingKeys(keys) {
						switch op + " " + key {
						case "ForAllValues:StringLike dynamodb:LeadingKeys":
							x.LeadingKeys = strs(child(keys, key))
						case "ForAllValues:StringEquals dynamodb:Attributes":
							x.Attributes = strs(child(keys, key))
						default:
							problems = append(problems, fmt.Sprintf("statement %s (line %d): condition %s %s is not understood by the test", x.Sid, s.Line, op, key))
						}
					}
				}
				if x.LeadingKeys == nil {
					problems = append(problems, fmt.Sprintf("statement %s (line %d): a condition without dynamodb:LeadingKeys", x.Sid, s.Line))
				}
			}
			if len(x.Actions) == 0 || len(x.Resources) == 0 {
				problems = append(problems, fmt.Sprintf("statement %s (line %d) has no Action or no Resource", x.Sid, s.Line))
			}
			out = append(out, x)
		}
	}
	return out, problems
}

func readOnly(fn templateFunction) bool {
	return len(fn.Routes) > 0 && !slices.ContainsFunc(fn.Routes, func(r string) bool { return !strings.HasPrefix(r, "GET ") && !strings.HasPrefix(r, "HEAD ") })
}

// tableKeys is the table's key schema (PK, SK).
func tableKeys(t *testing.T, root string) []string {
	t.Helper()
	doc := templateDoc(t, root)
	var out []string
	for _, k := range child(child(child(child(doc, "Resources"), "Table"), "Properties"), "KeySchema").Content {
		out = append(out, scalar(child(k, "AttributeName")))
	}
	if len(out) == 0 {
		t.Fatal("the Table has no KeySchema")
	}
	return out
}

func templateDoc(t *testing.T, root string) *yaml.Node {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(root, "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// grant is an action on a resource ("dynamodb:GetItem on table").
func grant(action, resource string) string { return action + " on " + resource }

// needs are the grants a function's code needs without a key condition.
func needs(a *codeAccess) map[string]string {
	out := map[string]string{} // grant → a call path that needs it
	for action := range a.Actions {
		why := a.Why[action]
		switch {
		case action == "dynamodb:Query":
			if a.QueryTable || !a.QueryIndex {
				out[grant(action, resTable)] = why
			}
			if a.QueryIndex {
				out[grant(action, resIndex)] = why
			}
		case strings.HasPrefix(action, "dynamodb:"):
			out[grant(action, resTable)] = why
		case action == "ses:SendEmail":
			// SES authorizes a send on the identity and on the configuration set it names
			out[grant(action, resSES)] = why
			out[grant(action, resSESSet)] = why
		case action == "ssm:GetParameter":
			// Deps.Paging asks SSM only where CURSOR_KEY_PARAMETER is set, which
			// TestListFunctionsReadTheCursorKeyParameter keeps to the functions that page.
			if a.PagesLists {
				out[grant(action, resCursorKey)] = why
			}
			// The same for the unsubscribe key (UNSUBSCRIBE_KEY_PARAMETER), read where
			// unsubscribe links are signed or checked.
			if a.SignsUnsubscribes {
				out[grant(action, resUnsubKey)] = why
			}
		case strings.HasPrefix(action, "s3:"):
			// the only bucket is the TwinSpace files', its objects alone
			out[grant(action, resFiles)] = why
		default:
			out[grant(action, "?")] = why
		}
	}
	return out
}

// TestLeastPrivilege: each function's role allows exactly what its code does, both ways.
// What the code does comes from its call graph (codeaccess_test.go); the writes of the
// keyed groups (session touch, idempotency records) must be allowed on their partition-key
// prefix only, unless the function may write the whole table anyway. A read-only route
// never holds a write on the whole table.
func TestLeastPrivilege(t *testing.T) {
	f := setup(t)
	code := analyseCode(t, f.root)
	keySchema := tableKeys(t, f.root)
	for _, fn := range f.functions {
		for _, e := range leastPrivilege(fn, code, keySchema) {
			t.Error(e)
		}
	}
}

// leastPrivilege lists where fn's statements differ from what its code does.
func leastPrivilege(fn templateFunction, code *codeModel, keySchema []string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, fn.Resource+": "+fmt.Sprintf(format, args...)) }
	a := code.functions[fn.Folder]
	if a == nil {
		fail("no main package in functions/%s", fn.Folder)
		return errs
	}
	sts, problems := statements(fn)
	for _, p := range problems {
		fail("%s", p)
	}
	granted := map[string]string{}               // unconditioned grant → Sid
	keyedGranted := map[string]map[string]bool{} // key pattern → actions
	for _, s := range sts {
		for _, action := range s.Actions {
			for _, r := range s.Resources {
				if s.keyed() {
					if r != resTable || len(s.LeadingKeys) != 1 {
						fail("keyed statement %s must name the table and one key prefix", s.Sid)
						continue
					}
					if keyedGranted[s.LeadingKeys[0]] == nil {
						keyedGranted[s.LeadingKeys[0]] = map[string]bool{}
					}
					keyedGranted[s.LeadingKeys[0]][action] = true
					continue
				}
				granted[grant(action, r)] = s.Sid
				if readOnly(fn) && r == resTable && slices.Contains(writeActions, action) {
					fail("serves only %v but statement %s allows %s on the whole table", fn.Routes, s.Sid, action)
				}
			}
		}
	}

	need := needs(a)
	if onFailure(fn) == resDLQ {
		// not the code: the event source mapping sends what it gives up on, as the role
		need[grant("sqs:SendMessage", resDLQ)] = "the stream event source's on-failure destination"
	}
	for _, g := range sortedKeys(boolKeys(need)) {
		if _, ok := granted[g]; !ok {
			fail("its code needs %s, which template.yaml does not allow (%s)", g, need[g])
		}
	}
	for _, g := range sortedKeys(boolKeys(granted)) {
		if _, ok := need[g]; !ok {
			fail("statement %s allows %s, which functions/%s never does", granted[g], g, fn.Folder)
		}
	}

	// The keyed groups.
	seen := map[string]bool{}
	for _, kw := range keyedWrites {
		facts := code.keyed[kw.Name]
		pattern := facts.Prefix + "*"
		seen[pattern] = true
		want := map[string]bool{}
		if !(kw.SkippedOnGet && readOnly(fn)) {
			want = a.Keyed[kw.Name]
		}
		got := keyedGranted[pattern]
		for _, action := range sortedKeys(want) {
			if !got[action] {
				fail("its code makes %s on %s partitions (%s), which template.yaml does not allow there", action, pattern, kw.Name)
			}
		}
		for _, action := range sortedKeys(got) {
			if !want[action] {
				why := "which functions/" + fn.Folder + " never does"
				if a.Actions[action] {
					why = "which it already has on the whole table"
				}
				fail("allows %s on %s partitions (%s), %s", action, pattern, kw.Name, why)
			}
		}
		for _, s := range sts {
			if !s.keyed() || s.LeadingKeys[0] != pattern {
				continue
			}
			gotAttrs := slices.Sorted(slices.Values(s.Attributes))
			switch {
			case kw.Attributes:
				wantAttrs := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(keySchema), facts.Attributes...))))
				if !slices.Equal(gotAttrs, wantAttrs) {
					fail("statement %s allows the attributes %v; %s writes %v (key included)", s.Sid, gotAttrs, kw.Name, wantAttrs)
				}
			case s.Attributes != nil:
				fail("statement %s pins dynamodb:Attributes, which %s does not keep to", s.Sid, kw.Name)
			}
		}
	}
	for _, pattern := range sortedKeys(boolKeys(keyedGranted)) {
		if !seen[pattern] {
			fail("a keyed statement on %s, which no keyed write of the code uses", pattern)
		}
	}
	return errs
}

// leastPrivilege fails when the template is wrong, each way: checked on altered copies.
func TestLeastPrivilegeCatchesMistakes(t *testing.T) {
	f := setup(t)
	code := analyseCode(t, f.root)
	keySchema := tableKeys(t, f.root)
	var get, post templateFunction
	for _, fn := range f.functions {
		a := code.functions[fn.Folder]
		if a == nil || len(leastPrivilege(fn, code, keySchema)) > 0 {
			continue
		}
		switch {
		case get.Resource == "" && readOnly(fn) && len(a.Keyed["session touch"]) > 0:
			get = fn
		case post.Resource == "" && !readOnly(fn) && a.Actions["dynamodb:PutItem"] && len(a.Keyed["idempotency"]) > 0:
			post = fn
		}
	}
	if get.Resource == "" || post.Resource == "" {
		t.Fatal("no correct read-only route with a session touch, or write route with PutItem and keyed idempotency writes")
	}
	expect := func(name string, fn templateFunction, want string) {
		t.Helper()
		errs := leastPrivilege(fn, code, keySchema)
		if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, want) }) {
			t.Errorf("%s: no error saying %q, got %q", name, want, errs)
		}
	}
	table := "  Resource: !GetAtt Table.Arn\n"
	expect("PutItem on a GET route", withStatement(t, get, "- Effect: Allow\n  Action: dynamodb:PutItem\n"+table),
		"allows dynamodb:PutItem on the whole table")
	expect("SES on a GET route", withStatement(t, get, "- Effect: Allow\n  Action: ses:SendEmail\n  Resource: !Sub \"arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${SesIdentity}\"\n"),
		"allows ses:SendEmail on SES identity, which functions/"+get.Folder+" never does")
	expect("a wildcard", withStatement(t, get, "- Effect: Allow\n  Action: dynamodb:*\n"+table), "dynamodb:* on the whole table")
	expect("a touch on any key", withStatement(t, get, "- Effect: Allow\n  Action: dynamodb:UpdateItem\n"+table+
		"  Condition:\n    ForAllValues:StringLike:\n      dynamodb:LeadingKeys: [\"*\"]\n"), "keyed statement on *")
	expect("an unknown condition", withStatement(t, get, "- Effect: Allow\n  Action: dynamodb:GetItem\n"+table+
		"  Condition:\n    StringEquals:\n      aws:SourceVpc: vpc-1\n"), "is not understood")
	expect("a touch of any attribute", withoutAttribute(t, get, "lastSeenAt"), "allows the attributes")
	expect("a write route without its writes", withoutAction(t, post, "", "dynamodb:PutItem"),
		"needs dynamodb:PutItem on table")
	expect("idempotency records without their keyed writes", withoutAction(t, post, "IdempotencyKeys", ""),
		"partitions (idempotency), which template.yaml does not allow there")

	// S3: a missing action, an extra one, and one on the whole bucket rather than its objects.
	byFolder := map[string]templateFunction{}
	for _, fn := range f.functions {
		byFolder[fn.Folder] = fn
	}
	create, get := byFolder["file-create"], byFolder["file-get"]
	if create.Resource == "" || get.Resource == "" {
		t.Fatal("no file-create or file-get function")
	}
	objects := "  Resource: !Sub \"${FilesBucket.Arn}/*\"\n"
	expect("an upload presigned without s3:PutObject", withoutAction(t, create, "PresignUpload", ""),
		"needs s3:PutObject on files bucket objects")
	expect("a download that may delete", withStatement(t, get, "- Effect: Allow\n  Action: s3:DeleteObject\n"+objects),
		"allows s3:DeleteObject on files bucket objects, which functions/file-get never does")
	expect("s3:GetObject on the bucket", withStatement(t, get, "- Effect: Allow\n  Action: s3:ListBucket\n  Resource: !GetAtt FilesBucket.Arn\n"),
		"allows s3:ListBucket on !GetAtt FilesBucket.Arn")
	expect("a mark without its keyed write", withoutAction(t, get, "MarkUploaded", ""),
		"partitions (file upload mark), which template.yaml does not allow there")
}

// withoutAttribute drops attr from fn's dynamodb:Attributes lists.
func withoutAttribute(t *testing.T, fn templateFunction, attr string) templateFunction {
	t.Helper()
	fn.Props = cloneNode(fn.Props)
	found := false
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for i := 0; i+1 < len(n.Content); i++ {
			if n.Kind == yaml.MappingNode && n.Content[i].Value == "dynamodb:Attributes" {
				v := n.Content[i+1]
				v.Content = slices.DeleteFunc(v.Content, func(c *yaml.Node) bool { found = found || c.Value == attr; return c.Value == attr })
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(fn.Props)
	if !found {
		t.Fatalf("%s has no dynamodb:Attributes with %s", fn.Resource, attr)
	}
	return fn
}

// withoutAction drops the statement with Sid sid, or else action from every statement.
func withoutAction(t *testing.T, fn templateFunction, sid, action string) templateFunction {
	t.Helper()
	fn.Props = cloneNode(fn.Props)
	st := child(child(fn.Props, "Policies").Content[0], "Statement")
	before := len(st.Content)
	st.Content = slices.DeleteFunc(st.Content, func(s *yaml.Node) bool { return sid != "" && scalar(child(s, "Sid")) == sid })
	changed := len(st.Content) != before
	for _, s := range st.Content {
		a := child(s, "Action")
		if action == "" || a == nil {
			continue
		}
		if a.Kind == yaml.ScalarNode && a.Value == action {
			a.Value = "dynamodb:DescribeLimits"
			changed = true
		}
		n := len(a.Content)
		a.Content = slices.DeleteFunc(a.Content, func(c *yaml.Node) bool { return c.Value == action })
		changed = changed || n != len(a.Content)
	}
	if !changed {
		t.Fatalf("%s has no statement %q or action %q", fn.Resource, sid, action)
	}
	return fn
}

// withStatement is fn with one more statement in its first policy document.
func withStatement(t *testing.T, fn templateFunction, text string) templateFunction {
	t.Helper()
	var extra yaml.Node
	if err := yaml.Unmarshal([]byte(text), &extra); err != nil {
		t.Fatal(err)
	}
	props := cloneNode(fn.Props)
	st := child(child(props, "Policies").Content[0], "Statement")
	st.Content = append(st.Content, extra.Content[0].Content...)
	fn.Props = props
	return fn
}

func cloneNode(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	c := *n
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, x := range n.Content {
		c.Content[i] = cloneNode(x)
	}
	return &c
}

// TestListFunctionsReadTheCursorKeyParameter: the functions that sign or open cursors
// name the SSM parameter (never the key itself) and may read that parameter alone; no
// other function may read SSM.
func TestListFunctionsReadTheCursorKeyParameter(t *testing.T) {
	f := setup(t)
	code := analyseCode(t, f.root)
	doc := templateDoc(t, f.root)
	param := child(child(doc, "Parameters"), "CursorKeyParameterName")
	if scalar(child(param, "Type")) != "String" || !strings.HasPrefix(scalar(child(param, "Default")), "/") {
		t.Errorf("parameter CursorKeyParameterName: want a String whose default is a /path name")
	}
	if v := child(child(child(child(doc, "Globals"), "Function"), "Environment"), "Variables"); child(v, "CURSOR_KEY") != nil || child(v, "CURSOR_KEY_PARAMETER") != nil {
		t.Error("Globals give every function the cursor key")
	}
	paging := 0
	for _, fn := range f.functions {
		a := code.functions[fn.Folder]
		if a == nil {
			continue
		}
		vars := child(child(fn.Props, "Environment"), "Variables")
		if child(vars, "CURSOR_KEY") != nil {
			t.Errorf("%s: CURSOR_KEY puts the secret itself in the environment", fn.Resource)
		}
		env := strs(child(vars, "CURSOR_KEY_PARAMETER"))
		sts, _ := statements(fn)
		var ssm []string
		for _, s := range sts {
			for _, action := range s.Actions {
				if strings.HasPrefix(action, "ssm:") || action == "*" {
					for _, r := range s.Resources {
						ssm = append(ssm, grant(action, r))
					}
				}
			}
		}
		sort.Strings(ssm)
		if !a.PagesLists {
			if env != nil || slices.ContainsFunc(ssm, func(g string) bool { return !strings.HasSuffix(g, resUnsubKey) }) {
				t.Errorf("%s pages no list but has CURSOR_KEY_PARAMETER %v and %v", fn.Resource, env, ssm)
			}
			continue
		}
		paging++
		if !slices.Equal(env, []string{"!Ref CursorKeyParameterName"}) {
			t.Errorf("%s pages lists (%s): CURSOR_KEY_PARAMETER = %v, want !Ref CursorKeyParameterName", fn.Resource, a.Why["cursor"], env)
		}
		if !slices.Equal(ssm, []string{grant("ssm:GetParameter", resCursorKey)}) { // (no list function signs unsubscribe links)
			t.Errorf("%s pages lists: SSM grants %v, want only ssm:GetParameter on the cursor key parameter", fn.Resource, ssm)
		}
	}
	if paging == 0 {
		t.Error("no function pages lists: the code model does not see the cursors")
	}
}

// TestPasswordHashingFunctionsGet1024MB: argon2id is CPU-bound and Lambda's CPU grows with
// memory; the functions that run it get 1024 MB, the others the Globals' 256.
func TestPasswordHashingFunctionsGet1024MB(t *testing.T) {
	f := setup(t)
	code := analyseCode(t, f.root)
	doc := templateDoc(t, f.root)
	if m := value(child(child(child(doc, "Globals"), "Function"), "MemorySize")); m != "256" {
		t.Errorf("Globals MemorySize %q, want 256", m)
	}
	hashing := 0
	for _, fn := range f.functions {
		a := code.functions[fn.Folder]
		if a == nil {
			continue
		}
		mem := value(child(fn.Props, "MemorySize"))
		switch {
		case a.HashesPasswords && mem != "1024":
			t.Errorf("%s hashes passwords (%s) with MemorySize %q, want 1024", fn.Resource, a.Why["argon2"], mem)
		case !a.HashesPasswords && mem != "":
			t.Errorf("%s hashes no password but sets MemorySize %s", fn.Resource, mem)
		}
		if a.HashesPasswords {
			hashing++
		}
	}
	if hashing == 0 {
		t.Error("no function hashes passwords: the code model does not see argon2")
	}
}

// TestTracingIsActive: every function traces with X-Ray (SAM then adds the
// AWSXrayWriteOnlyAccess managed policy to each role).
func TestTracingIsActive(t *testing.T) {
	f := setup(t)
	doc := templateDoc(t, f.root)
	if v := scalar(child(child(child(doc, "Globals"), "Function"), "Tracing")); v != "Active" {
		t.Errorf("Globals Function Tracing %q, want Active", v)
	}
	for _, fn := range f.functions {
		if v := child(fn.Props, "Tracing"); v != nil && scalar(v) != "Active" {
			t.Errorf("%s: Tracing %q", fn.Resource, scalar(v))
		}
	}
}

// corsSafelisted are the answer headers a browser script reads without
// Access-Control-Expose-Headers (Fetch standard); notForScripts are read by the browser
// itself.
var (
	corsSafelisted = []string{"Cache-Control", "Content-Language", "Content-Length", "Content-Type", "Expires", "Last-Modified", "Pragma"}
	// (and the pages for people, which browsers navigate to, set the rest)
	notForScripts = []string{"X-Content-Type-Options", "Strict-Transport-Security", "Content-Security-Policy",
		"Referrer-Policy", "X-Frame-Options", "X-Robots-Tag"}
)

// TestCorsExposesTheAnswerHeaders: the portal can read every header the code puts on an
// answer (Retry-After, Idempotent-Replayed, …).
func TestCorsExposesTheAnswerHeaders(t *testing.T) {
	f := setup(t)
	code := analyseCode(t, f.root)
	doc := templateDoc(t, f.root)
	cors := child(child(child(child(doc, "Resources"), "HttpApi"), "Properties"), "CorsConfiguration")
	exposed := strs(child(cors, "ExposeHeaders"))
	if len(code.headers) == 0 {
		t.Fatal("the code model found no header")
	}
	for _, h := range sortedKeys(boolKeys(code.headers)) {
		if slices.Contains(corsSafelisted, h) || slices.Contains(notForScripts, h) {
			continue
		}
		if !slices.ContainsFunc(exposed, func(e string) bool { return strings.EqualFold(e, h) }) {
			t.Errorf("%s sets %s, which CorsConfiguration.ExposeHeaders %v does not expose", code.headers[h], h, exposed)
		}
	}
	for _, h := range []string{"Retry-After", "Idempotent-Replayed", "Location"} {
		if !slices.Contains(exposed, h) {
			t.Errorf("ExposeHeaders %v lacks %s", exposed, h)
		}
	}
}

// onFailure is the on-failure destination of fn's stream event source ("" when none).
func onFailure(fn templateFunction) string {
	events := child(fn.Props, "Events")
	if events == nil || events.Kind != yaml.MappingNode {
		return ""
	}
	for j := 1; j < len(events.Content); j += 2 {
		d := child(child(child(child(events.Content[j], "Properties"), "DestinationConfig"), "OnFailure"), "Destination")
		if d != nil {
			return knownResources[strs(d)[0]]
		}
	}
	return ""
}

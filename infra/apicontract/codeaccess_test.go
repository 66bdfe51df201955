package apicontract

// What each function's code can do to AWS, found by walking its call graph from main (and
// init): the SSA form of functions/* and shared/* (golang.org/x/tools/go/ssa), every call
// followed, calls through interfaces resolved to the concrete types that the reached code
// puts into interfaces, and every function value that the reached code takes assumed to be
// called (but a function handed to sync.OnceFunc/OnceValue(s), which counts as called by a
// call of its signature). The walk stops at the SDK: a method of a service client
// (dynamodb, sesv2, ssm) is the operation it names, a paginator's NextPage is its
// operation too, and the items of a transaction are the actions IAM checks for it.
//
// It may see a call that never happens (a branch not taken at run time: shared/httpapi
// skipping idempotency for GETs is the one the tests allow for, see keyedWrite), and it
// misses none as long as no code of ours is called by reflection except through function
// values (the Lambda handler is one).

import (
	"go/constant"
	"go/types"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/tools/go/packages"
	"golang.org/x/tools/go/ssa"
	"golang.org/x/tools/go/ssa/ssautil"
)

const (
	sdkDynamo     = "github.com/aws/aws-sdk-go-v2/service/dynamodb"
	sdkDynamoType = "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	sdkExpression = "github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	ddbPackage    = "etwin/shared/ddb"
	cursorPackage = "etwin/shared/cursor"
	optoutPackage = "etwin/shared/optout"
	argon2Package = "golang.org/x/crypto/argon2"
)

// iamPrefix is the IAM service prefix of each SDK client package the functions use.
var iamPrefix = map[string]string{
	sdkDynamo: "dynamodb",
	"github.com/aws/aws-sdk-go-v2/service/sesv2": "ses",
	"github.com/aws/aws-sdk-go-v2/service/ssm":   "ssm",
	sdkS3: "s3",
}

const sdkS3 = "github.com/aws/aws-sdk-go-v2/service/s3"

// s3Actions are the IAM actions of the S3 client's operations where they differ from the
// operation's name: HeadObject is authorised as s3:GetObject, and a presigned request as
// the operation it signs (the signer needs that permission when the URL is used).
var s3Actions = map[string]string{
	"*Client.HeadObject":                 "s3:GetObject",
	"*PresignClient.PresignPutObject":    "s3:PutObject",
	"*PresignClient.PresignGetObject":    "s3:GetObject",
	"*PresignClient.PresignHeadObject":   "s3:GetObject",
	"*PresignClient.PresignDeleteObject": "s3:DeleteObject",
}

// keyedWrite is a group of ddb.Store methods whose writes only touch the items of one
// partition-key prefix, so that IAM can allow them on that prefix alone
// (dynamodb:LeadingKeys) instead of on the whole table.
type keyedWrite struct {
	Name    string
	Methods []string // methods of shared/ddb types, "Type.Method"
	KeyFunc string   // the keys.go function that builds their partition key
	// Attributes: the writes set only these attributes (besides the key), so IAM can
	// also pin dynamodb:Attributes.
	Attributes bool
	// SkippedOnGet: shared/httpapi never runs them for a GET, which IAM therefore need
	// not allow a read-only route (the call graph cannot see that run-time test).
	SkippedOnGet bool
}

var keyedWrites = []keyedWrite{
	// Authenticate refreshes lastSeenAt on the caller's session (MEMBER#<id>, SESSION#…).
	{Name: "session touch", Methods: []string{"Store.TouchSession"}, KeyFunc: "memberPK", Attributes: true},
	// httpapi.Idempotent claims, completes and releases IDEMPOTENCY#… records.
	{Name: "idempotency", Methods: []string{"Store.ClaimIdempotencyKey", "Store.SaveIdempotentReply", "Store.ReleaseIdempotencyKey"},
		KeyFunc: "idempotencyPK", SkippedOnGet: true},
	// The file routes mark a pending TwinSpace file uploaded once its object is seen
	// (uploaded and uploadedAt of PROJECT#…/FILE#… items), on GETs too.
	{Name: "file upload mark", Methods: []string{"Store.MarkFileUploaded"}, KeyFunc: "projectPK", Attributes: true},
}

// codeAccess is what one function's code reaches.
type codeAccess struct {
	// Actions are the IAM actions reached other than through a keyed write.
	Actions map[string]bool
	// QueryTable and QueryIndex: the Query inputs it builds read the table / an index.
	QueryTable, QueryIndex bool
	// Keyed holds, per keyed write, the actions reached only through it.
	Keyed map[string]map[string]bool
	// PagesLists: it signs or opens list cursors.
	PagesLists bool
	// SignsUnsubscribes: it signs or checks one-click unsubscribe links.
	SignsUnsubscribes bool
	// HashesPasswords: it runs argon2.
	HashesPasswords bool
	// Why shows, for each action (and "argon2"), a call path that reaches it.
	Why map[string]string
}

// keyedFacts are what the code says about a keyed write.
type keyedFacts struct {
	Prefix     string   // the constant start of its partition keys, e.g. "IDEMPOTENCY#"
	Attributes []string // the attribute names its expressions use (Attributes groups)
}

type codeModel struct {
	functions map[string]*codeAccess // by folder under functions/
	keyed     map[string]keyedFacts  // by keyedWrite.Name
	// headers are the header-like constant keys stored into a map[string]string by the
	// code of shared/ and functions/ (answers carry their headers in such maps), each with
	// a function that does it.
	headers map[string]string
}

var (
	codeOnce sync.Once
	codeRes  *codeModel
	codeErr  []string
)

// analyseCode builds the SSA program of functions/... and shared/... once per test binary.
func analyseCode(t *testing.T, root string) *codeModel {
	t.Helper()
	codeOnce.Do(func() { codeRes, codeErr = buildCodeModel(root) })
	for _, e := range codeErr {
		t.Error(e)
	}
	if codeRes == nil {
		t.FailNow()
	}
	return codeRes
}

func buildCodeModel(root string) (*codeModel, []string) {
	var errs []string
	cfg := &packages.Config{Mode: packages.LoadSyntax, Dir: root}
	pkgs, err := packages.Load(cfg, "./functions/...", "./shared/...")
	if err != nil {
		return nil, []string{"loading packages: " + err.Error()}
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			errs = append(errs, p.PkgPath+": "+e.Error())
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	prog, spkgs := ssautil.Packages(pkgs, ssa.InstantiateGenerics)
	prog.Build()

	m := &codeModel{functions: map[string]*codeAccess{}, keyed: map[string]keyedFacts{}}
	var ddbPkg *ssa.Package
	for _, p := range spkgs {
		if p != nil && p.Pkg.Path() == ddbPackage {
			ddbPkg = p
		}
	}
	if ddbPkg == nil {
		return nil, []string{ddbPackage + " not found"}
	}
	barriers := map[*ssa.Function]string{}
	for _, kw := range keyedWrites {
		facts := keyedFacts{}
		keyFn, _ := ddbPkg.Members[kw.KeyFunc].(*ssa.Function)
		if keyFn == nil {
			errs = append(errs, "keyed write "+kw.Name+": shared/ddb has no "+kw.KeyFunc+"; update keyedWrites in infra/apicontract")
			continue
		}
		if facts.Prefix = constantPrefix(keyFn); facts.Prefix == "" {
			errs = append(errs, "keyed write "+kw.Name+": "+kw.KeyFunc+" does not start its key with a constant")
		}
		attrs := map[string]bool{}
		for _, name := range kw.Methods {
			typeName, method, _ := strings.Cut(name, ".")
			var fn *ssa.Function
			if typ, _ := ddbPkg.Members[typeName].(*ssa.Type); typ != nil {
				fn = prog.LookupMethod(types.NewPointer(typ.Type()), ddbPkg.Pkg, method)
			}
			if fn == nil {
				errs = append(errs, "keyed write "+kw.Name+": shared/ddb has no method "+name+"; update keyedWrites in infra/apicontract")
				continue
			}
			barriers[fn] = kw.Name
			if !callsStatically(fn, keyFn) {
				errs = append(errs, "keyed write "+kw.Name+": "+name+" does not build its key with "+kw.KeyFunc)
			}
			for _, a := range expressionNames(fn) {
				attrs[a] = true
			}
		}
		if kw.Attributes {
			facts.Attributes = sortedKeys(attrs)
		}
		m.keyed[kw.Name] = facts
	}

	var apiInit *ssa.Function
	for _, p := range spkgs {
		if p != nil && p.Pkg.Path() == apiPackage {
			apiInit = p.Func("init")
		}
	}
	for _, p := range spkgs {
		if p == nil || p.Pkg.Name() != "main" || !strings.HasPrefix(p.Pkg.Path(), "etwin/functions/") {
			continue
		}
		folder := strings.TrimPrefix(p.Pkg.Path(), "etwin/functions/")
		roots := append([]*ssa.Function{p.Func("main"), p.Func("init")}, servedRoutes(p.Func("main"), apiInit)...)
		main := newWalk(prog, barriers, nil)
		main.skip = map[*ssa.Function]bool{apiInit: true}
		main.run(roots...)
		acc := &codeAccess{Actions: main.actions, QueryTable: main.queryTable, QueryIndex: main.queryIndex,
			Keyed: map[string]map[string]bool{}, PagesLists: main.pagesLists, SignsUnsubscribes: main.optouts, HashesPasswords: main.argon2,
			Why: map[string]string{}}
		for what := range main.first {
			acc.Why[what] = main.path(what)
		}
		for fn, group := range main.barriersHit {
			sub := newWalk(prog, nil, main)
			sub.run(fn)
			if sub.queryTable || sub.queryIndex || sub.pagesLists || sub.argon2 {
				errs = append(errs, folder+": keyed write "+group+" queries, pages or hashes: it cannot be keyed")
			}
			for a := range sub.actions {
				if !acc.Actions[a] {
					if acc.Keyed[group] == nil {
						acc.Keyed[group] = map[string]bool{}
					}
					acc.Keyed[group][a] = true
				}
			}
		}
		errs = append(errs, main.problems...)
		m.functions[folder] = acc
	}
	if len(m.functions) == 0 {
		errs = append(errs, "no main package under functions/")
	}
	m.headers = headerKeys(prog)
	return m, errs
}

// walk is one reachability walk over the SSA program.
type walk struct {
	prog     *ssa.Program
	barriers map[*ssa.Function]string

	seen         map[*ssa.Function]bool
	via          map[*ssa.Function]*ssa.Function // who reached a function first
	current      *ssa.Function
	first        map[string]*ssa.Function // the function that did an action first
	queue        []*ssa.Function
	runtimeTypes []types.Type
	rtSeen       map[string]bool
	invokes      []*ssa.CallCommon
	dynCalls     []*types.Signature // signatures of the calls of function values reached
	onceFuncs    []*ssa.Function    // functions handed to sync.OnceFunc and its kin

	// skip: functions not walked (shared/api's init, which in SSA assigns every route
	// variable, though the compiler initialises them statically: see servedRoutes).
	skip map[*ssa.Function]bool

	actions                map[string]bool
	queryTable, queryIndex bool
	pagesLists, argon2     bool
	optouts                bool
	barriersHit            map[*ssa.Function]string
	problems               []string
}

// newWalk starts a walk; from (may be nil) lends it the runtime types another walk found.
func newWalk(prog *ssa.Program, barriers map[*ssa.Function]string, from *walk) *walk {
	w := &walk{prog: prog, barriers: barriers, seen: map[*ssa.Function]bool{}, rtSeen: map[string]bool{},
		via: map[*ssa.Function]*ssa.Function{}, first: map[string]*ssa.Function{},
		actions: map[string]bool{}, barriersHit: map[*ssa.Function]string{}}
	if from != nil {
		for _, t := range from.runtimeTypes {
			w.addRuntimeType(t)
		}
	}
	return w
}

func (w *walk) run(roots ...*ssa.Function) {
	for _, r := range roots {
		if r != nil {
			w.reach(r)
		}
	}
	for len(w.queue) > 0 {
		f := w.queue[0]
		w.queue = w.queue[1:]
		w.current = f
		w.visit(f)
	}
}

func (w *walk) reach(f *ssa.Function) {
	if f == nil || w.seen[f] || w.skip[f] {
		return
	}
	if group, ok := w.barriers[f]; ok {
		w.barriersHit[f] = group
		return
	}
	w.seen[f] = true
	w.via[f] = w.current
	w.queue = append(w.queue, f)
}

func (w *walk) addRuntimeType(t types.Type) {
	key := types.TypeString(t, nil)
	if w.rtSeen[key] {
		return
	}
	w.rtSeen[key] = true
	w.runtimeTypes = append(w.runtimeTypes, t)
	for _, c := range w.invokes {
		w.dispatch(c, t)
	}
}

func (w *walk) dispatch(c *ssa.CallCommon, t types.Type) {
	iface, ok := c.Value.Type().Underlying().(*types.Interface)
	if !ok || types.IsInterface(t) || !types.Implements(t, iface) {
		return
	}
	w.reach(w.prog.LookupMethod(t, c.Method.Pkg(), c.Method.Name()))
}

// visit records what f does: an SDK operation if f is one, else its calls, the function
// values it takes, the types it puts into interfaces and the requests it builds.
func (w *walk) visit(f *ssa.Function) {
	if len(f.Blocks) == 0 {
		w.external(f)
		return
	}
	if pkg := pkgPath(f); pkg == cursorPackage && (f.Name() == "Encode" || f.Name() == "Decode") {
		w.pagesLists = true
		w.note("cursor", f)
	}
	if pkg := pkgPath(f); pkg == optoutPackage && f.Name() == "mac" {
		w.optouts = true
		w.note("unsubscribe", f)
	}
	var space [32]*ssa.Value
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			rands := instr.Operands(space[:0])
			switch in := instr.(type) {
			case ssa.CallInstruction:
				c := in.Common()
				switch {
				case c.IsInvoke():
					w.invokes = append(w.invokes, c)
					for _, t := range w.runtimeTypes {
						w.dispatch(c, t)
					}
				case c.StaticCallee() != nil:
					callee := c.StaticCallee()
					if isSyncOnce(callee) {
						// sync.OnceFunc(f) calls f when its result, a function of f's
						// type, is called: f is reached by a call of its signature.
						w.reach(callee)
						if g := funcValue(c.Args[0]); g != nil {
							w.onceFuncs = append(w.onceFuncs, g)
							w.matchOnce()
						}
						rands = nil
						break
					}
					w.reach(callee)
					if len(callee.Blocks) == 0 {
						// Values of our own types handed to code we cannot see: any of
						// their methods may be called there.
						for _, a := range c.Args {
							if mi, ok := a.(*ssa.MakeInterface); ok && strings.HasPrefix(typePkg(mi.X.Type()), "etwin/") {
								w.allMethods(mi.X.Type())
							}
						}
					}
				default:
					w.dynCalls = append(w.dynCalls, c.Signature())
					w.matchOnce()
				}
				if len(rands) > 0 {
					rands = rands[1:] // the callee position is not a function value taken
				}
			case *ssa.MakeInterface:
				w.addRuntimeType(in.X.Type())
			case *ssa.FieldAddr:
				w.field(in.X.Type(), in.Field)
			case *ssa.Field:
				w.field(in.X.Type(), in.Field)
			case *ssa.Alloc:
				w.alloc(in)
			}
			for _, op := range rands {
				if g, ok := (*op).(*ssa.Function); ok {
					w.reach(g)
				}
			}
		}
	}
}

// matchOnce reaches the sync.Once* functions whose signature a reached call has.
func (w *walk) matchOnce() {
	for _, f := range w.onceFuncs {
		for _, sig := range w.dynCalls {
			if types.Identical(f.Signature, sig) {
				w.reach(f)
			}
		}
	}
}

func isSyncOnce(f *ssa.Function) bool {
	o := f.Origin()
	if o == nil {
		o = f
	}
	return pkgPath(o) == "sync" && strings.HasPrefix(o.Name(), "Once") && o.Signature.Recv() == nil
}

// funcValue is the function a value is, when it is one (a function or a closure).
func funcValue(v ssa.Value) *ssa.Function {
	switch v := v.(type) {
	case *ssa.Function:
		return v
	case *ssa.MakeClosure:
		if f, ok := v.Fn.(*ssa.Function); ok {
			return f
		}
	}
	return nil
}

func (w *walk) action(a string, f *ssa.Function) {
	w.actions[a] = true
	w.note(a, f)
}

func (w *walk) note(what string, f *ssa.Function) {
	if w.first[what] == nil {
		w.first[what] = f
	}
}

// path shows how the walk got to what, main first (at most 12 steps).
func (w *walk) path(what string) string {
	var steps []string
	for f := w.first[what]; f != nil && len(steps) < 40; f = w.via[f] {
		steps = append(steps, f.String())
	}
	if len(steps) > 12 {
		steps = append(steps[:6], append([]string{"…"}, steps[len(steps)-6:]...)...)
	}
	for i, j := 0, len(steps)-1; i < j; i, j = i+1, j-1 {
		steps[i], steps[j] = steps[j], steps[i]
	}
	return strings.Join(steps, " → ")
}

func (w *walk) allMethods(t types.Type) {
	sets := []types.Type{t}
	if _, ptr := t.(*types.Pointer); !ptr {
		sets = append(sets, types.NewPointer(t))
	}
	for _, tt := range sets {
		ms := w.prog.MethodSets.MethodSet(tt)
		for i := range ms.Len() {
			w.reach(w.prog.MethodValue(ms.At(i)))
		}
	}
}

// external: a function without SSA body (compiled dependency).
func (w *walk) external(f *ssa.Function) {
	pkg := pkgPath(f)
	if strings.HasPrefix(pkg, "etwin/") {
		w.problems = append(w.problems, "no SSA body for "+f.String()+" (load its package with syntax)")
		return
	}
	if pkg == argon2Package && f.Name() == "IDKey" {
		w.argon2 = true
		w.note("argon2", f)
		return
	}
	prefix, ok := iamPrefix[pkg]
	if !ok || f.Signature.Recv() == nil {
		return
	}
	recv := types.TypeString(f.Signature.Recv().Type(), func(*types.Package) string { return "" })
	if pkg == sdkS3 {
		switch a, ok := s3Actions[recv+"."+f.Name()]; {
		case ok:
			w.action(a, f)
		case recv == "*Client" && exported(f.Name()):
			w.action(prefix+":"+f.Name(), f)
		case recv == "*PresignClient" && strings.HasPrefix(f.Name(), "Presign"):
			w.problems = append(w.problems, "infra/apicontract does not know the IAM action of "+f.String()+": add it to s3Actions")
		}
		return
	}
	switch {
	case recv == "*Client" && exported(f.Name()):
		// A transaction is authorised item by item (see field), not as an action.
		if f.Name() != "TransactWriteItems" && f.Name() != "TransactGetItems" {
			w.action(prefix+":"+f.Name(), f)
		}
	case strings.HasSuffix(recv, "Paginator") && f.Name() == "NextPage":
		w.action(prefix+":"+strings.TrimSuffix(strings.TrimPrefix(recv, "*"), "Paginator"), f)
	}
}

func exported(name string) bool {
	return name != "" && name[0] >= 'A' && name[0] <= 'Z' && name != "Options"
}

// field notes the items of a transaction: each kind is authorised as its own action.
func (w *walk) field(t types.Type, index int) {
	st, name := structOf(t)
	if st == nil {
		return
	}
	field := st.Field(index).Name()
	switch name {
	case sdkDynamoType + ".TransactWriteItem":
		action := map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck": "ConditionCheckItem"}[field]
		if action != "" {
			w.action("dynamodb:"+action, w.current)
		}
	case sdkDynamoType + ".TransactGetItem":
		if field == "Get" {
			w.action("dynamodb:GetItem", w.current)
		}
	}
}

// alloc classifies a Query input: on an index if it names one where it is built, on the
// table if it names none, possibly both if it names one only on some paths.
func (w *walk) alloc(a *ssa.Alloc) {
	_, name := structOf(a.Type())
	if name != sdkDynamo+".QueryInput" {
		return
	}
	index, sameBlock := false, false
	for _, ref := range *a.Referrers() {
		if fa, ok := ref.(*ssa.FieldAddr); ok {
			st, _ := structOf(fa.X.Type())
			if st.Field(fa.Field).Name() == "IndexName" {
				index = true
				sameBlock = sameBlock || fa.Block() == a.Block()
			}
		}
	}
	switch {
	case !index:
		w.queryTable = true
	case sameBlock:
		w.queryIndex = true
	default:
		w.queryTable, w.queryIndex = true, true
	}
}

// structOf returns the struct behind t (or *t) and its qualified name.
func structOf(t types.Type) (*types.Struct, string) {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok {
		return nil, ""
	}
	st, _ := n.Underlying().(*types.Struct)
	if st == nil || n.Obj().Pkg() == nil {
		return nil, ""
	}
	return st, n.Obj().Pkg().Path() + "." + n.Obj().Name()
}

func pkgPath(f *ssa.Function) string {
	if f.Pkg != nil {
		return f.Pkg.Pkg.Path()
	}
	if o := f.Object(); o != nil && o.Pkg() != nil {
		return o.Pkg().Path()
	}
	if f.Origin() != nil {
		return pkgPath(f.Origin())
	}
	return ""
}

func typePkg(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := t.(*types.Named); ok && n.Obj().Pkg() != nil {
		return n.Obj().Pkg().Path()
	}
	return ""
}

// constantPrefix is the constant a key function starts its result with ("MEMBER#" for
// func memberPK(id string) string { return "MEMBER#" + id }).
func constantPrefix(f *ssa.Function) string {
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			ret, ok := instr.(*ssa.Return)
			if !ok || len(ret.Results) != 1 {
				continue
			}
			v := ret.Results[0]
			for {
				bin, ok := v.(*ssa.BinOp)
				if !ok {
					break
				}
				v = bin.X
			}
			if c, ok := v.(*ssa.Const); ok && c.Value != nil && c.Value.Kind() == constant.String {
				return constant.StringVal(c.Value)
			}
		}
	}
	return ""
}

func callsStatically(f, callee *ssa.Function) bool {
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			if c, ok := instr.(ssa.CallInstruction); ok && c.Common().StaticCallee() == callee {
				return true
			}
		}
	}
	return false
}

// expressionNames are the constant attribute names f passes to expression.Name.
func expressionNames(f *ssa.Function) []string {
	var out []string
	for _, b := range f.Blocks {
		for _, instr := range b.Instrs {
			c, ok := instr.(ssa.CallInstruction)
			if !ok {
				continue
			}
			callee := c.Common().StaticCallee()
			if callee == nil || pkgPath(callee) != sdkExpression || callee.Name() != "Name" || len(c.Common().Args) != 1 {
				continue
			}
			if k, ok := c.Common().Args[0].(*ssa.Const); ok && k.Value != nil && k.Value.Kind() == constant.String {
				out = append(out, constant.StringVal(k.Value))
			}
		}
	}
	return out
}

var headerName = regexp.MustCompile(`^[A-Z][A-Za-z0-9]*(-[A-Z0-9][A-Za-z0-9]*)+$|^(Location|ETag)$`)

func headerKeys(prog *ssa.Program) map[string]string {
	out := map[string]string{}
	for f := range ssautil.AllFunctions(prog) {
		if pkg := pkgPath(f); !strings.HasPrefix(pkg, "etwin/shared/") && !strings.HasPrefix(pkg, "etwin/functions/") ||
			pkg == "etwin/shared/mail" { // e-mail headers (List-Unsubscribe), not HTTP answers
			continue
		}
		for _, b := range f.Blocks {
			for _, instr := range b.Instrs {
				u, ok := instr.(*ssa.MapUpdate)
				if !ok || !types.Identical(u.Map.Type().Underlying(), types.NewMap(types.Typ[types.String], types.Typ[types.String])) {
					continue
				}
				if k, ok := u.Key.(*ssa.Const); ok && k.Value != nil && k.Value.Kind() == constant.String {
					if name := constant.StringVal(k.Value); headerName.MatchString(name) {
						out[name] = f.String()
					}
				}
			}
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestCodeModelSeesTheCode keeps the walk honest: it must find what is plainly there
// (run with -v for what it found in every function).
func TestCodeModelSeesTheCode(t *testing.T) {
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	m := analyseCode(t, root)
	folders, _ := filepath.Glob(filepath.Join(root, "functions", "*", "main.go"))
	if len(m.functions) != len(folders) || len(folders) == 0 {
		t.Errorf("walked %d functions, functions/ has %d", len(m.functions), len(folders))
	}
	for _, folder := range sortedKeys(boolKeys(m.functions)) {
		a := m.functions[folder]
		t.Logf("%-28s %v query table=%v index=%v keyed=%v pages=%v argon2=%v", folder, sortedKeys(a.Actions),
			a.QueryTable, a.QueryIndex, a.Keyed, a.PagesLists, a.HashesPasswords)
	}
	if f := m.keyed["session touch"]; f.Prefix != "MEMBER#" || !slices.Contains(f.Attributes, "lastSeenAt") {
		t.Errorf("session touch: %+v", f)
	}
	if f := m.keyed["idempotency"]; f.Prefix != "IDEMPOTENCY#" {
		t.Errorf("idempotency: %+v", f)
	}
	for _, h := range []string{"Retry-After", "Idempotent-Replayed", "Content-Type"} {
		if m.headers[h] == "" {
			t.Errorf("the code sets header %s, the walk does not see it (%v)", h, m.headers)
		}
	}
	// A few facts anyone can check by reading the code.
	type fact struct {
		folder string
		ok     func(*codeAccess) bool
		what   string
	}
	for _, c := range []fact{
		{"vocabularies", func(a *codeAccess) bool {
			return !slices.ContainsFunc(sortedKeys(a.Actions), func(x string) bool { return strings.HasPrefix(x, "dynamodb:") }) && !a.PagesLists
		}, "reads no table"},
		{"me-get", func(a *codeAccess) bool {
			return a.Actions["dynamodb:GetItem"] && !a.Actions["dynamodb:UpdateItem"] && a.Keyed["session touch"]["dynamodb:UpdateItem"]
		}, "reads the member; its one write is the session touch"},
		{"session-create", func(a *codeAccess) bool {
			return a.HashesPasswords && a.Actions["dynamodb:PutItem"] && !a.PagesLists && len(a.Keyed["session touch"]) == 0
		}, "verifies the password with argon2id and puts the session"},
		{"project-list", func(a *codeAccess) bool {
			return a.QueryIndex && !a.QueryTable && a.Actions["dynamodb:BatchGetItem"] && a.PagesLists
		}, "queries GSI1 only, then BatchGetItem, and pages"},
		{"registration-complete", func(a *codeAccess) bool { return a.Actions["dynamodb:ConditionCheckItem"] }, "checks conditions in its transaction"},
		{"contact-request-create", func(a *codeAccess) bool {
			return !a.Actions["ses:SendEmail"] && a.Actions["dynamodb:PutItem"]
		}, "commits the invitee's e-mail to the outbox and sends none itself"},
		{"mail-sender", func(a *codeAccess) bool { return a.Actions["ses:SendEmail"] && a.Actions["dynamodb:UpdateItem"] }, "claims and sends"},
		{"resource-get", func(a *codeAccess) bool { return !a.Actions["ses:SendEmail"] && !a.Actions["dynamodb:PutItem"] }, "neither mails nor writes"},
	} {
		if a := m.functions[c.folder]; a == nil || !c.ok(a) {
			t.Errorf("%s %s, but the walk found %+v", c.folder, c.what, a)
		}
	}
}

func boolKeys[V any](m map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}

// apiPackage is the inbound adapter: its route variables are composite literals, which
// the Go compiler initialises statically (a function's binary links only the route it
// serves), but which SSA assigns in the package's init. The walk therefore skips that
// init and starts instead from the functions stored into the route variables main uses.
const apiPackage = "etwin/shared/api"

// servedRoutes are the functions apiInit stores into the shared/api variables main reads.
func servedRoutes(main, apiInit *ssa.Function) []*ssa.Function {
	if main == nil || apiInit == nil {
		return nil
	}
	used := map[*ssa.Global]bool{}
	for _, b := range main.Blocks {
		for _, in := range b.Instrs {
			for _, op := range in.Operands(nil) {
				if g, ok := (*op).(*ssa.Global); ok && g.Pkg != nil && g.Pkg.Pkg.Path() == apiPackage {
					used[g] = true
				}
			}
		}
	}
	// A route literal is built in place (stores into the global's fields) or in a local
	// that is then copied into the global: both count.
	locals := map[ssa.Value]bool{}
	for _, b := range apiInit.Blocks {
		for _, in := range b.Instrs {
			if st, ok := in.(*ssa.Store); ok && used[storedGlobal(st.Addr)] {
				if ld, ok := st.Val.(*ssa.UnOp); ok {
					locals[ld.X] = true
				}
			}
		}
	}
	var out []*ssa.Function
	for _, b := range apiInit.Blocks {
		for _, in := range b.Instrs {
			st, ok := in.(*ssa.Store)
			if !ok {
				continue
			}
			if g := storedGlobal(st.Addr); !used[g] && !locals[rootOf(st.Addr)] {
				continue
			}
			switch v := st.Val.(type) {
			case *ssa.Function:
				out = append(out, v)
			case *ssa.MakeClosure:
				out = append(out, v.Fn.(*ssa.Function))
			}
		}
	}
	return out
}

// rootOf is the value an address is a field of (through nested fields).
func rootOf(v ssa.Value) ssa.Value {
	for {
		a, ok := v.(*ssa.FieldAddr)
		if !ok {
			return v
		}
		v = a.X
	}
}

// storedGlobal is the global an address points into (a field of it, or itself).
func storedGlobal(v ssa.Value) *ssa.Global {
	for {
		switch a := v.(type) {
		case *ssa.Global:
			return a
		case *ssa.FieldAddr:
			v = a.X
		default:
			return nil
		}
	}
}

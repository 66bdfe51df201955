package e2e

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"etwin/infra/apicontract"
	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/ddb"
	"etwin/shared/project"
)

// The authorization matrix of every route under /v1/projects, /v1/nso, /v1/certification
// and /v1/schools/{schoolId}/certification: who gets which
// status. Each file adds the rows of its routes to matrixRows in an init() (this one the
// project lifecycle, authz_matrix_twinspace_test.go the TwinSpace); TestAuthzMatrix fails
// when an OpenAPI route under those prefixes has no row, or a row misses a role.

// matrixRole is who calls.
type matrixRole string

const (
	roleAnonymous     matrixRole = "anonymous"
	roleStranger      matrixRole = "stranger"       // a teacher with nothing to do with the project
	rolePartnerMember matrixRole = "partner member" // a partner with role member
	rolePartnerAdmin  matrixRole = "partner admin"  // a partner with role admin, not a founder
	roleCofounder     matrixRole = "co-founder"
	roleFounder       matrixRole = "founder"
	roleNSOFounder    matrixRole = "nso of a founder country" // RO
	roleNSOOther      matrixRole = "nso of another country"   // DE
	roleCSS           matrixRole = "css"
)

// matrixRoles are the columns, in the order cells run.
var matrixRoles = []matrixRole{roleAnonymous, roleStranger, rolePartnerMember, rolePartnerAdmin, roleCofounder,
	roleFounder, roleNSOFounder, roleNSOOther, roleCSS}

// matrixRow is one route: the project state it is called in, the request, and the
// expected status per role.
type matrixRow struct {
	// State of the fixture project before each call: "" (no project), or a project
	// status: awaiting_cofounder, awaiting_nso, approved. Every project has the founder
	// (RO), the co-founder (FR), a partner member (RO) and a partner admin (FR).
	State string
	// Fresh: a new project for every cell (for writes that change the project).
	Fresh bool
	// Path fills the route's parameters (default: {projectId} → the project's id).
	Path func(w *matrixWorld, p matrixProject) string
	// Body is the request body (nil: none).
	Body func(w *matrixWorld, p matrixProject) any
	// Expect: the status per role (every role).
	Expect map[matrixRole]int
}

// matrixProject is a fixture project.
type matrixProject struct{ ID string }

// matrixWorld: one account per role (teachers with schools; the founder is a contact of
// the co-founder and of both partners), and an FR NSO that helps approve.
type matrixWorld struct {
	session map[matrixRole]string
	id      map[matrixRole]string
	nsoFR   string
	store   *ddb.Store
}

// matrixRows: "METHOD /path" (as in docs/openapi.yaml) → row.
var matrixRows = map[string]matrixRow{}

func init() {
	all := func(teacher, nso, css int) map[matrixRole]int {
		return map[matrixRole]int{roleAnonymous: 401, roleStranger: teacher, rolePartnerMember: teacher, rolePartnerAdmin: teacher,
			roleCofounder: teacher, roleFounder: teacher, roleNSOFounder: nso, roleNSOOther: nso, roleCSS: css}
	}
	matrixRows["POST /v1/projects"] = matrixRow{
		Fresh: true,
		Body:  func(w *matrixWorld, _ matrixProject) any { return projectBody(w.id[roleCofounder]) },
		// Only the founder has the co-founder as a contact (others: 422 naming
		// cofounderId; the co-founder would name themself); staff: 403.
		Expect: map[matrixRole]int{roleAnonymous: 401, roleStranger: 422, rolePartnerMember: 422, rolePartnerAdmin: 422,
			roleCofounder: 422, roleFounder: 201, roleNSOFounder: 403, roleNSOOther: 403, roleCSS: 403},
	}
	matrixRows["GET /v1/projects"] = matrixRow{Expect: all(200, 200, 200)}
	matrixRows["GET /v1/projects/{projectId}"] = matrixRow{State: project.AwaitingNSO,
		Expect: map[matrixRole]int{roleAnonymous: 401, roleStranger: 404, rolePartnerMember: 200, rolePartnerAdmin: 200,
			roleCofounder: 200, roleFounder: 200, roleNSOFounder: 200, roleNSOOther: 404, roleCSS: 200}}
	edit := map[matrixRole]int{roleAnonymous: 401, roleStranger: 404, rolePartnerMember: 403, rolePartnerAdmin: 403,
		roleCofounder: 403, roleFounder: 200, roleNSOFounder: 403, roleNSOOther: 404, roleCSS: 403}
	matrixRows["PATCH /v1/projects/{projectId}"] = matrixRow{State: project.AwaitingNSO, Fresh: true,
		Body:   func(*matrixWorld, matrixProject) any { return map[string]any{"pupils": 30} },
		Expect: edit}
	withdraw := map[matrixRole]int{}
	for k, v := range edit {
		withdraw[k] = v
	}
	withdraw[roleFounder] = 204
	matrixRows["DELETE /v1/projects/{projectId}"] = matrixRow{State: project.AwaitingNSO, Fresh: true, Expect: withdraw}
	matrixRows["POST /v1/projects/{projectId}/cofounder-decision"] = matrixRow{State: project.AwaitingCofounder, Fresh: true,
		Body: func(*matrixWorld, matrixProject) any { return map[string]any{"decision": "approve"} },
		// NSOs do not see a project before the co-founder's approval.
		Expect: map[matrixRole]int{roleAnonymous: 401, roleStranger: 404, rolePartnerMember: 403, rolePartnerAdmin: 403,
			roleCofounder: 200, roleFounder: 403, roleNSOFounder: 404, roleNSOOther: 404, roleCSS: 403}}
	matrixRows["POST /v1/projects/{projectId}/nso-decision"] = matrixRow{State: project.AwaitingNSO, Fresh: true,
		Body: func(*matrixWorld, matrixProject) any { return map[string]any{"decision": "approve", "comment": ""} },
		// Not an NSO: 403 whoever it is (the project is not even read).
		Expect: map[matrixRole]int{roleAnonymous: 401, roleStranger: 403, rolePartnerMember: 403, rolePartnerAdmin: 403,
			roleCofounder: 403, roleFounder: 403, roleNSOFounder: 200, roleNSOOther: 404, roleCSS: 403}}
	matrixRows["GET /v1/nso/projects"] = matrixRow{Path: func(*matrixWorld, matrixProject) string { return "/v1/nso/projects?status=awaiting_nso" },
		Expect: all(403, 200, 403)}
}

var (
	worldOnce sync.Once
	world     *matrixWorld
)

func newMatrixWorld(t *testing.T) *matrixWorld {
	t.Helper()
	w := &matrixWorld{session: map[matrixRole]string{}, id: map[matrixRole]string{},
		store: ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())}
	for role, country := range map[matrixRole]string{roleStranger: "RO", rolePartnerMember: "RO", rolePartnerAdmin: "FR",
		roleCofounder: "FR", roleFounder: "RO"} {
		w.session[role], w.id[role], _ = teacherAccount(t, "Matrix", country)
	}
	w.session[roleNSOFounder], w.id[roleNSOFounder] = staffAccount(t, "nso", "RO")
	w.session[roleNSOOther], w.id[roleNSOOther] = staffAccount(t, "nso", "DE")
	w.session[roleCSS], w.id[roleCSS] = staffAccount(t, "css", "")
	w.nsoFR, _ = staffAccount(t, "nso", "FR")
	for _, other := range []matrixRole{roleCofounder, rolePartnerMember, rolePartnerAdmin} {
		makeContacts(t, w.session[roleFounder], w.session[other], w.id[other])
	}
	return w
}

// newProject founds a project with both partners and brings it to state.
func (w *matrixWorld) newProject(t *testing.T, state string) matrixProject {
	t.Helper()
	id := expect(t, call(t, "POST", "/v1/projects", w.session[roleFounder], projectBody(w.id[roleCofounder])), 201).JSON["projectId"].(string)
	ctx := t.Context() // bounded by the test run's -timeout, not by a guess at the machine's load
	p, ok, err := w.store.GetProject(ctx, id)
	if err != nil || !ok {
		t.Fatalf("reading the new project: %v %v", ok, err)
	}
	// The partners, straight in the table (adding them is the TwinSpace's business).
	now := time.Now().UTC()
	partners := []project.Partner{
		{MemberID: w.id[rolePartnerMember], Role: project.RoleMember, Country: "RO", FirstName: "Matrix", LastName: "Member", AddedAt: now},
		{MemberID: w.id[rolePartnerAdmin], Role: project.RoleAdmin, Country: "FR", FirstName: "Matrix", LastName: "Admin", AddedAt: now},
	}
	if err := w.store.PutProjectTree(ctx, p, partners); err != nil {
		t.Fatal(err)
	}
	if state == project.AwaitingCofounder {
		return matrixProject{ID: id}
	}
	expect(t, call(t, "POST", "/v1/projects/"+id+"/cofounder-decision", w.session[roleCofounder], map[string]any{"decision": "approve"}), 200)
	if state == project.Approved {
		for _, nso := range []string{w.session[roleNSOFounder], w.nsoFR} {
			expect(t, call(t, "POST", "/v1/projects/"+id+"/nso-decision", nso, map[string]any{"decision": "approve", "comment": ""}), 200)
		}
	}
	return matrixProject{ID: id}
}

func TestAuthzMatrix(t *testing.T) {
	contract, err := apicontract.Load()
	if err != nil {
		t.Fatal(err)
	}
	var routes []string
	for _, r := range contract.Routes() {
		_, path, _ := strings.Cut(r, " ")
		if path == "/v1/projects" || strings.HasPrefix(path, "/v1/projects/") || strings.HasPrefix(path, "/v1/nso/") ||
			strings.HasPrefix(path, "/v1/certification/") || strings.HasPrefix(path, "/v1/schools/{schoolId}/certification") {
			if _, ok := matrixRows[r]; ok {
				routes = append(routes, r)
			} else if !twinspaceCovers(r) {
				t.Errorf("%s has no row in the authorization matrix (matrixRows, or twinspaceMatrix for TwinSpace routes)", r)
			}
		}
	}
	for r, row := range matrixRows {
		for _, role := range matrixRoles {
			if _, ok := row.Expect[role]; !ok {
				t.Errorf("the matrix row of %s has no status for %q", r, role)
			}
		}
	}
	if t.Failed() {
		return
	}
	worldOnce.Do(func() { world = newMatrixWorld(t) })
	w := world
	sort.Strings(routes)
	for _, r := range routes {
		row := matrixRows[r]
		method, tmpl, _ := strings.Cut(r, " ")
		var shared *matrixProject
		for _, role := range matrixRoles {
			t.Run(r+" as "+string(role), func(t *testing.T) {
				var p matrixProject
				switch {
				case row.State == "":
				case row.Fresh:
					p = w.newProject(t, row.State)
				default:
					if shared == nil {
						fx := w.newProject(t, row.State)
						shared = &fx
					}
					p = *shared
				}
				path := strings.ReplaceAll(tmpl, "{projectId}", p.ID)
				if row.Path != nil {
					path = row.Path(w, p)
				}
				var body any
				if row.Body != nil {
					body = row.Body(w, p)
				}
				got := call(t, method, path, w.session[role], body)
				if want := row.Expect[role]; got.Status != want {
					t.Errorf("%s %s as %s: %d, want %d: %s", method, path, role, got.Status, want, got.Raw)
				}
			})
		}
	}
}

// twinspaceCovers reports whether the TwinSpace matrix (authz_matrix_twinspace_test.go,
// run by TestAuthzMatrixTwinSpace with its own fixtures) has rows for route, for every actor.
func twinspaceCovers(route string) bool {
	actors := map[string]bool{}
	for _, c := range append(slices.Clone(twinspaceMatrix), filesMatrix...) { // filesMatrix: authz_matrix_files_test.go
		if c.Method+" "+c.Path == route {
			actors[c.Actor] = true
		}
	}
	return len(actors) == len(matrixActors)
}

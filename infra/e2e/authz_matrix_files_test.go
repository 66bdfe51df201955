package e2e

import (
	"strings"
	"testing"
)

// The authorization matrix of the TwinSpace file routes, with the TwinSpace matrix's
// actors and world (authz_matrix_twinspace_test.go): each row runs against a fresh
// approved project holding one uploaded file, {fileId} (created and PUT by the founder).
var filesMatrix = []matrixCase{}

func init() {
	notPartner := func(m map[string]int) map[string]int {
		for _, a := range []string{"stranger", "nso_founder_country", "nso_other_country", "css"} {
			m[a] = 404
		}
		m["anonymous"] = 401
		return m
	}
	routes := []struct {
		method, path, body string
		want               map[string]int
	}{
		{"POST", "/v1/projects/{projectId}/files", `{"name":"plan.pdf","contentType":"application/pdf","size":3}`,
			notPartner(map[string]int{"member": 403, "admin": 201, "cofounder": 201})},
		{"GET", "/v1/projects/{projectId}/files", "", notPartner(map[string]int{"member": 200, "admin": 200, "cofounder": 200})},
		{"GET", "/v1/projects/{projectId}/files/{fileId}", "", notPartner(map[string]int{"member": 200, "admin": 200, "cofounder": 200})},
		{"DELETE", "/v1/projects/{projectId}/files/{fileId}", "", notPartner(map[string]int{"member": 403, "admin": 204, "cofounder": 204})},
	}
	for _, r := range routes {
		for _, actor := range matrixActors {
			filesMatrix = append(filesMatrix, matrixCase{Method: r.method, Path: r.path, Body: r.body, Actor: actor, Want: r.want[actor]})
		}
	}
}

func TestAuthzMatrixFiles(t *testing.T) {
	if len(filesMatrix) != 4*len(matrixActors) {
		t.Fatalf("%d rows", len(filesMatrix))
	}
	w := newTwinWorld(t)
	for _, c := range filesMatrix {
		t.Run(c.Method+" "+c.Path+" as "+c.Actor, func(t *testing.T) {
			pid := w.project(t)
			r := expect(t, call(t, "POST", "/v1/projects/"+pid+"/files", w.founder.Session,
				map[string]any{"name": "a.png", "contentType": "image/png", "size": 4}), 201)
			if code := putBytes(t, r.JSON["uploadUrl"].(string), "image/png", []byte("\x89PNG")); code != 200 {
				t.Fatalf("upload: %d", code)
			}
			fill := strings.NewReplacer("{projectId}", pid, "{fileId}", r.JSON["fileId"].(string)).Replace
			var body any
			if c.Body != "" {
				body = c.Body
			}
			got := call(t, c.Method, fill(c.Path), w.session(c.Actor), body)
			if got.Status != c.Want {
				t.Fatalf("status %d, want %d: %s", got.Status, c.Want, got.Raw)
			}
		})
	}
}

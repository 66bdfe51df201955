package api

import "testing"

// Pupils read pages (GET) and write none: only the GET route lets a pupil's session in.
func TestPageRoutesPupils(t *testing.T) {
	for _, c := range []struct {
		name   string
		pupils bool
		want   bool
	}{
		{ProjectPageGet.Function, ProjectPageGet.Pupils, true},
		{ProjectPageUpdate.Function, ProjectPageUpdate.Pupils, false},
		{ProjectPageDelete.Function, ProjectPageDelete.Pupils, false},
		{ProjectPageCreate.Function, ProjectPageCreate.Pupils, false},
	} {
		if c.pupils != c.want {
			t.Errorf("%s: Pupils %v, want %v", c.name, c.pupils, c.want)
		}
	}
}

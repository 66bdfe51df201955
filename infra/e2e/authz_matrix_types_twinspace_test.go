package e2e

// The TwinSpace matrix's row type and actors (authz_matrix_twinspace_test.go). Its routes
// count as covered in TestAuthzMatrix (authz_matrix_test.go) through twinspaceCovers.

// matrixCase is one row of an authorization matrix: a request as an actor, and the status
// it must get. Path and Body may hold placeholders the matrix's runner fills in.
type matrixCase struct {
	Method, Path, Body string
	Actor              string
	Want               int
}

// matrixActors are the actors every route is tried with.
var matrixActors = []string{"anonymous", "stranger", "member", "admin", "cofounder", "nso_founder_country", "nso_other_country", "css"}

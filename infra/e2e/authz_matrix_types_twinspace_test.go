package e2e

// This file stands in for the shared authorization matrix (infra/e2e/authz_matrix_test.go,
// written on the projects branch): when merging, keep that file's matrixCase and
// matrixActors if they have the same shape, and delete this one.

// matrixCase is one row of an authorization matrix: a request as an actor, and the status
// it must get. Path and Body may hold placeholders the matrix's runner fills in.
type matrixCase struct {
	Method, Path, Body string
	Actor              string
	Want               int
}

// matrixActors are the actors every route is tried with.
var matrixActors = []string{"anonymous", "stranger", "member", "admin", "cofounder", "nso_founder_country", "nso_other_country", "css"}

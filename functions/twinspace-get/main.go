// Command twinspace-get serves GET /v1/projects/{projectId}/twinspace.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.TwinspaceGet) }

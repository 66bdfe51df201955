// Command twinspace-get serves GET /v1/projects/{projectId}/twinspace.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.TwinspaceGet) }

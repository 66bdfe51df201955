// Command project-update serves PATCH /v1/projects/{projectId}.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ProjectUpdate) }

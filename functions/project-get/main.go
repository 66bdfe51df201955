// Command project-get serves GET /v1/projects/{projectId}.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ProjectGet) }

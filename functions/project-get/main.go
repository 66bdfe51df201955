// Command project-get serves GET /v1/projects/{projectId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ProjectGet) }

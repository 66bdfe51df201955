// Command project-page-create serves POST /v1/projects/{projectId}/pages.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ProjectPageCreate) }

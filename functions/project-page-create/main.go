// Command project-page-create serves POST /v1/projects/{projectId}/pages.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ProjectPageCreate) }

// Command project-page-get serves GET /v1/projects/{projectId}/pages/{pageId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ProjectPageGet) }

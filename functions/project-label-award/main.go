// Command project-label-award serves POST /v1/projects/{projectId}/labels.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ProjectLabelAward) }

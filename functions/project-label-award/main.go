// Command project-label-award serves POST /v1/projects/{projectId}/labels.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ProjectLabelAward) }

// Command project-cofounder-decision serves POST /v1/projects/{projectId}/cofounder-decision.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ProjectCofounderDecision) }

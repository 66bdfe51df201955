// Command project-cofounder-decision serves POST /v1/projects/{projectId}/cofounder-decision.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ProjectCofounderDecision) }

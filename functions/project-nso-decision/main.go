// Command project-nso-decision serves POST /v1/projects/{projectId}/nso-decision.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ProjectNSODecision) }

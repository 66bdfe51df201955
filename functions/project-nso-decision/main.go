// Command project-nso-decision serves POST /v1/projects/{projectId}/nso-decision.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ProjectNSODecision) }

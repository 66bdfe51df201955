// Command project-nso-decision serves POST /v1/projects/{projectId}/nso-decision.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ProjectNSODecision) }

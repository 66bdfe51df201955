// Command project-cofounder-decision serves POST /v1/projects/{projectId}/cofounder-decision.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Projects().HandleCofounderDecision })
}

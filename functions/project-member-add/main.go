// Command project-member-add serves POST /v1/projects/{projectId}/members.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.TwinSpaces().HandleAddMember })
}

// Command project-member-remove serves DELETE /v1/projects/{projectId}/members/{memberId}.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.TwinSpaces().HandleRemoveMember })
}

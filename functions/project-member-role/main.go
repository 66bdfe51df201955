// Command project-member-role serves PUT /v1/projects/{projectId}/members/{memberId}/role.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.TwinSpaces().HandleSetRole })
}

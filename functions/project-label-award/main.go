// Command project-label-award serves POST /v1/projects/{projectId}/labels.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.TwinSpaces().HandleAwardLabel })
}

// Command twinspace-get serves GET /v1/projects/{projectId}/twinspace.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.TwinSpaces().HandleGet })
}

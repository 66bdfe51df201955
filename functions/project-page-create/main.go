// Command project-page-create serves POST /v1/projects/{projectId}/pages.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.TwinSpaces().HandleAddPage })
}

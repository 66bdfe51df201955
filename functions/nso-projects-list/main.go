// Command nso-projects-list serves GET /v1/nso/projects.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Projects().HandleNSOQueue })
}

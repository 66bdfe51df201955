// Command school-get serves GET /v1/schools/{schoolId}.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Schools().HandleGet })
}

// Command me-school-add serves POST /v1/me/schools.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Account().HandleAddSchool })
}

// Command session-delete serves DELETE /v1/sessions/current (logout).
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Account().HandleLogout })
}

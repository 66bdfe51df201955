// Command resource-get serves GET /v1/resources/{resourceId}.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Resources().HandleGet })
}

// Command notification-read serves POST /v1/notifications/{id}/read.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Notifications().HandleRead })
}

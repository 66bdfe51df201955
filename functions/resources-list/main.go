// Command resources-list serves GET /v1/resources?theme=&language=&q=.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Resources().HandleList })
}

// Command stats-get serves GET /v1/stats[?country=] ("eTwinning in numbers", public).
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Public(func(d *app.Deps) httpapi.Handler { return d.Stats().HandleGet })
}

// Command session-create serves POST /v1/sessions (login).
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Public(func(d *app.Deps) httpapi.Handler { return d.Account().HandleLogin }, app.NoReplay)
}

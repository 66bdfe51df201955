// Command password-reset-request serves POST /v1/password-resets.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Public(func(d *app.Deps) httpapi.Handler { return d.Account().HandleRequestReset })
}

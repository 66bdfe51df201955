// Command password-reset-confirm serves POST /v1/password-resets/{token}.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Public(func(d *app.Deps) httpapi.Handler { return d.Account().HandleConfirmReset })
}

// Command registration-complete serves POST /v1/registrations/{token}/complete.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Public(func(d *app.Deps) httpapi.Handler { return d.Registration().HandleComplete })
}

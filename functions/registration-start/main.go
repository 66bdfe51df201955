// Command registration-start serves POST /v1/registrations (pre-registration).
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Public(func(d *app.Deps) httpapi.Handler { return d.Registration().HandleStart })
}

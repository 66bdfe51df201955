// Command registration-read serves GET /v1/registrations/{token}.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Public(func(d *app.Deps) httpapi.Handler { return d.Registration().HandleRead })
}

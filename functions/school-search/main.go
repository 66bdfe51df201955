// Command school-search serves GET /v1/schools?q=&country=.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Public(func(d *app.Deps) httpapi.Handler { return d.Schools().HandleSearch })
}

// Command members-search serves GET /v1/members (find eTwinners).
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Directory().HandleSearch })
}

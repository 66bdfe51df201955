// Command member-get serves GET /v1/members/{memberId} (a teacher's public profile).
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Directory().HandleGet })
}

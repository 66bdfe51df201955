// Command staff-create serves POST /v1/staff (a CSS account creates NSO and CSS accounts).
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Staff().HandleCreate })
}

// Command contact-delete serves DELETE /v1/contacts/{memberId}.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Contacts().HandleDelete })
}

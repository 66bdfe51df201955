// Command contacts-list serves GET /v1/contacts.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Contacts().HandleList })
}

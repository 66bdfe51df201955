// Command contact-request-accept serves POST /v1/contacts/requests/{requestId}/accept.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Contacts().HandleAccept })
}

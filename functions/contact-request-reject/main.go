// Command contact-request-reject serves POST /v1/contacts/requests/{requestId}/reject.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Contacts().HandleReject })
}

// Command contact-requests-list serves GET /v1/contacts/requests?direction=.
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Contacts().HandleListRequests })
}

// Command contact-request-withdraw serves DELETE /v1/contacts/requests/{requestId} (the
// sender takes back a pending request).
package main

import (
	"etwin/shared/app"
	"etwin/shared/httpapi"
)

func main() {
	app.Protected(func(d *app.Deps) httpapi.ProtectedHandler { return d.Contacts().HandleWithdraw })
}

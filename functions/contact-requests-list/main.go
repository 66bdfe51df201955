// Command contact-requests-list serves GET /v1/contacts/requests?direction=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ContactRequestsList) }

// Command contact-requests-list serves GET /v1/contacts/requests?direction=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/ssmkey"
)

func main() { app.Serve(api.ContactRequestsList, ssmkey.Read) }

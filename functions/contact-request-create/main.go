// Command contact-request-create serves POST /v1/contacts/requests.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ContactRequestCreate) }

// Command contacts-list serves GET /v1/contacts.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ContactsList) }

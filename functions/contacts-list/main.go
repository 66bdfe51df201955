// Command contacts-list serves GET /v1/contacts.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/ssmkey"
)

func main() { app.Serve(api.ContactsList, ssmkey.Read) }

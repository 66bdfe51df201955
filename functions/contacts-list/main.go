// Command contacts-list serves GET /v1/contacts.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.ContactsList, ssmkey.Read) }

// Command contact-requests-list serves GET /v1/contacts/requests?direction=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.ContactRequestsList, ssmkey.Read) }

// Command contact-request-accept serves POST /v1/contacts/requests/{requestId}/accept.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ContactRequestAccept) }

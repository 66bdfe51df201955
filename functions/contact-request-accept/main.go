// Command contact-request-accept serves POST /v1/contacts/requests/{requestId}/accept.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ContactRequestAccept) }

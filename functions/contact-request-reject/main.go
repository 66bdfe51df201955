// Command contact-request-reject serves POST /v1/contacts/requests/{requestId}/reject.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ContactRequestReject) }

// Command contact-request-reject serves POST /v1/contacts/requests/{requestId}/reject.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ContactRequestReject) }

// Command contact-request-withdraw serves DELETE /v1/contacts/requests/{requestId} (the
// sender takes back a pending request).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ContactRequestWithdraw) }

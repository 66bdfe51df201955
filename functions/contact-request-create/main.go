// Command contact-request-create serves POST /v1/contacts/requests.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ContactRequestCreate) }

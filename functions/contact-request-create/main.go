// Command contact-request-create serves POST /v1/contacts/requests.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ContactRequestCreate) }

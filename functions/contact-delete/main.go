// Command contact-delete serves DELETE /v1/contacts/{memberId}.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ContactDelete) }

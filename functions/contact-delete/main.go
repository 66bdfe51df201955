// Command contact-delete serves DELETE /v1/contacts/{memberId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ContactDelete) }

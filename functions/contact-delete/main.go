// Command contact-delete serves DELETE /v1/contacts/{memberId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ContactDelete) }

// Command staff-create serves POST /v1/staff (a CSS account creates NSO and CSS accounts).
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.StaffCreate) }

// Command staff-create serves POST /v1/staff (a CSS account creates NSO and CSS accounts).
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.StaffCreate) }

// Command staff-create serves POST /v1/staff (a CSS account creates NSO and CSS accounts).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.StaffCreate) }

// Command staff-get serves GET /v1/staff/{memberId} (a CSS account sees a staff account and its welcome e-mail's state).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.StaffGet) }

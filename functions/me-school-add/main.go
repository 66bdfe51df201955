// Command me-school-add serves POST /v1/me/schools.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.MeSchoolAdd) }

// Command me-school-add serves POST /v1/me/schools.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.MeSchoolAdd) }

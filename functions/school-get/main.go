// Command school-get serves GET /v1/schools/{schoolId}.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.SchoolGet) }

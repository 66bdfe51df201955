// Command school-get serves GET /v1/schools/{schoolId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.SchoolGet) }

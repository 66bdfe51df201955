// Command school-get serves GET /v1/schools/{schoolId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.SchoolGet) }

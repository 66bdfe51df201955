// Command me-school-add serves POST /v1/me/schools.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.MeSchoolAdd) }

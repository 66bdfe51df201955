// Command nso-projects-list serves GET /v1/nso/projects.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/ssmkey"
)

func main() { app.Serve(api.NSOProjectsList, ssmkey.Read) }

// Command nso-projects-list serves GET /v1/nso/projects.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.NSOProjectsList) }

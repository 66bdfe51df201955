// Command project-list serves GET /v1/projects.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/ssmkey"
)

func main() { app.Serve(api.ProjectList, ssmkey.Read) }

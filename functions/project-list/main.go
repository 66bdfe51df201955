// Command project-list serves GET /v1/projects.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ProjectList) }

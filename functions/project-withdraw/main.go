// Command project-withdraw serves DELETE /v1/projects/{projectId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ProjectWithdraw) }

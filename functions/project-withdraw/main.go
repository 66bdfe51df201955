// Command project-withdraw serves DELETE /v1/projects/{projectId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ProjectWithdraw) }

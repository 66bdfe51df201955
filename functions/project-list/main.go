// Command project-list serves GET /v1/projects.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.ProjectList, ssmkey.Read) }

// Command nso-projects-list serves GET /v1/nso/projects.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.NSOProjectsList, ssmkey.Read) }

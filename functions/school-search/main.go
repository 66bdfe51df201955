// Command school-search serves GET /v1/schools?q=&country=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.ServePublic(api.SchoolSearch, ssmkey.Read) }

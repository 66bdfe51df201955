// Command school-search serves GET /v1/schools?q=&country=.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/ssmkey"
)

func main() { app.ServePublic(api.SchoolSearch, ssmkey.Read) }

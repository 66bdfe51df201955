// Command members-search serves GET /v1/members (find eTwinners).
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/ssmkey"
)

func main() { app.Serve(api.MembersSearch, ssmkey.Read) }

// Command members-search serves GET /v1/members (find eTwinners).
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.MembersSearch) }

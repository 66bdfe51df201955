// Command members-search serves GET /v1/members (find eTwinners).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.MembersSearch, ssmkey.Read) }

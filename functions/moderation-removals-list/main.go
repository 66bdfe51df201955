// Command moderation-removals-list serves GET /v1/moderation/removals.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.ModerationRemovalsList, ssmkey.Read) }

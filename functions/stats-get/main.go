// Command stats-get serves GET /v1/stats[?country=] ("eTwinning in numbers", public).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServePublic(api.StatsGet) }

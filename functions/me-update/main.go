// Command me-update serves PATCH /v1/me.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.MeUpdate) }

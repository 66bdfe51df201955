// Command me-update serves PATCH /v1/me.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.MeUpdate) }

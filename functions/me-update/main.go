// Command me-update serves PATCH /v1/me.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.MeUpdate) }

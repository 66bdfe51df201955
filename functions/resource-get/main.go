// Command resource-get serves GET /v1/resources/{resourceId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ResourceGet) }

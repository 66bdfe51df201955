// Command resource-create serves POST /v1/resources.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.ResourceCreate) }

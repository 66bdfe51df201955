// Command resource-create serves POST /v1/resources.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ResourceCreate) }

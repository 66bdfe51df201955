// Command resource-create serves POST /v1/resources.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ResourceCreate) }

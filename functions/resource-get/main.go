// Command resource-get serves GET /v1/resources/{resourceId}.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ResourceGet) }

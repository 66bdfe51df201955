// Command resource-get serves GET /v1/resources/{resourceId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ResourceGet) }

// Command session-delete serves DELETE /v1/sessions/current (logout).
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.SessionDelete) }

// Command session-delete serves DELETE /v1/sessions/current (logout).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.SessionDelete) }

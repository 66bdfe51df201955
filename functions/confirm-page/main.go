// Command confirm-page serves GET /confirm/{token}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServeIdentified(api.ConfirmPage) }

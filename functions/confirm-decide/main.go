// Command confirm-decide serves POST /confirm/{token}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServeIdentified(api.ConfirmDecide) }

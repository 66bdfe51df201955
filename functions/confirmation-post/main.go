// Command confirmation-post serves POST /v1/confirmations/{token}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServeIdentified(api.ConfirmationPost) }

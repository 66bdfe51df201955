// Command password-reset-request serves POST /v1/password-resets.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.ServePublic(api.PasswordResetRequest) }

// Command password-reset-request serves POST /v1/password-resets.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServePublic(api.PasswordResetRequest) }

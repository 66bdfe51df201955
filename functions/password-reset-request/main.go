// Command password-reset-request serves POST /v1/password-resets.
package main

import (
	"etwin/functions/internal/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.ServePublic(api.PasswordResetRequest) }

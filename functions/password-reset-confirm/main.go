// Command password-reset-confirm serves POST /v1/password-resets/{token}.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.ServePublic(api.PasswordResetConfirm) }

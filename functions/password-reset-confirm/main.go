// Command password-reset-confirm serves POST /v1/password-resets/{token}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServePublic(api.PasswordResetConfirm) }

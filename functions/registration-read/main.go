// Command registration-read serves GET /v1/registrations/{token}.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.ServePublic(api.RegistrationRead) }

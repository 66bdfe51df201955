// Command registration-read serves GET /v1/registrations/{token}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServePublic(api.RegistrationRead) }

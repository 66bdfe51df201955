// Command registration-start serves POST /v1/registrations (pre-registration).
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.ServePublic(api.RegistrationStart) }

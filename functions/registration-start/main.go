// Command registration-start serves POST /v1/registrations (pre-registration).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.ServePublic(api.RegistrationStart) }

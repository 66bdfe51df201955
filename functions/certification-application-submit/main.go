// Command certification-application-submit serves POST /v1/schools/{schoolId}/certification/application/submit.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.CertificationApplicationSubmit) }

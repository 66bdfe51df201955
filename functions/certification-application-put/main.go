// Command certification-application-put serves PUT /v1/schools/{schoolId}/certification/application (saves the school's draft).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.CertificationApplicationPut) }

// Command certification-application-evaluate serves POST /v1/schools/{schoolId}/certification/application/evaluation (the NSO of the school's country).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.CertificationApplicationEvaluate) }

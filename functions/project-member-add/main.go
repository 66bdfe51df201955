// Command project-member-add serves POST /v1/projects/{projectId}/members.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ProjectMemberAdd) }

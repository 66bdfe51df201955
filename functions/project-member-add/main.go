// Command project-member-add serves POST /v1/projects/{projectId}/members.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ProjectMemberAdd) }

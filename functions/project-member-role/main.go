// Command project-member-role serves PUT /v1/projects/{projectId}/members/{memberId}/role.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ProjectMemberRole) }

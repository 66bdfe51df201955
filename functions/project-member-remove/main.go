// Command project-member-remove serves DELETE /v1/projects/{projectId}/members/{memberId}.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.ProjectMemberRemove) }

// Command project-member-remove serves DELETE /v1/projects/{projectId}/members/{memberId}.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.ProjectMemberRemove) }

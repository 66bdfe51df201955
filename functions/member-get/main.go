// Command member-get serves GET /v1/members/{memberId} (a teacher's public profile).
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.MemberGet) }

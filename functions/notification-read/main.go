// Command notification-read serves POST /v1/notifications/{id}/read.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
)

func main() { lambdarun.Serve(api.NotificationRead) }

// Command notification-read serves POST /v1/notifications/{id}/read.
package main

import (
	"etwin/shared/lambdarun"
	"etwin/shared/api"
)

func main() { lambdarun.Serve(api.NotificationRead) }

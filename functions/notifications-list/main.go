// Command notifications-list serves GET /v1/notifications.
package main

import (
	"etwin/shared/api"
	"etwin/shared/lambdarun"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.NotificationsList, ssmkey.Read) }

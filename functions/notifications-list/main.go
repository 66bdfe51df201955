// Command notifications-list serves GET /v1/notifications.
package main

import (
	"etwin/functions/internal/lambdarun"
	"etwin/shared/api"
	"etwin/shared/ssmkey"
)

func main() { lambdarun.Serve(api.NotificationsList, ssmkey.Read) }

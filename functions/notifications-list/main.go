// Command notifications-list serves GET /v1/notifications.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
	"etwin/shared/ssmkey"
)

func main() { app.Serve(api.NotificationsList, ssmkey.Read) }

// Command notifications-list serves GET /v1/notifications.
package main

import (
	"etwin/shared/api"
	"etwin/shared/app"
)

func main() { app.Serve(api.NotificationsList) }

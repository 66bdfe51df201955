// Command room-expiry runs hourly (EventBridge schedule): it warns each room's creator
// once, a week before the room expires, and closes the rooms past their expiry.
package main

import (
	"context"

	"etwin/shared/app"
	"etwin/shared/lambdarun"
	"etwin/shared/room"
)

func main() {
	lambdarun.Job(func(d *app.Deps) func(context.Context) (room.ExpiryReport, error) {
		return d.Rooms().Expire
	})
}

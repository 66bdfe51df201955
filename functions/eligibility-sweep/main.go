// Command eligibility-sweep runs every 15 minutes (EventBridge schedule): it sweeps each
// open certification round (stage 1), resuming from its checkpoints; a complete sweep
// costs one read per segment.
package main

import (
	"context"

	"etwin/shared/app"
	"etwin/shared/certification"
	"etwin/shared/lambdarun"
)

func main() {
	lambdarun.Job(func(d *app.Deps) func(context.Context) ([]certification.SweepReport, error) {
		jobs := d.CertificationJobs()
		return func(ctx context.Context) ([]certification.SweepReport, error) {
			return jobs.SweepOpen(ctx, certification.DeadlineOf(ctx))
		}
	})
}

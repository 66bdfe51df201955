package outbox

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"etwin/shared/clock"
)

// SuppressionStore writes the suppression list.
type SuppressionStore interface {
	Suppress(ctx context.Context, address, reason string, at time.Time) error
}

// Feedback records SES's bounce and complaint events (the mail-events function).
type Feedback struct {
	Store SuppressionStore
	Now   func() time.Time
}

// sesEvent is the part of an SES event-publishing record that matters here.
type sesEvent struct {
	EventType string `json:"eventType"`
	Bounce    *struct {
		BounceType        string `json:"bounceType"`
		BouncedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint *struct {
		ComplainedRecipients []struct {
			EmailAddress string `json:"emailAddress"`
		} `json:"complainedRecipients"`
	} `json:"complaint"`
}

// Suppressions are the addresses an SES event puts on the suppression list, with why: a
// permanent bounce's recipients ("bounce") and a complaint's ("complaint"). Transient
// bounces and other events suppress nothing; a message that is not an SES event is an
// error.
func Suppressions(message string) (map[string]string, error) {
	var ev sesEvent
	if err := json.Unmarshal([]byte(message), &ev); err != nil {
		return nil, err
	}
	out := map[string]string{}
	switch {
	case strings.EqualFold(ev.EventType, "Bounce") && ev.Bounce != nil && ev.Bounce.BounceType == "Permanent":
		for _, r := range ev.Bounce.BouncedRecipients {
			out[r.EmailAddress] = "bounce"
		}
	case strings.EqualFold(ev.EventType, "Complaint") && ev.Complaint != nil:
		for _, r := range ev.Complaint.ComplainedRecipients {
			out[r.EmailAddress] = "complaint"
		}
	}
	return out, nil
}

// Record puts the addresses of one SES event on the suppression list.
func (f *Feedback) Record(ctx context.Context, message string) error {
	addrs, err := Suppressions(message)
	if err != nil {
		return err
	}
	for addr, why := range addrs {
		if err := f.Store.Suppress(ctx, addr, why, clock.Now(f.Now)); err != nil {
			return err
		}
	}
	return nil
}

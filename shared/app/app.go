// Package app is the composition root every function shares: it reads the environment,
// builds the AWS clients once per container, and starts the Lambda handler with
// structured logging. functions/*/main.go only choose which handler to run.
package app

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"

	"etwin/shared/account"
	"etwin/shared/contact"
	"etwin/shared/cursor"
	"etwin/shared/ddb"
	"etwin/shared/directory"
	"etwin/shared/forum"
	"etwin/shared/httpapi"
	"etwin/shared/notify"
	"etwin/shared/project"
	"etwin/shared/registration"
	"etwin/shared/resource"
	"etwin/shared/school"
	"etwin/shared/sesmail"
	"etwin/shared/staff"
	"etwin/shared/stats"
	"etwin/shared/twinspace"
)

// Deps is what use cases are built from.
type Deps struct {
	Store     *ddb.Store
	Mail      *sesmail.Sender
	PortalURL string
	Cursors   cursor.Signer
}

// Load reads the environment (TABLE_NAME, PORTAL_URL, SENDER_ADDRESS, and CURSOR_KEY or
// CURSOR_KEY_PARAMETER, see cursorKey) and builds the clients.
func Load(ctx context.Context) (*Deps, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	d := &Deps{
		Store:     ddb.New(ddb.NewClient(cfg), table),
		PortalURL: os.Getenv("PORTAL_URL"),
	}
	if from := os.Getenv("SENDER_ADDRESS"); from != "" {
		d.Mail = sesmail.New(cfg, from)
	}
	k, err := cursorKey(ctx, cfg) // CURSOR_KEY, or the parameter CURSOR_KEY_PARAMETER names
	if err != nil {
		return nil, err
	}
	if k != "" {
		if len(k) < 32 {
			return nil, errors.New("the cursor key (CURSOR_KEY or CURSOR_KEY_PARAMETER) must be at least 32 characters")
		}
		d.Cursors = cursor.New(k)
	}
	return d, nil
}

// Registration is the registration service.
func (d *Deps) Registration() *registration.Service {
	return &registration.Service{Store: d.Store, Mail: d.Mail, PortalURL: d.PortalURL}
}

// Account is the account service (sessions, personal page, password resets); it is also
// the authenticator of protected routes.
func (d *Deps) Account() *account.Service {
	return &account.Service{Store: d.Store, Mail: d.Mail, PortalURL: d.PortalURL}
}

// Schools is the school look-up service.
func (d *Deps) Schools() *school.Service {
	return &school.Service{Store: d.Store, Cursors: d.Cursors}
}

// Notifications lists and marks notifications and e-mails them after their action.
func (d *Deps) Notifications() *notify.Service {
	s := &notify.Service{Store: d.Store, PortalURL: d.PortalURL, Cursors: d.Cursors}
	if d.Mail != nil { // a nil *sesmail.Sender must not become a non-nil interface
		s.Mail = d.Mail
	}
	return s
}

// Contacts is the contact-list service (requests, answers, the list).
func (d *Deps) Contacts() *contact.Service {
	return &contact.Service{Store: d.Store, Notify: d.Notifications(), Cursors: d.Cursors}
}

// Forums is the forum service (posts and replies by age group).
func (d *Deps) Forums() *forum.Service {
	return &forum.Service{Store: d.Store, Cursors: d.Cursors}
}

// Resources is the shared-resources service.
func (d *Deps) Resources() *resource.Service {
	return &resource.Service{Store: d.Store, Cursors: d.Cursors}
}

// Directory is the member search and the public profiles.
func (d *Deps) Directory() *directory.Service {
	return &directory.Service{Store: d.Store, Cursors: d.Cursors}
}

// TwinSpaces serves project workspaces: partners, pages and quality labels.
func (d *Deps) TwinSpaces() *twinspace.Service {
	return &twinspace.Service{Store: d.Store, Notify: d.Notifications()}
}

// Projects is the project lifecycle (founding, approvals, NSO queue, reminders).
func (d *Deps) Projects() *project.Service {
	return &project.Service{Store: d.Store, Notify: d.Notifications(), Cursors: d.Cursors}
}

// Job starts a scheduled function (an EventBridge schedule, or `make invoke`): run is
// called once per event, whatever the event holds, and its report is the reply.
func Job[T any](build func(*Deps) func(context.Context) (T, error)) {
	run := build(initialise())
	lambda.StartWithOptions(func(ctx context.Context, _ json.RawMessage) (T, error) {
		report, err := run(ctx)
		if err != nil {
			slog.ErrorContext(ctx, "job failed", "error", err.Error())
		} else {
			slog.InfoContext(ctx, "job done", "report", report)
		}
		return report, err
	}, lambda.WithEnableSIGTERM())
}

// Option changes how a function's handler is wrapped.
type Option func(*options)

type options struct{ noReplay bool }

// NoReplay turns Idempotency-Key replays off for a route whose answer holds a secret that
// must never be stored (the session token of a login): a retried login just signs in again.
func NoReplay(o *options) { o.noReplay = true }

// Staff creates NSO and CSS accounts.
func (d *Deps) Staff() *staff.Service {
	return &staff.Service{Store: d.Store, Mail: d.Mail, PortalURL: d.PortalURL}
}

// Stats serves the public numbers.
func (d *Deps) Stats() *stats.Service { return &stats.Service{Store: d.Store} }

// Public starts a function serving a public route; build picks the handler. Writes honour
// the Idempotency-Key header (httpapi.Idempotent).
func Public(build func(*Deps) httpapi.Handler, opts ...Option) {
	o := apply(opts)
	start(func(d *Deps) httpapi.Handler {
		if o.noReplay {
			return build(d)
		}
		return httpapi.Idempotent(d.Store, build(d))
	})
}

// Protected starts a function serving a route that needs a signed-in member: every
// request goes through the one authentication wrapper first, then the Idempotency-Key
// handling (keys are per member).
func Protected(build func(*Deps) httpapi.ProtectedHandler, opts ...Option) {
	o := apply(opts)
	start(func(d *Deps) httpapi.Handler {
		h := build(d)
		if !o.noReplay {
			h = httpapi.IdempotentProtected(d.Store, h)
		}
		return httpapi.Protected(d.Account(), h)
	})
}

func apply(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}

func start(build func(*Deps) httpapi.Handler) {
	lambda.StartWithOptions(httpapi.Handle(build(initialise())), lambda.WithEnableSIGTERM())
}

// initialise sets up logging (Lambda's JSON format, the request id on every line) and
// builds the dependencies once per container; a failed init exits and Lambda reports it.
func initialise() *Deps {
	slog.SetDefault(lambdacontext.NewLogger())
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := Load(ctx)
	if err != nil {
		// the message names only configuration
		slog.Error("init failed", "error", err.Error())
		os.Exit(1)
	}
	return d
}

// Package app is the composition root every function shares: it reads the environment,
// builds the AWS clients once per container, and starts the Lambda handler with
// structured logging. functions/*/main.go only choose which handler to run.
package app

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"golang.org/x/time/rate"

	"etwin/shared/account"
	"etwin/shared/certification"
	"etwin/shared/confirm"
	"etwin/shared/contact"
	"etwin/shared/cursor"
	"etwin/shared/ddb"
	"etwin/shared/directory"
	"etwin/shared/event"
	"etwin/shared/files"
	"etwin/shared/forum"
	"etwin/shared/httpapi"
	"etwin/shared/mail"
	"etwin/shared/moderation"
	"etwin/shared/notify"
	"etwin/shared/optout"
	"etwin/shared/outbox"
	"etwin/shared/project"
	"etwin/shared/pupil"
	"etwin/shared/registration"
	"etwin/shared/resource"
	"etwin/shared/room"
	"etwin/shared/school"
	"etwin/shared/staff"
	"etwin/shared/stats"
	"etwin/shared/twinspace"
)

// Deps is what use cases are built from. Load fills in the configuration; the clients are
// built on first use, so a function links and builds only what its use case needs (a
// function that sends no mail has no SES client). Tests and tools may set Store and Mail
// themselves.
type Deps struct {
	Store     *ddb.Store
	PortalURL string
	// ConfirmURL is the base URL of the backend's own confirmation and unsubscribe pages
	// in e-mails (CONFIRM_URL: the API's public URL unless the template says otherwise).
	ConfirmURL string
	Cursors    cursor.Signer
	// Unsubscribes signs and checks one-click unsubscribe links (LoadUnsubscribes).
	Unsubscribes optout.Signer
	// ReadKey reads the cursor key parameter (set by Serve from its main.go).
	ReadKey KeyReader

	cfg        aws.Config
	table      string
	sender     string
	storeOnce  sync.Once
	cursorOnce sync.Once
	optoutOnce sync.Once

	// Blobs is the object store of the TwinSpace files (built by Files from the
	// BlobStore that UseBlobStore was given; tests may set it).
	Blobs     files.Blobs
	blobsOnce sync.Once
}

// Load reads the environment (TABLE_NAME, PORTAL_URL, CONFIRM_URL, SENDER_ADDRESS) and the AWS
// configuration (every call bounded); the cursor key is read by Paging, for the routes
// that page lists.
func Load(ctx context.Context) (*Deps, error) {
	table := os.Getenv("TABLE_NAME")
	if table == "" {
		return nil, errors.New("TABLE_NAME is not set")
	}
	cfg, err := config.LoadDefaultConfig(ctx, config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(callTimeout)))
	if err != nil {
		return nil, err
	}
	return &Deps{cfg: cfg, table: table, sender: os.Getenv("SENDER_ADDRESS"), PortalURL: os.Getenv("PORTAL_URL"),
		ConfirmURL: os.Getenv("CONFIRM_URL")}, nil
}

// Paging loads the key that signs list cursors (once, LoadCursors) and returns d: the
// routes that page lists build their service from d.Paging(), so only their functions
// link and call the SSM client. A key that cannot be read stops the function at init.
func (d *Deps) Paging() *Deps {
	d.cursorOnce.Do(func() { mustLoad(d.LoadCursors) })
	return d
}

// mustLoad runs a key's load at init, and stops the function when it fails.
func mustLoad(load func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := load(ctx); err != nil {
		slog.Error("init failed", "error", err.Error()) // names the parameter, never the key
		os.Exit(1)
	}
}

// optouts loads the key of the one-click unsubscribe links (once) and returns its
// signer: only the functions that sign or check them read it.
func (d *Deps) optouts() optout.Signer {
	d.optoutOnce.Do(func() { mustLoad(d.LoadUnsubscribes) })
	return d.Unsubscribes
}

// LoadUnsubscribes sets d.Unsubscribes from UNSUBSCRIBE_KEY(_PARAMETER), unless set
// already. No key leaves the zero Signer: e-mails link to the preferences page instead,
// and every unsubscribe link is unknown.
func (d *Deps) LoadUnsubscribes(ctx context.Context) error {
	if d.Unsubscribes.Ready() {
		return nil
	}
	k, err := signingKey(ctx, d.cfg, d.ReadKey, unsubscribeKeyEnv)
	if err != nil || k == "" {
		return err
	}
	if len(k) < minKeyLength {
		return errors.New("the unsubscribe key (UNSUBSCRIBE_KEY or UNSUBSCRIBE_KEY_PARAMETER) must be at least 32 characters")
	}
	d.Unsubscribes = optout.NewSigner(k)
	return nil
}

// LoadCursors sets d.Cursors from the cursor key (CURSOR_KEY(_PARAMETER), see signingKey), unless a test or a
// tool set them already. No key at all leaves the zero Signer: cursors fail closed.
func (d *Deps) LoadCursors(ctx context.Context) error {
	if d.Cursors.Ready() {
		return nil
	}
	k, err := signingKey(ctx, d.cfg, d.ReadKey, cursorKeyEnv)
	if err != nil {
		return err
	}
	if k == "" {
		return nil
	}
	if len(k) < minKeyLength {
		return errors.New("the cursor key (CURSOR_KEY or CURSOR_KEY_PARAMETER) must be at least 32 characters")
	}
	d.Cursors = cursor.New(k)
	return nil
}

// callTimeout bounds every single AWS call (one HTTP round trip); the request's context,
// which ends before the Lambda deadline, bounds the whole use case.
const callTimeout = 3 * time.Second

// store is the DynamoDB store, built on first use.
func (d *Deps) store() *ddb.Store {
	d.storeOnce.Do(func() {
		if d.Store == nil {
			d.Store = ddb.New(ddb.NewClient(d.cfg), d.table)
		}
	})
	return d.Store
}

// Transport builds the sender that SES mail leaves through (sesmail.New): only the
// mail-sender's main.go hands it over, so no other function links the SES client.
type Transport func(cfg aws.Config, from string) mail.Sender

// Outbox is the delivery of outbox e-mails (the mail-sender function), sending through
// the transport at MAIL_SEND_RATE e-mails per second per container (SES's account rate
// divided by the function's reserved concurrency; unset: no pacing).
func (d *Deps) Outbox(transport Transport) *outbox.Service {
	s := &outbox.Service{Store: d.store(), Links: mail.Links{Portal: d.PortalURL, Confirm: d.ConfirmURL}}
	if u := d.optouts(); u.Ready() {
		s.Unsubscribe = u.Sign
	}
	if d.sender != "" {
		s.Mail = transport(d.cfg, d.sender)
	}
	if r, err := strconv.ParseFloat(os.Getenv("MAIL_SEND_RATE"), 64); err == nil && r > 0 {
		s.Pace = rate.NewLimiter(rate.Limit(r), 1)
	}
	return s
}

// MailEvents records SES's bounce and complaint events (the mail-events function).
func (d *Deps) MailEvents() *outbox.Feedback { return &outbox.Feedback{Store: d.store()} }

// Registration is the registration service.
func (d *Deps) Registration() *registration.Service {
	return &registration.Service{Store: d.store()}
}

// Account is the account service (sessions, personal page, password resets); it is also
// the authenticator of protected routes.
func (d *Deps) Account() *account.Service {
	return &account.Service{Store: d.store()}
}

// Schools is the school look-up service.
func (d *Deps) Schools() *school.Service {
	return &school.Service{Store: d.store(), Cursors: d.Cursors}
}

// Notifications lists and marks notifications.
func (d *Deps) Notifications() *notify.Service {
	return &notify.Service{Store: d.store(), Cursors: d.Cursors}
}

// Contacts is the contact-list service (requests, answers, the list).
func (d *Deps) Contacts() *contact.Service {
	return &contact.Service{Store: d.store(), Cursors: d.Cursors}
}

// Forums is the forum service (posts and replies by age group).
func (d *Deps) Forums() *forum.Service {
	return &forum.Service{Store: d.store(), Cursors: d.Cursors}
}

// Resources is the shared-resources service.
func (d *Deps) Resources() *resource.Service {
	return &resource.Service{Store: d.store(), Cursors: d.Cursors}
}

// Events is professional development: events, attendance and the calendar feed.
func (d *Deps) Events() *event.Service {
	return &event.Service{Store: d.store(), Cursors: d.Cursors}
}

// Directory is the member search and the public profiles.
func (d *Deps) Directory() *directory.Service {
	return &directory.Service{Store: d.store(), Cursors: d.Cursors}
}

// TwinSpaces serves project workspaces: partners, pages and quality labels.
func (d *Deps) TwinSpaces() *twinspace.Service {
	return &twinspace.Service{Store: d.store()}
}

// BlobStore builds the object store of the TwinSpace files on a bucket (s3files.New).
type BlobStore func(cfg aws.Config, bucket string) files.Blobs

var blobStore BlobStore

// UseBlobStore hands over the object store's constructor: the file functions' main.go
// call it before Serve, so that no other function links the S3 client.
func UseBlobStore(b BlobStore) { blobStore = b }

// Files serves a TwinSpace's files: metadata in the table, bytes in the FILES_BUCKET
// bucket (the client built once per container). Without a bucket or a BlobStore the
// function stops at init.
func (d *Deps) Files() *files.Service {
	d.blobsOnce.Do(func() {
		if d.Blobs != nil {
			return
		}
		bucket := os.Getenv("FILES_BUCKET")
		if bucket == "" || blobStore == nil {
			slog.Error("init failed", "error", "FILES_BUCKET is not set, or main.go gave no app.UseBlobStore")
			os.Exit(1)
		}
		d.Blobs = blobStore(d.cfg, bucket)
	})
	return &files.Service{Store: d.store(), Blobs: d.Blobs, Cursors: d.Cursors}
}

// Projects is the project lifecycle (founding, approvals, NSO queue, reminders).
func (d *Deps) Projects() *project.Service {
	return &project.Service{Store: d.store(), Cursors: d.Cursors}
}

// Rooms is the teachers' rooms service.
func (d *Deps) Rooms() *room.Service {
	return &room.Service{Store: d.store(), Cursors: d.Cursors}
}

// Moderation is the list of moderation removals (the removals go through Forums and Rooms).
func (d *Deps) Moderation() *moderation.Service {
	return &moderation.Service{Store: d.store(), Cursors: d.Cursors}
}

// Staff creates NSO and CSS accounts.
func (d *Deps) Staff() *staff.Service {
	return &staff.Service{Store: d.store()}
}

// Certification sets and shows the eTwinning School label's rounds.
func (d *Deps) Certification() *certification.Service {
	return &certification.Service{Store: d.store()}
}

// CertificationJobs are the scheduled certification-window and eligibility-sweep jobs.
func (d *Deps) CertificationJobs() *certification.Jobs {
	st := d.store()
	return &certification.Jobs{Store: st, Sweeper: &certification.Sweeper{Store: st},
		Announcer: certification.Announcements{Store: st}, Reminder: d.Applications()}
}

// Applications is stage 2 of the eTwinning School label: the schools' applications, the
// NSO queue and evaluation, the labels and the reminders.
func (d *Deps) Applications() *certification.Applications {
	return &certification.Applications{Store: d.store(), Cursors: d.Cursors}
}

// Confirmations are the decisions taken from e-mailed links (the confirmation pages and
// their JSON routes), each through the use case of its API route.
func (d *Deps) Confirmations() *confirm.Service {
	st := d.store()
	return &confirm.Service{Store: st, Deciders: confirm.Deciders(d.Contacts(), d.Projects(), d.Rooms(), st)}
}

// OptOuts are the one-click unsubscribe links of notification e-mails.
func (d *Deps) OptOuts() *optout.Service {
	return &optout.Service{Store: d.store(), Signer: d.optouts(), Kinds: notify.EmailKinds}
}

// Pupils is the pupils of TwinSpaces (their accounts, created by their teachers).
func (d *Deps) Pupils() *pupil.Service { return &pupil.Service{Store: d.store()} }

// Stats serves the public numbers.
func (d *Deps) Stats() *stats.Service { return &stats.Service{Store: d.store()} }

// Route is one HTTP use case as a function serves it: functions/<Function>/main.go is
// lambdarun.Serve(route), or lambdarun.ServePublic(route) for a Public one. Every route goes through the
// same middleware chain: the deadline margin, then authentication (unless Public), then
// Idempotency-Key handling (unless NoReplay).
type Route struct {
	Function string
	// Public routes need no session.
	Public bool
	// Identify: a public route that also knows a signed-in caller (a bearer token, when
	// given, must be a valid session; see httpapi.Identify).
	Identify bool
	// NoReplay turns Idempotency-Key replays off for a route whose answer holds a secret
	// that must never be stored (the session token of a login), and for the HTML pages
	// people open from e-mails (forms send no key).
	NoReplay bool
	// Pupils: a pupil's session (principal.RolePupil) may call this route; every other
	// route answers a pupil 403. The use case still checks the pupil's project.
	Pupils  bool
	Handler func(*Deps) httpapi.Handler
}

// Chain is the route's handler with its middleware, built from d (the benchmarks run
// routes in process through it; functions start with lambdarun.Serve or ServePublic, which
// build MemberChain or PublicChain without the run-time choice, so each links only what it
// uses).
func (r Route) Chain(d *Deps) httpapi.Handler {
	if r.Identify {
		return r.IdentifiedChain(d)
	}
	if r.Public {
		return r.PublicChain(d)
	}
	return r.MemberChain(d)
}

// MemberChain is the chain of a route for signed-in members: deadline, authentication,
// idempotency.
func (r Route) MemberChain(d *Deps) httpapi.Handler {
	return httpapi.Chain(r.Handler(d), httpapi.Deadline(httpapi.DeadlineMargin), httpapi.Authenticate(d.Sessions()), httpapi.PupilGate(r.Pupils), r.idempotency(d))
}

// PublicChain is the chain of a public route: deadline, idempotency.
func (r Route) PublicChain(d *Deps) httpapi.Handler {
	return httpapi.Chain(r.Handler(d), httpapi.Deadline(httpapi.DeadlineMargin), r.idempotency(d))
}

// IdentifiedChain is the chain of a public route that identifies a signed-in caller:
// deadline, identification, idempotency.
func (r Route) IdentifiedChain(d *Deps) httpapi.Handler {
	return httpapi.Chain(r.Handler(d), httpapi.Deadline(httpapi.DeadlineMargin), httpapi.Identify(d.Sessions()), httpapi.PupilGate(r.Pupils), r.idempotency(d))
}

func (r Route) idempotency(d *Deps) httpapi.Middleware {
	if r.NoReplay {
		return func(h httpapi.Handler) httpapi.Handler { return h }
	}
	return httpapi.Idempotency(d.store())
}

// Sessions checks the bearer token of protected routes (it sends no mail).
func (d *Deps) Sessions() httpapi.Authenticator {
	return &account.Service{Store: d.store()}
}

// Init builds the dependencies once per container (read, when given, reads the cursor key
// parameter); a failed init exits, and Lambda reports it.
func Init(read ...KeyReader) *Deps {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := Load(ctx)
	if err != nil {
		// the message names only configuration
		slog.Error("init failed", "error", err.Error())
		os.Exit(1)
	}
	if len(read) > 0 {
		d.ReadKey = read[0]
	}
	return d
}

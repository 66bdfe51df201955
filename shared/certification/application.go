package certification

// Stage 2 of the eTwinning School label (DOMAIN.md §9): each eligible school's one shared
// application in a round, saved as a draft with optimistic versions, submitted once
// complete inside the open round, evaluated by the NSO of the school's country; approval
// awards the label. This file holds the rules (pure functions) and the use cases
// (Applications).

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/clock"
	"etwin/shared/cursor"
	"etwin/shared/member"
	"etwin/shared/notify"
	"etwin/shared/principal"
	"etwin/shared/school"
)

// The states of an application.
const (
	AppDraft     = "draft"
	AppSubmitted = "submitted"
	AppApproved  = "approved"
	AppRejected  = "rejected"
)

// Limits of an application's texts and lists.
const (
	MaxAppText        = 5000 // characters of one text (answer, practice, plans)
	MaxEvidenceItems  = 20   // evidence items per list
	MaxEvidenceLen    = 500  // characters per evidence item
	MaxHeadTeacherLen = 200
	MaxFeedback       = 5000
)

// LabelYears: a label holds for two calendar years from its approval.
const LabelYears = 2

// Reminder delays.
const (
	IdleAfter             = 14 * 24 * time.Hour // a draft untouched this long reminds its school
	NSOWaitAfter          = 14 * 24 * time.Hour // a submission waiting this long reminds its NSO
	ClosingReminderBefore = 7 * 24 * time.Hour  // from this long before closesAt, unsubmitted drafts are reminded
)

// NoticeChunk is how many notifications one transaction writes (each is two items, the
// notification and its outbox e-mail, within DynamoDB's 100 with the application's own).
const NoticeChunk = 45

// Reminder lists: the sparse index entry an application carries (ReminderIndex).
const (
	ListNotify    = "NOTIFY"    // notifications still to write
	ListDraft     = "DRAFT"     // unsubmitted (draft or rejected), a reminder still possible
	ListSubmitted = "SUBMITTED" // waiting for its NSO, the reminder not sent yet
)

// OnlineSafety is the preliminary question on the school's online-safety policy.
type OnlineSafety struct {
	Answer   string   `json:"answer"`
	Evidence []string `json:"evidence"`
}

// ElementPart is the school's description of one Mission element.
type ElementPart struct {
	Practice string   `json:"practice"`
	Evidence []string `json:"evidence"`
	Plans    string   `json:"plans"`
}

// Declaration is the head teacher's signed declaration.
type Declaration struct {
	HeadTeacher string     `json:"headTeacher"`
	SignedAt    *time.Time `json:"signedAt,omitempty"`
}

// Notice is a notification decided but not written yet (written in chunks, each with the
// removal of its notices from the application, so exactly once).
type Notice struct {
	MemberID string `json:"memberId"`
	Kind     string `json:"kind"`
}

// Application is a school's application in a round (one per school and round).
type Application struct {
	Year         int                    `json:"year"`
	SchoolID     string                 `json:"schoolId"`
	Country      string                 `json:"-"`
	Status       string                 `json:"status"`
	Version      int                    `json:"version"`
	OnlineSafety OnlineSafety           `json:"onlineSafety"`
	Elements     map[string]ElementPart `json:"elements"`
	Declaration  Declaration            `json:"declaration"`
	CreatedAt    time.Time              `json:"createdAt"`
	UpdatedAt    time.Time              `json:"updatedAt"`
	UpdatedBy    string                 `json:"updatedBy"`
	SubmittedAt  *time.Time             `json:"submittedAt,omitempty"`
	SubmittedBy  string                 `json:"submittedBy,omitempty"`
	EvaluatedAt  *time.Time             `json:"evaluatedAt,omitempty"`
	EvaluatedBy  string                 `json:"-"`
	// Feedback is the NSO's last feedback; it stays visible after a rejected application
	// becomes a draft again.
	Feedback string `json:"feedback,omitempty"`
	// Reminders sent: the idle reminder for the draft as touched at IdleRemindedFor, the
	// NSO reminder for the submission at NSORemindedFor, the closing reminder once.
	IdleRemindedFor *time.Time `json:"-"`
	NSORemindedFor  *time.Time `json:"-"`
	ClosingReminded bool       `json:"-"`
	Pending         []Notice   `json:"-"`
}

// Label is a school's eTwinning School label (item CERTLABEL#<year>).
type Label struct {
	Year       int       `json:"year"`
	ValidUntil time.Time `json:"validUntil"`
	SchoolID   string    `json:"-"`
	AwardedAt  time.Time `json:"-"`
}

// QueueEntry is a submitted application in its country's NSO queue.
type QueueEntry struct {
	SchoolID    string    `json:"schoolId"`
	SchoolName  string    `json:"schoolName"`
	Year        int       `json:"year"`
	SubmittedAt time.Time `json:"submittedAt"`
	Country     string    `json:"-"`
}

// SaveInput is the body of PUT /v1/schools/{schoolId}/certification/application: the
// whole draft as the school has it now (parts it leaves out are empty in the draft).
type SaveInput struct {
	Version      *int                   `json:"version,omitempty"`
	OnlineSafety *OnlineSafety          `json:"onlineSafety,omitempty"`
	Elements     map[string]ElementPart `json:"elements,omitempty"`
	Declaration  *DeclarationInput      `json:"declaration,omitempty"`
}

// DeclarationInput is the declaration as sent (signedAt RFC 3339).
type DeclarationInput struct {
	HeadTeacher string `json:"headTeacher,omitempty"`
	SignedAt    string `json:"signedAt,omitempty"`
}

// EvaluationInput is the body of POST .../application/evaluation.
type EvaluationInput struct {
	Decision string  `json:"decision"`
	Feedback *string `json:"feedback,omitempty"`
}

// Decisions of an evaluation.
const (
	DecisionApprove = "approve"
	DecisionReject  = "reject"
)

// Validate checks an evaluation (422 naming each bad field): decision approve or reject;
// feedback at most MaxFeedback characters, required on a rejection.
func (in *EvaluationInput) Validate() error {
	var f apperr.Fields
	switch in.Decision {
	case DecisionApprove, DecisionReject:
	case "":
		f.Add("decision", "required")
	default:
		f.Add("decision", "must be approve or reject")
	}
	fb := ""
	if in.Feedback != nil {
		fb = *in.Feedback
	}
	member.CheckText(&f, "feedback", fb, MaxFeedback, in.Decision == DecisionReject)
	return f.Err()
}

// Draft is what a save body says, checked against the round's elements: 422 naming every
// bad field (texts over MaxAppText, more than MaxEvidenceItems evidence items or one over
// MaxEvidenceLen, more than MaxElements elements or a key that is not one of the round's,
// a bad signedAt).
func (in *SaveInput) Draft(elements []string) (OnlineSafety, map[string]ElementPart, Declaration, error) {
	var f apperr.Fields
	var os OnlineSafety
	if in.OnlineSafety != nil {
		os = OnlineSafety{Answer: in.OnlineSafety.Answer, Evidence: evidenceOf(in.OnlineSafety.Evidence)}
		member.CheckText(&f, "onlineSafety.answer", os.Answer, MaxAppText, false)
		checkEvidence(&f, "onlineSafety.evidence", os.Evidence)
	}
	els := map[string]ElementPart{}
	if len(in.Elements) > MaxElements {
		f.Add("elements", "must hold at most %d elements (this round has %d)", MaxElements, len(elements))
		return OnlineSafety{}, nil, Declaration{}, f.Err()
	}
	keys := make([]string, 0, len(in.Elements))
	for k := range in.Elements {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		p := in.Elements[k]
		if !slices.Contains(elements, k) {
			f.Add("elements."+clipKey(k), "is not an element of this round (%s)", strings.Join(elements, ", "))
			continue
		}
		p.Evidence = evidenceOf(p.Evidence)
		member.CheckText(&f, "elements."+k+".practice", p.Practice, MaxAppText, false)
		checkEvidence(&f, "elements."+k+".evidence", p.Evidence)
		member.CheckText(&f, "elements."+k+".plans", p.Plans, MaxAppText, false)
		els[k] = p
	}
	var d Declaration
	if in.Declaration != nil {
		d.HeadTeacher = strings.TrimSpace(in.Declaration.HeadTeacher)
		if d.HeadTeacher != "" {
			member.CheckPersonName(&f, "declaration.headTeacher", d.HeadTeacher, MaxHeadTeacherLen)
		}
		if raw := in.Declaration.SignedAt; raw != "" {
			if t, ok := date(&f, "declaration.signedAt", raw, false); ok {
				d.SignedAt = &t
			}
		}
	}
	if err := f.Err(); err != nil {
		return OnlineSafety{}, nil, Declaration{}, err
	}
	return os, els, d, nil
}

func evidenceOf(items []string) []string {
	out := make([]string, len(items))
	for i, e := range items {
		out[i] = strings.TrimSpace(e)
	}
	return out
}

func checkEvidence(f *apperr.Fields, field string, items []string) {
	if len(items) > MaxEvidenceItems {
		f.Add(field, "must list at most %d items", MaxEvidenceItems)
		return
	}
	for i, e := range items {
		member.CheckText(f, field+"."+strconv.Itoa(i), e, MaxEvidenceLen, true)
	}
}

func clipKey(k string) string {
	if r := []rune(k); len(r) > 50 {
		return string(r[:50]) + "…"
	}
	return k
}

// Missing names every part an application still lacks to be submitted in a round with
// elements, in the order of the form: onlineSafety.answer and .evidence; for each element
// elements.<key>.practice, .evidence and .plans; declaration.headTeacher and .signedAt.
func Missing(a Application, elements []string) []apperr.FieldError {
	var f apperr.Fields
	if strings.TrimSpace(a.OnlineSafety.Answer) == "" {
		f.Add("onlineSafety.answer", "required")
	}
	if len(a.OnlineSafety.Evidence) == 0 {
		f.Add("onlineSafety.evidence", "must list at least one item")
	}
	for _, k := range elements {
		p := a.Elements[k]
		if strings.TrimSpace(p.Practice) == "" {
			f.Add("elements."+k+".practice", "required")
		}
		if len(p.Evidence) == 0 {
			f.Add("elements."+k+".evidence", "must list at least one item")
		}
		if strings.TrimSpace(p.Plans) == "" {
			f.Add("elements."+k+".plans", "required")
		}
	}
	if a.Declaration.HeadTeacher == "" {
		f.Add("declaration.headTeacher", "required")
	}
	if a.Declaration.SignedAt == nil {
		f.Add("declaration.signedAt", "required")
	}
	return f
}

func notOpen(w Window, now time.Time) error {
	return apperr.Conflict(fmt.Sprintf("The %d certification round is %s: applications are saved and submitted only while it is open (until %s).",
		w.Year, w.StatusAt(now), w.ClosesAt.Format(time.RFC3339)))
}

// Save is the draft after a save of in by who at now, from the stored application a (nil:
// none yet), in round w for a school that is eligible or not: 409 when the round is not
// open, the school not eligible, the version absent while a draft exists (or given while
// none does), the version stale, or the application submitted or approved; 422 for a bad
// body. A rejected application becomes a draft again (its feedback stays).
func Save(a *Application, in SaveInput, w Window, eligible bool, who principal.Principal, now time.Time) (Application, error) {
	if w.StatusAt(now) != StatusOpen {
		return Application{}, notOpen(w, now)
	}
	if !eligible {
		return Application{}, apperr.Conflict("This school is not eligible in this round: stage 1 (the automatic selection) did not select it, so it cannot apply.")
	}
	switch {
	case a == nil && in.Version != nil:
		return Application{}, apperr.Conflict("This school has no saved application yet: leave version out for the first save.",
			apperr.FieldError{Field: "version", Message: "no draft exists yet"})
	case a != nil && in.Version == nil:
		return Application{}, apperr.Conflict("Another member of the school saved the application first: read it and save again with its version.",
			apperr.FieldError{Field: "version", Message: "required: a draft exists"})
	case a != nil && *in.Version != a.Version:
		return Application{}, apperr.Conflict("The application was changed since you read it: read it again (its version is now "+strconv.Itoa(a.Version)+") and save again.",
			apperr.FieldError{Field: "version", Message: "stale"})
	}
	if a != nil && (a.Status == AppSubmitted || a.Status == AppApproved) {
		return Application{}, apperr.Conflict("The application is " + a.Status + ": it can no longer be edited.")
	}
	os, els, d, err := in.Draft(w.Elements)
	if err != nil {
		return Application{}, err
	}
	var next Application
	if a != nil {
		next = *a
	} else {
		next = Application{Year: w.Year, CreatedAt: now.UTC()}
	}
	next.Status = AppDraft
	next.OnlineSafety, next.Elements, next.Declaration = os, els, d
	next.UpdatedAt, next.UpdatedBy = now.UTC(), who.MemberID
	return next, nil
}

// Submit is a after who submits it at now in round w (nil a: nothing saved yet): 409
// outside the open round or while it is submitted or approved; 422 naming every missing
// part when incomplete.
func Submit(a *Application, w Window, who principal.Principal, now time.Time) (Application, error) {
	if w.StatusAt(now) != StatusOpen {
		return Application{}, notOpen(w, now)
	}
	if a == nil {
		return Application{}, incomplete(Missing(Application{}, w.Elements))
	}
	if a.Status == AppSubmitted || a.Status == AppApproved {
		return Application{}, apperr.Conflict("The school's application is already " + a.Status + ": one application per school.")
	}
	if miss := Missing(*a, w.Elements); len(miss) > 0 {
		return Application{}, incomplete(miss)
	}
	next := *a
	at := now.UTC()
	next.Status, next.SubmittedAt, next.SubmittedBy = AppSubmitted, &at, who.MemberID
	return next, nil
}

func incomplete(miss []apperr.FieldError) error {
	e := apperr.Invalid(miss...)
	e.Detail = "The application is not complete: every part named below must be filled in before it is submitted."
	return e
}

// Evaluate is a after its NSO's decision at now, and the label an approval awards (valid
// LabelYears calendar years from now): 409 unless a is submitted.
func Evaluate(a Application, in EvaluationInput, who principal.Principal, now time.Time) (Application, *Label, error) {
	if a.Status != AppSubmitted {
		return Application{}, nil, apperr.Conflict("Only a submitted application is evaluated; this one is " + a.Status + ".")
	}
	next := a
	at := now.UTC()
	next.EvaluatedAt, next.EvaluatedBy = &at, who.MemberID
	next.Feedback = ""
	if in.Feedback != nil {
		next.Feedback = *in.Feedback
	}
	if in.Decision == DecisionReject {
		next.Status = AppRejected
		return next, nil, nil
	}
	next.Status = AppApproved
	return next, &Label{Year: a.Year, SchoolID: a.SchoolID, AwardedAt: at, ValidUntil: at.AddDate(LabelYears, 0, 0)}, nil
}

// touched is when an unsubmitted application last changed: its last save, or the
// rejection that made it editable again.
func touched(a Application) time.Time {
	t := a.UpdatedAt
	if a.Status == AppRejected && a.EvaluatedAt != nil && a.EvaluatedAt.After(t) {
		t = *a.EvaluatedAt
	}
	return t
}

func unsubmitted(a Application) bool { return a.Status == AppDraft || a.Status == AppRejected }

// Due are the reminders an application is due at a moment.
type Due struct {
	Idle    bool // untouched for IdleAfter while the round is open
	Closing bool // unsubmitted in the round's last ClosingReminderBefore
	NSO     bool // submitted and waiting for its NSO for NSOWaitAfter
}

// Any reports whether a reminder is due.
func (d Due) Any() bool { return d.Idle || d.Closing || d.NSO }

// DueReminders are the reminders a is due at now in round w, each once: the idle one once
// per stretch untouched, the closing one once per round, the NSO one once per submission.
func DueReminders(a Application, w Window, now time.Time) Due {
	var d Due
	open := w.StatusAt(now) == StatusOpen
	if open && unsubmitted(a) {
		t := touched(a)
		d.Idle = !now.Before(t.Add(IdleAfter)) && (a.IdleRemindedFor == nil || !a.IdleRemindedFor.Equal(t))
		d.Closing = !now.Before(w.ClosesAt.Add(-ClosingReminderBefore)) && !a.ClosingReminded
	}
	if a.Status == AppSubmitted && a.SubmittedAt != nil {
		d.NSO = !now.Before(a.SubmittedAt.Add(NSOWaitAfter)) && (a.NSORemindedFor == nil || !a.NSORemindedFor.Equal(*a.SubmittedAt))
	}
	return d
}

// MarkReminded records the reminders d as sent (an idle and a closing reminder due at once
// are one notification, both marked).
func MarkReminded(a Application, d Due) Application {
	if d.Idle || d.Closing {
		t := touched(a)
		a.IdleRemindedFor = &t
	}
	if d.Closing {
		a.ClosingReminded = true
	}
	if d.NSO && a.SubmittedAt != nil {
		t := *a.SubmittedAt
		a.NSORemindedFor = &t
	}
	return a
}

// ReminderIndex is the reminder list a sits in ("" for none) and the time it sorts by:
// NOTIFY while notifications are pending; DRAFT while unsubmitted and a reminder is still
// possible, by the time it was touched; SUBMITTED while submitted and its NSO not
// reminded, by its submission. Approved applications sit in none.
func ReminderIndex(a Application) (list string, at time.Time) {
	switch {
	case len(a.Pending) > 0:
		return ListNotify, a.UpdatedAt
	case unsubmitted(a):
		t := touched(a)
		if !a.ClosingReminded || a.IdleRemindedFor == nil || !a.IdleRemindedFor.Equal(t) {
			return ListDraft, t
		}
	case a.Status == AppSubmitted && a.SubmittedAt != nil:
		if a.NSORemindedFor == nil || !a.NSORemindedFor.Equal(*a.SubmittedAt) {
			return ListSubmitted, *a.SubmittedAt
		}
	}
	return "", time.Time{}
}

// Kinds of the notifications of applications (notify.Kind*).
func decisionKind(status string) string {
	if status == AppApproved {
		return notify.KindCertificationApproved
	}
	return notify.KindCertificationRejected
}

// SubjectOf is what an application's notifications link to.
func SubjectOf(schoolID string) notify.Subject {
	return notify.Subject{Type: notify.SubjectCertificationApplication, ID: schoolID}
}

// Errors the application store reports.
var (
	// ErrApplicationExists: a first save found one saved meanwhile.
	ErrApplicationExists = errors.New("certification: application exists")
	// ErrNoApplication: no application to update.
	ErrNoApplication = errors.New("certification: no application")
	// ErrApplicationBusy: others kept changing the application.
	ErrApplicationBusy = apperr.Busy("Others changed this application at the same moment; please try again.")
)

// Effects are what a decision on an application writes besides it, in the same
// transaction.
type Effects struct {
	Queue   *QueueEntry // put into its country's NSO queue
	Unqueue *QueueEntry // removed from it
	Label   *Label
	Notices []notify.Notification
}

// ApplicationStore is what the applications need from the database (shared/ddb).
type ApplicationStore interface {
	Store
	Verdict(ctx context.Context, year int, schoolID string) (Verdict, bool, error)
	GetMember(ctx context.Context, memberID string) (member.Member, bool, error)
	GetSchool(ctx context.Context, schoolID string) (school.School, bool, error)
	// Application reads the school's application in round year (strongly consistent).
	Application(ctx context.Context, year int, schoolID string) (Application, bool, error)
	// CreateApplication writes a first application (version 1); ErrApplicationExists
	// when one exists.
	CreateApplication(ctx context.Context, a Application) (Application, error)
	// UpdateApplication reads the application, lets decide change it and writes it with
	// the effects in one transaction, conditional on the version read (decide may run
	// more than once; its error aborts, nothing written); ErrNoApplication when absent.
	UpdateApplication(ctx context.Context, year int, schoolID string, decide func(a *Application) (Effects, error)) (Application, error)
	// CertLabel is the school's newest label still valid at now (nil: none).
	CertLabel(ctx context.Context, schoolID string, now time.Time) (*Label, error)
	// SchoolTeacherIDs are the member ids of the school's registered eTwinners.
	SchoolTeacherIDs(ctx context.Context, schoolID string) ([]string, error)
	NSOAccounts(ctx context.Context, country string) ([]string, error)
	// ListCertQueue lists a page of a country's submitted applications, oldest first.
	ListCertQueue(ctx context.Context, country, after string, limit int) ([]QueueEntry, string, error)
	// DueApplications are the school ids in round year's reminder list whose sort time is
	// at or before dueBy (zero: all of the list), one Query.
	DueApplications(ctx context.Context, year int, list string, dueBy time.Time) ([]string, error)
}

// Applications runs stage 2.
type Applications struct {
	Store   ApplicationStore
	Cursors cursor.Signer
	Now     func() time.Time
}

func (s *Applications) now() time.Time { return clock.Now(s.Now) }

// Round is the round a school's certification is in at now: the newest round announced by
// then (announced, open or closed); nil when none is.
func (s *Applications) Round(ctx context.Context, now time.Time) (*Window, error) {
	var cur *Window
	err := s.Store.EachWindow(ctx, func(w Window) bool {
		if !now.Before(w.AnnounceAt) {
			cur = &w
			return false
		}
		return true
	})
	return cur, err
}

func noSuchSchool() error { return apperr.NotFound("No such school.") }

// schoolOf checks that who is a member of schoolID (404 otherwise, whoever asks).
func (s *Applications) schoolOf(ctx context.Context, who principal.Principal, schoolID string) error {
	if !school.ValidID(schoolID) || who.Role != member.RoleTeacher {
		return noSuchSchool()
	}
	m, found, err := s.Store.GetMember(ctx, who.MemberID)
	if err != nil {
		return err
	}
	if !found || !m.HasSchool(schoolID) {
		return noSuchSchool()
	}
	return nil
}

// RoundRef is the round a school's certification is in.
type RoundRef struct {
	Year     int       `json:"year"`
	Status   string    `json:"status"`
	OpensAt  time.Time `json:"opensAt"`
	ClosesAt time.Time `json:"closesAt"`
}

// View is GET /v1/schools/{schoolId}/certification.
type View struct {
	SchoolID    string       `json:"schoolId"`
	Round       *RoundRef    `json:"round,omitempty"`
	Eligible    bool         `json:"eligible"`
	Criteria    *Criteria    `json:"criteria,omitempty"`
	Elements    []string     `json:"elements"`
	Application *Application `json:"application,omitempty"`
	Label       *Label       `json:"label,omitempty"`
}

// shown fills an application's lists for the answer ([] rather than null).
func shown(a Application) *Application {
	if a.OnlineSafety.Evidence == nil {
		a.OnlineSafety.Evidence = []string{}
	}
	if a.Elements == nil {
		a.Elements = map[string]ElementPart{}
	}
	for k, p := range a.Elements {
		if p.Evidence == nil {
			p.Evidence = []string{}
			a.Elements[k] = p
		}
	}
	return &a
}

// Get is a school's certification as its members see it (strangers: 404).
func (s *Applications) Get(ctx context.Context, who principal.Principal, schoolID string) (View, error) {
	if err := s.schoolOf(ctx, who, schoolID); err != nil {
		return View{}, err
	}
	now := s.now()
	v := View{SchoolID: schoolID, Elements: []string{}}
	label, err := s.Store.CertLabel(ctx, schoolID, now)
	if err != nil {
		return View{}, err
	}
	v.Label = label
	w, err := s.Round(ctx, now)
	if err != nil || w == nil {
		return v, err
	}
	v.Round = &RoundRef{Year: w.Year, Status: w.StatusAt(now), OpensAt: w.OpensAt, ClosesAt: w.ClosesAt}
	v.Elements = slices.Clone(w.Elements)
	verdict, found, err := s.Store.Verdict(ctx, w.Year, schoolID)
	if err != nil {
		return View{}, err
	}
	if found {
		v.Eligible = verdict.Eligible
		c := verdict.Criteria
		v.Criteria = &c
	}
	a, found, err := s.Store.Application(ctx, w.Year, schoolID)
	if err != nil {
		return View{}, err
	}
	if found {
		v.Application = shown(a)
	}
	return v, nil
}

// noRound is the answer to a write when no round has been announced.
func noRound() error {
	return apperr.Conflict("No certification round has been announced: there is nothing to apply to.")
}

// memberRound is the round a member of the school acts in (404 for a stranger, 409 when
// no round is announced), and the time it was read at.
func (s *Applications) memberRound(ctx context.Context, who principal.Principal, schoolID string) (*Window, time.Time, error) {
	if err := s.schoolOf(ctx, who, schoolID); err != nil {
		return nil, time.Time{}, err
	}
	now := s.now()
	w, err := s.Round(ctx, now)
	if err != nil {
		return nil, now, err
	}
	if w == nil {
		return nil, now, noRound()
	}
	return w, now, nil
}

// Save saves the school's draft (PUT .../certification/application): see the func Save for
// the rules. Answers the application with its new version.
func (s *Applications) Save(ctx context.Context, who principal.Principal, schoolID string, in SaveInput) (Application, error) {
	w, now, err := s.memberRound(ctx, who, schoolID)
	if err != nil {
		return Application{}, err
	}
	verdict, found, err := s.Store.Verdict(ctx, w.Year, schoolID)
	if err != nil {
		return Application{}, err
	}
	eligible := found && verdict.Eligible
	if in.Version == nil {
		next, err := Save(nil, in, *w, eligible, who, now)
		if err != nil {
			return Application{}, err
		}
		sc, found, err := s.Store.GetSchool(ctx, schoolID)
		if err != nil {
			return Application{}, err
		}
		if !found {
			return Application{}, noSuchSchool()
		}
		next.SchoolID, next.Country = schoolID, sc.Country
		a, err := s.Store.CreateApplication(ctx, next)
		if errors.Is(err, ErrApplicationExists) {
			return Application{}, apperr.Conflict("Another member of the school saved the application first: read it and save again with its version.",
				apperr.FieldError{Field: "version", Message: "required: a draft exists"})
		}
		if err != nil {
			return Application{}, err
		}
		return *shown(a), nil
	}
	a, err := s.Store.UpdateApplication(ctx, w.Year, schoolID, func(a *Application) (Effects, error) {
		next, err := Save(a, in, *w, eligible, who, s.now())
		if err != nil {
			return Effects{}, err
		}
		*a = next
		return Effects{}, nil
	})
	if errors.Is(err, ErrNoApplication) {
		_, err = Save(nil, in, *w, eligible, who, now)
	}
	if err != nil {
		return Application{}, err
	}
	return *shown(a), nil
}

// Submit submits the school's application (POST .../application/submit): it enters the
// NSO queue of the school's country.
func (s *Applications) Submit(ctx context.Context, who principal.Principal, schoolID string) (Application, error) {
	w, now, err := s.memberRound(ctx, who, schoolID)
	if err != nil {
		return Application{}, err
	}
	sc, found, err := s.Store.GetSchool(ctx, schoolID)
	if err != nil {
		return Application{}, err
	}
	if !found {
		return Application{}, noSuchSchool()
	}
	a, err := s.Store.UpdateApplication(ctx, w.Year, schoolID, func(a *Application) (Effects, error) {
		next, err := Submit(a, *w, who, s.now())
		if err != nil {
			return Effects{}, err
		}
		*a = next
		return Effects{Queue: &QueueEntry{SchoolID: schoolID, SchoolName: sc.Name, Year: a.Year, SubmittedAt: *a.SubmittedAt, Country: a.Country}}, nil
	})
	if errors.Is(err, ErrNoApplication) {
		_, err = Submit(nil, *w, who, now)
	}
	if err != nil {
		return Application{}, err
	}
	return *shown(a), nil
}

// Queue lists the submitted applications of the caller's (an NSO's) country, oldest
// first; status may be absent or "submitted" (else 400).
func (s *Applications) Queue(ctx context.Context, who principal.Principal, status, cur string, limit int) (cursor.Page[QueueEntry], error) {
	if who.Role != member.RoleNSO {
		return cursor.Page[QueueEntry]{}, apperr.Forbidden("Only National Support Organisations have a queue of applications.")
	}
	if status != "" && status != AppSubmitted {
		return cursor.Page[QueueEntry]{}, apperr.BadRequest("Only the queue of submitted applications is listed.",
			apperr.FieldError{Field: "status", Message: "must be submitted"})
	}
	list := "certqueue:" + who.Country
	after, err := s.Cursors.Resume(cur, who.MemberID, list, s.now())
	if err != nil {
		return cursor.Page[QueueEntry]{}, err
	}
	items, next, err := s.Store.ListCertQueue(ctx, who.Country, after, limit)
	if err != nil {
		return cursor.Page[QueueEntry]{}, err
	}
	return cursor.NewPage(s.Cursors, who.MemberID, list, items, next, s.now())
}

// MayEvaluate: only NSO accounts evaluate applications (403 otherwise; which NSO is
// decided on the school).
func MayEvaluate(who principal.Principal) error {
	if who.Role != member.RoleNSO {
		return apperr.Forbidden("Only the National Support Organisation of the school's country evaluates its application.")
	}
	return nil
}

// Evaluate records the decision of the NSO of the school's country (teachers and the CSS:
// 403; another country's NSO: 404): approval awards the label; either way the school's
// eTwinners are notified (the first NoticeChunk in the decision's transaction, the rest in
// follow-up transactions, each removing its notices from the application's pending list,
// so each is written once; what a crash leaves pending, Remind writes).
func (s *Applications) Evaluate(ctx context.Context, who principal.Principal, schoolID string, in EvaluationInput) (Application, error) {
	if err := MayEvaluate(who); err != nil {
		return Application{}, err
	}
	if err := in.Validate(); err != nil {
		return Application{}, err
	}
	if !school.ValidID(schoolID) {
		return Application{}, noSuchSchool()
	}
	sc, found, err := s.Store.GetSchool(ctx, schoolID)
	if err != nil {
		return Application{}, err
	}
	if !found || sc.Country != who.Country {
		return Application{}, noSuchSchool()
	}
	now := s.now()
	w, err := s.Round(ctx, now)
	if err != nil {
		return Application{}, err
	}
	if w == nil {
		return Application{}, apperr.NotFound("This school has no application in the current round.")
	}
	a, err := s.Store.UpdateApplication(ctx, w.Year, schoolID, func(a *Application) (Effects, error) {
		now := s.now()
		next, label, err := Evaluate(*a, in, who, now)
		if err != nil {
			return Effects{}, err
		}
		fx := Effects{Label: label, Unqueue: &QueueEntry{SchoolID: schoolID, Year: a.Year, SubmittedAt: *a.SubmittedAt, Country: a.Country}}
		ids, err := s.Store.SchoolTeacherIDs(ctx, schoolID)
		if err != nil {
			return Effects{}, err
		}
		kind := decisionKind(next.Status)
		for _, id := range ids {
			next.Pending = append(next.Pending, Notice{MemberID: id, Kind: kind})
		}
		if fx.Notices, err = s.takeNotices(ctx, &next, now); err != nil {
			return Effects{}, err
		}
		*a = next
		return fx, nil
	})
	if errors.Is(err, ErrNoApplication) {
		return Application{}, apperr.NotFound("This school has no application in the current round.")
	}
	if err != nil {
		return Application{}, err
	}
	if len(a.Pending) > 0 {
		if _, err := s.flush(ctx, a.Year, schoolID); err != nil {
			slog.ErrorContext(ctx, "certification notices left for the reminders job", "schoolId", schoolID, "error", err.Error())
		}
	}
	return *shown(a), nil
}

// takeNotices builds the notifications of up to NoticeChunk of a's pending notices and
// removes those from a (a member no longer registered is skipped).
func (s *Applications) takeNotices(ctx context.Context, a *Application, now time.Time) ([]notify.Notification, error) {
	n := min(len(a.Pending), NoticeChunk)
	var out []notify.Notification
	for _, p := range a.Pending[:n] {
		m, found, err := s.Store.GetMember(ctx, p.MemberID)
		if err != nil {
			return nil, err
		}
		if found {
			out = append(out, notify.New(notify.RecipientOf(m), p.Kind, SubjectOf(a.SchoolID), nil, now))
		}
	}
	a.Pending = slices.Clone(a.Pending[n:])
	if len(a.Pending) == 0 {
		a.Pending = nil
	}
	return out, nil
}

// errNothingToDo ends a decision that writes nothing.
var errNothingToDo = errors.New("certification: nothing to do")

// flush writes the application's pending notices, a chunk per transaction; it returns how
// many notifications it wrote.
func (s *Applications) flush(ctx context.Context, year int, schoolID string) (int, error) {
	written := 0
	for {
		var n int
		_, err := s.Store.UpdateApplication(ctx, year, schoolID, func(a *Application) (Effects, error) {
			if len(a.Pending) == 0 {
				return Effects{}, errNothingToDo
			}
			ns, err := s.takeNotices(ctx, a, s.now())
			n = len(ns)
			return Effects{Notices: ns}, err
		})
		switch {
		case errors.Is(err, errNothingToDo), errors.Is(err, ErrNoApplication):
			return written, nil
		case err != nil:
			return written, err
		}
		written += n
	}
}

// Remind sends the reminders of round w due at now, each once however often and however
// concurrently it runs (the reminder's mark is written with its first notifications,
// conditional on the version read): (a) a draft untouched for IdleAfter while the round is
// open reminds its school's eTwinners; (b) an application waiting for its NSO for
// NSOWaitAfter reminds that country's NSO accounts; (c) from ClosingReminderBefore before
// closesAt, every unsubmitted draft reminds its school. It also writes notices an earlier
// decision left pending. The due applications are found with Queries of the reminder
// lists (ReminderIndex), never a Scan. sent counts the notifications written.
func (s *Applications) Remind(ctx context.Context, w Window, now time.Time) (sent int, err error) {
	pending, err := s.Store.DueApplications(ctx, w.Year, ListNotify, time.Time{})
	if err != nil {
		return 0, err
	}
	var failed error
	for _, id := range pending {
		n, err := s.flush(ctx, w.Year, id)
		sent += n
		failed = errors.Join(failed, err)
	}
	var due []string
	if w.StatusAt(now) == StatusOpen {
		by := now.Add(-IdleAfter)
		if !now.Before(w.ClosesAt.Add(-ClosingReminderBefore)) {
			by = time.Time{} // the last week: every unsubmitted draft
		}
		ids, err := s.Store.DueApplications(ctx, w.Year, ListDraft, by)
		if err != nil {
			return sent, err
		}
		due = append(due, ids...)
	}
	ids, err := s.Store.DueApplications(ctx, w.Year, ListSubmitted, now.Add(-NSOWaitAfter))
	if err != nil {
		return sent, err
	}
	due = append(due, ids...)
	for _, id := range due {
		n, err := s.remindOne(ctx, w, id, now)
		sent += n
		if err != nil {
			slog.ErrorContext(ctx, "certification reminder failed", "schoolId", id, "error", err.Error())
			failed = errors.Join(failed, err)
		}
	}
	return sent, failed
}

func (s *Applications) remindOne(ctx context.Context, w Window, schoolID string, now time.Time) (int, error) {
	var n int
	a, err := s.Store.UpdateApplication(ctx, w.Year, schoolID, func(a *Application) (Effects, error) {
		d := DueReminders(*a, w, now)
		if !d.Any() {
			return Effects{}, errNothingToDo
		}
		next := MarkReminded(*a, d)
		var ids []string
		var kind string
		var err error
		switch {
		case d.NSO:
			kind = notify.KindCertificationNSOReminder
			ids, err = s.Store.NSOAccounts(ctx, a.Country)
		case d.Closing:
			kind = notify.KindCertificationClosingReminder
			ids, err = s.Store.SchoolTeacherIDs(ctx, schoolID)
		default:
			kind = notify.KindCertificationDraftReminder
			ids, err = s.Store.SchoolTeacherIDs(ctx, schoolID)
		}
		if err != nil {
			return Effects{}, err
		}
		for _, id := range ids {
			next.Pending = append(next.Pending, Notice{MemberID: id, Kind: kind})
		}
		ns, err := s.takeNotices(ctx, &next, now)
		if err != nil {
			return Effects{}, err
		}
		n = len(ns)
		*a = next
		return Effects{Notices: ns}, nil
	})
	switch {
	case errors.Is(err, errNothingToDo), errors.Is(err, ErrNoApplication):
		return 0, nil
	case err != nil:
		return 0, err
	}
	if len(a.Pending) > 0 {
		m, err := s.flush(ctx, w.Year, schoolID)
		return n + m, err
	}
	return n, nil
}

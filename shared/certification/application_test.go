package certification

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/principal"
)

var (
	t0      = time.Date(2093, 3, 1, 0, 0, 0, 0, time.UTC)
	teacher = principal.Principal{MemberID: "m-1", Role: "teacher"}
	nso     = principal.Principal{MemberID: "m-nso", Role: "nso", Country: "HR"}
)

func openRound() Window {
	return Window{Year: 2093, AnnounceAt: t0.Add(-48 * time.Hour), OpensAt: t0.Add(-24 * time.Hour), ClosesAt: t0.Add(60 * 24 * time.Hour),
		Elements: []string{"shared_leadership", "pupil_agency"}}
}

func ptr[T any](v T) *T { return &v }

func completeInput() SaveInput {
	els := map[string]ElementPart{}
	for _, k := range openRound().Elements {
		els[k] = ElementPart{Practice: "We do " + k, Evidence: []string{"https://example.org/" + k}, Plans: "More " + k}
	}
	return SaveInput{OnlineSafety: &OnlineSafety{Answer: "We have a policy.", Evidence: []string{"https://example.org/policy"}},
		Elements: els, Declaration: &DeclarationInput{HeadTeacher: "Ana Pop", SignedAt: "2093-02-27T10:00:00Z"}}
}

func statusOf(err error) int { return apperr.StatusOf(err) }

func TestSaveRules(t *testing.T) {
	w := openRound()
	first, err := Save(nil, SaveInput{}, w, true, teacher, t0)
	if err != nil || first.Status != AppDraft || first.Year != 2093 || first.UpdatedBy != "m-1" {
		t.Fatalf("first save: %+v %v", first, err)
	}
	first.Version = 1
	cases := []struct {
		name     string
		a        *Application
		in       SaveInput
		w        Window
		eligible bool
		now      time.Time
		status   int
	}{
		{"not eligible", nil, SaveInput{}, w, false, t0, 409},
		{"round not open yet", nil, SaveInput{}, w, true, w.OpensAt.Add(-time.Second), 409},
		{"round closed", nil, SaveInput{}, w, true, w.ClosesAt, 409},
		{"version on a first save", nil, SaveInput{Version: ptr(1)}, w, true, t0, 409},
		{"no version on a draft", &first, SaveInput{}, w, true, t0, 409},
		{"stale version", &first, SaveInput{Version: ptr(2)}, w, true, t0, 409},
		{"submitted", &Application{Status: AppSubmitted, Version: 3}, SaveInput{Version: ptr(3)}, w, true, t0, 409},
		{"approved", &Application{Status: AppApproved, Version: 3}, SaveInput{Version: ptr(3)}, w, true, t0, 409},
		{"unknown element", &first, SaveInput{Version: ptr(1), Elements: map[string]ElementPart{"wizardry": {}}}, w, true, t0, 422},
	}
	for _, c := range cases {
		if _, err := Save(c.a, c.in, c.w, c.eligible, teacher, c.now); statusOf(err) != c.status {
			t.Errorf("%s: %v, want %d", c.name, err, c.status)
		}
	}
	// the last instant before the close still saves
	if _, err := Save(&first, SaveInput{Version: ptr(1)}, w, true, teacher, w.ClosesAt.Add(-time.Nanosecond)); err != nil {
		t.Errorf("just before the close: %v", err)
	}
	// a rejected application becomes a draft again, its feedback kept
	rej := Application{Status: AppRejected, Version: 4, Feedback: "More evidence, please."}
	next, err := Save(&rej, SaveInput{Version: ptr(4)}, w, true, teacher, t0)
	if err != nil || next.Status != AppDraft || next.Feedback != rej.Feedback {
		t.Fatalf("after a rejection: %+v %v", next, err)
	}
}

func TestSaveBoundsNameEveryField(t *testing.T) {
	in := completeInput()
	in.OnlineSafety.Answer = strings.Repeat("a", MaxAppText+1)
	in.OnlineSafety.Evidence = make([]string, MaxEvidenceItems+1)
	p := in.Elements["pupil_agency"]
	p.Evidence = []string{"ok", strings.Repeat("e", MaxEvidenceLen+1), " "}
	p.Plans = "bad\x00text"
	in.Elements["pupil_agency"] = p
	in.Elements["zz_unknown"] = ElementPart{}
	in.Declaration.SignedAt = "yesterday"
	in.Declaration.HeadTeacher = "Ana\u202ePop"
	_, _, _, err := in.Draft(openRound().Elements)
	want := []string{"onlineSafety.answer", "onlineSafety.evidence", "elements.pupil_agency.evidence.1", "elements.pupil_agency.evidence.2",
		"elements.pupil_agency.plans", "elements.zz_unknown", "declaration.headTeacher", "declaration.signedAt"}
	if got := apperr.FieldNames(err); !slices.Equal(got, want) || statusOf(err) != 422 {
		t.Fatalf("fields %v, want %v (%v)", got, want, err)
	}
	// too many element keys: one error, not one per key
	in = completeInput()
	for i := range MaxElements + 1 {
		in.Elements[fmt.Sprintf("k%d", i)] = ElementPart{}
	}
	if _, _, _, err := in.Draft(openRound().Elements); !slices.Equal(apperr.FieldNames(err), []string{"elements"}) {
		t.Fatalf("too many elements: %v", err)
	}
	// exactly at the bounds: accepted
	in = completeInput()
	in.OnlineSafety.Answer = strings.Repeat("a", MaxAppText)
	in.OnlineSafety.Evidence = slices.Repeat([]string{strings.Repeat("e", MaxEvidenceLen)}, MaxEvidenceItems)
	if _, _, _, err := in.Draft(openRound().Elements); err != nil {
		t.Fatalf("at the bounds: %v", err)
	}
}

func TestMissingNamesEveryPath(t *testing.T) {
	w := openRound()
	all := apperr.FieldNames(apperr.Invalid(Missing(Application{}, w.Elements)...))
	want := []string{"onlineSafety.answer", "onlineSafety.evidence",
		"elements.shared_leadership.practice", "elements.shared_leadership.evidence", "elements.shared_leadership.plans",
		"elements.pupil_agency.practice", "elements.pupil_agency.evidence", "elements.pupil_agency.plans",
		"declaration.headTeacher", "declaration.signedAt"}
	if !slices.Equal(all, want) {
		t.Fatalf("missing %v, want %v", all, want)
	}
	in := completeInput()
	p := in.Elements["pupil_agency"]
	p.Plans = "  "
	in.Elements["pupil_agency"] = p
	in.Declaration.HeadTeacher = ""
	a, err := Save(nil, in, w, true, teacher, t0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Submit(&a, w, teacher, t0)
	if got := apperr.FieldNames(err); statusOf(err) != 422 || !slices.Equal(got, []string{"elements.pupil_agency.plans", "declaration.headTeacher"}) {
		t.Fatalf("submit incomplete: %v %v", got, err)
	}
	if _, err := Submit(nil, w, teacher, t0); statusOf(err) != 422 || len(apperr.FieldNames(err)) != len(want) {
		t.Fatalf("submit with nothing saved: %v", err)
	}
}

func TestSubmitAndEvaluate(t *testing.T) {
	w := openRound()
	a, err := Save(nil, completeInput(), w, true, teacher, t0)
	if err != nil {
		t.Fatal(err)
	}
	a.SchoolID = "s-1"
	if _, err := Submit(&a, w, teacher, w.ClosesAt); statusOf(err) != 409 {
		t.Fatalf("submit at the close: %v", err)
	}
	sub, err := Submit(&a, w, teacher, t0)
	if err != nil || sub.Status != AppSubmitted || sub.SubmittedAt == nil || sub.SubmittedBy != "m-1" {
		t.Fatalf("submit: %+v %v", sub, err)
	}
	if _, err := Submit(&sub, w, teacher, t0); statusOf(err) != 409 {
		t.Fatalf("submit twice: %v", err)
	}
	if _, _, err := Evaluate(a, EvaluationInput{Decision: DecisionApprove}, nso, t0); statusOf(err) != 409 {
		t.Fatalf("evaluating a draft: %v", err)
	}
	bad := EvaluationInput{Decision: DecisionReject}
	if err := bad.Validate(); !slices.Equal(apperr.FieldNames(err), []string{"feedback"}) {
		t.Fatalf("reject without feedback: %v", err)
	}
	if err := (&EvaluationInput{Decision: "maybe"}).Validate(); !slices.Equal(apperr.FieldNames(err), []string{"decision"}) {
		t.Fatalf("unknown decision: %v", err)
	}
	rej, label, err := Evaluate(sub, EvaluationInput{Decision: DecisionReject, Feedback: ptr("Add evidence.")}, nso, t0)
	if err != nil || label != nil || rej.Status != AppRejected || rej.Feedback != "Add evidence." {
		t.Fatalf("reject: %+v %v %v", rej, label, err)
	}
	again, err := Submit(&rej, w, teacher, t0.Add(time.Hour))
	if err != nil {
		t.Fatalf("resubmit after a rejection: %v", err)
	}
	at := t0.Add(2 * time.Hour)
	ok, label, err := Evaluate(again, EvaluationInput{Decision: DecisionApprove}, nso, at)
	if err != nil || ok.Status != AppApproved || label == nil || label.Year != 2093 || !label.ValidUntil.Equal(at.AddDate(2, 0, 0)) {
		t.Fatalf("approve: %+v %+v %v", ok, label, err)
	}
	if _, err := Save(&ok, SaveInput{Version: ptr(ok.Version)}, w, true, teacher, at); statusOf(err) != 409 {
		t.Fatalf("saving an approved application: %v", err)
	}
}

func TestRemindersOnceAndIndex(t *testing.T) {
	w := openRound()
	a, _ := Save(nil, SaveInput{}, w, true, teacher, t0)
	if l, at := ReminderIndex(a); l != ListDraft || !at.Equal(t0) {
		t.Fatalf("a draft's index: %s %v", l, at)
	}
	if d := DueReminders(a, w, t0.Add(IdleAfter-time.Second)); d.Any() {
		t.Fatalf("due too early: %+v", d)
	}
	d := DueReminders(a, w, t0.Add(IdleAfter))
	if !d.Idle || d.Closing || d.NSO {
		t.Fatalf("idle at 14 days: %+v", d)
	}
	a = MarkReminded(a, d)
	if d := DueReminders(a, w, t0.Add(IdleAfter+time.Hour)); d.Any() {
		t.Fatalf("idle twice: %+v", d)
	}
	if l, _ := ReminderIndex(a); l != ListDraft {
		t.Fatalf("the closing reminder is still to come: %q", l)
	}
	last := w.ClosesAt.Add(-ClosingReminderBefore)
	if d := DueReminders(a, w, last.Add(-time.Second)); d.Closing {
		t.Fatal("closing reminder a second early")
	}
	d = DueReminders(a, w, last)
	if !d.Closing {
		t.Fatalf("closing reminder due: %+v", d)
	}
	a = MarkReminded(a, d)
	if d := DueReminders(a, w, last.Add(time.Hour)); d.Any() {
		t.Fatalf("closing twice: %+v", d)
	}
	if l, _ := ReminderIndex(a); l != "" {
		t.Fatalf("nothing left to remind, still listed in %q", l)
	}
	if d := DueReminders(Application{Status: AppDraft, UpdatedAt: t0}, w, w.ClosesAt); d.Any() {
		t.Fatalf("a closed round reminds drafts: %+v", d)
	}
	// a submission waits for its NSO
	sub := Application{Status: AppSubmitted, SubmittedAt: ptr(t0), UpdatedAt: t0}
	if l, at := ReminderIndex(sub); l != ListSubmitted || !at.Equal(t0) {
		t.Fatalf("a submission's index: %s", l)
	}
	d = DueReminders(sub, w, t0.Add(NSOWaitAfter))
	if !d.NSO || d.Idle {
		t.Fatalf("NSO due: %+v", d)
	}
	sub = MarkReminded(sub, d)
	if DueReminders(sub, w, t0.Add(NSOWaitAfter+time.Hour)).Any() {
		t.Fatal("NSO reminded twice")
	}
	if l, _ := ReminderIndex(sub); l != "" {
		t.Fatalf("reminded submission still listed in %q", l)
	}
	sub.Pending = []Notice{{MemberID: "m-2"}}
	if l, _ := ReminderIndex(sub); l != ListNotify {
		t.Fatalf("pending notices list: %q", l)
	}
	if l, _ := ReminderIndex(Application{Status: AppApproved}); l != "" {
		t.Fatalf("approved listed in %q", l)
	}
}

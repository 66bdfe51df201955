package e2e

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"etwin/infra/localstack"
	"etwin/infra/testenv"
	"etwin/shared/certification"
	"etwin/shared/ddb"
	"etwin/shared/principal"
)

// Stage 2 over HTTP: a school's application, its NSO's evaluation, the label, the
// reminders. Each test owns a round year no other test uses and clears the rounds before
// and after it, so that its round is the newest announced one only while it runs.

func certStore() *ddb.Store {
	return ddb.New(localstack.NewDynamoClient(testenv.DDBEndpoint()), testenv.TableName())
}

// makeEligible writes the school's stage-1 verdict in round year as the sweep would.
func makeEligible(t *testing.T, year int, schoolID, country string) {
	t.Helper()
	v := certification.Verdict{Year: year, SchoolID: schoolID, Country: country, Eligible: true, JudgedAt: time.Now().UTC(),
		Criteria: certification.Criteria{RegisteredSince: time.Now().UTC().AddDate(-3, 0, 0), ActiveTeachers: 3, QualityLabelledProjects: 1}}
	if err := certStore().PutVerdicts(context.Background(), []certification.Verdict{v}); err != nil {
		t.Fatal(err)
	}
}

// fullDraft is a complete application body for the default elements, at version v (nil:
// first save).
func fullDraft(v any) map[string]any {
	els := map[string]any{}
	for _, k := range certification.DefaultElements {
		els[k] = map[string]any{"practice": "How we do " + k, "evidence": []string{"https://school.example.hr/" + k}, "plans": "Next two years: " + k}
	}
	b := map[string]any{"onlineSafety": map[string]any{"answer": "Our e-safety policy, reviewed yearly.", "evidence": []string{"https://school.example.hr/policy.pdf"}},
		"elements": els, "declaration": map[string]any{"headTeacher": "Ivana Horvat", "signedAt": rfc(time.Now().Add(-time.Hour))}}
	if v != nil {
		b["version"] = v
	}
	return b
}

// joinSchool signs up a teacher and adds schoolID to their schools.
func joinSchool(t *testing.T, first, schoolID string) signedUp {
	t.Helper()
	m := signUp(t, applicant{First: first, Country: "HR"})
	expect(t, call(t, "POST", "/v1/me/schools", m.Session, map[string]any{"existingSchoolId": schoolID}), 201)
	return m
}

func versionOf(t *testing.T, r reply) float64 {
	t.Helper()
	v, ok := r.JSON["version"].(float64)
	if !ok {
		t.Fatalf("no version: %s", r.Raw)
	}
	return v
}

// Draft, submit, reject, resubmit, approve; the label shows. Strangers see nothing, another
// country's NSO cannot evaluate (404), a teacher may not (403). Two teachers saving with
// the same version at once: one 409.
func TestCertificationApplicationJourney(t *testing.T) {
	clearRounds(t)
	t.Cleanup(func() { clearRounds(t) })
	const year = 2093
	css, _ := staffAccount(t, "css", "")
	nsoHR, _ := staffAccount(t, "nso", "HR")
	nsoSK, _ := staffAccount(t, "nso", "SK")
	ana := signUp(t, applicant{First: "Ana", Country: "HR"})
	ivo := joinSchool(t, "Ivo", ana.SchoolID)
	stranger, _, _ := teacherAccount(t, "Mara", "HR")
	now := time.Now().UTC().Truncate(time.Second)
	expect(t, call(t, "PUT", fmt.Sprintf("/v1/certification/windows/%d", year), css, roundBody(now.Add(-time.Hour), now.Add(-time.Minute), nil)), 200)

	base := "/v1/schools/" + ana.SchoolID + "/certification"
	g := expect(t, call(t, "GET", base, ana.Session, nil), 200)
	if g.JSON["eligible"] != false || g.JSON["application"] != nil || len(g.JSON["elements"].([]any)) != 5 ||
		fmt.Sprint(g.JSON["round"].(map[string]any)["year"]) != fmt.Sprint(year) {
		t.Fatalf("before the verdict: %s", g.Raw)
	}
	if r := expect(t, call(t, "PUT", base+"/application", ana.Session, fullDraft(nil)), 409); !strings.Contains(fmt.Sprint(r.JSON["detail"]), "not eligible") {
		t.Fatalf("a save for a school not eligible: %s", r.Raw)
	}
	for _, who := range []string{stranger, nsoHR, css} {
		expect(t, call(t, "GET", base, who, nil), 404)
		expect(t, call(t, "PUT", base+"/application", who, fullDraft(nil)), 404)
		expect(t, call(t, "POST", base+"/application/submit", who, nil), 404)
	}

	makeEligible(t, year, ana.SchoolID, "HR")
	g = expect(t, call(t, "GET", base, ivo.Session, nil), 200)
	if g.JSON["eligible"] != true || g.JSON["criteria"].(map[string]any)["activeTeachers"] != float64(3) {
		t.Fatalf("eligible: %s", g.Raw)
	}
	// a partial first save; a second "first save" → 409
	r := expect(t, call(t, "PUT", base+"/application", ana.Session, map[string]any{"onlineSafety": map[string]any{"answer": "Draft answer", "evidence": []string{}}}), 200)
	if r.JSON["status"] != "draft" || versionOf(t, r) != 1 {
		t.Fatalf("first save: %s", r.Raw)
	}
	expect(t, call(t, "PUT", base+"/application", ivo.Session, map[string]any{}), 409)
	// incomplete → 422 naming every missing part
	r = expect(t, call(t, "POST", base+"/application/submit", ivo.Session, nil), 422)
	if f := fieldsOf(r); len(f) != 1+3*5+2 || f[0] != "onlineSafety.evidence" || !slices.Contains(f, "elements.pupil_agency.plans") ||
		!slices.Contains(f, "declaration.headTeacher") {
		t.Fatalf("missing parts: %v", f)
	}
	// unknown element → 422 naming it; too many evidence items → 422
	bad := fullDraft(1)
	bad["elements"].(map[string]any)["wizardry"] = map[string]any{"practice": "x"}
	if r := expect(t, call(t, "PUT", base+"/application", ana.Session, bad), 422); !slices.Equal(fieldsOf(r), []string{"elements.wizardry"}) {
		t.Fatalf("unknown element: %s", r.Raw)
	}
	bad = fullDraft(1)
	bad["onlineSafety"].(map[string]any)["evidence"] = slices.Repeat([]string{"e"}, 21)
	if r := expect(t, call(t, "PUT", base+"/application", ana.Session, bad), 422); !slices.Equal(fieldsOf(r), []string{"onlineSafety.evidence"}) {
		t.Fatalf("21 evidence items: %s", r.Raw)
	}
	// two teachers save version 1 at once: one wins, the other 409
	st := make([]int, 2)
	var wg sync.WaitGroup
	for i, s := range []string{ana.Session, ivo.Session} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st[i] = call(t, "PUT", base+"/application", s, fullDraft(1)).Status
		}()
	}
	wg.Wait()
	if slices.Sort(st); !slices.Equal(st, []int{200, 409}) {
		t.Fatalf("two saves at once: %v", st)
	}
	// submit; again → 409; a save → 409
	r = expect(t, call(t, "POST", base+"/application/submit", ivo.Session, nil), 200)
	if r.JSON["status"] != "submitted" || r.JSON["submittedBy"] != ivo.ID {
		t.Fatalf("submitted: %s", r.Raw)
	}
	expect(t, call(t, "POST", base+"/application/submit", ana.Session, nil), 409)
	expect(t, call(t, "PUT", base+"/application", ana.Session, fullDraft(versionOf(t, r))), 409)

	// the NSO queue: HR's lists it, SK's does not; teachers have none
	inQueue := func(session string) bool {
		for _, it := range items(expect(t, call(t, "GET", "/v1/nso/certification/applications?status=submitted", session, nil), 200)) {
			if it["schoolId"] == ana.SchoolID {
				return true
			}
		}
		return false
	}
	if !inQueue(nsoHR) || inQueue(nsoSK) {
		t.Fatal("the queue of HR should list the school, SK's not")
	}
	expect(t, call(t, "GET", "/v1/nso/certification/applications", ana.Session, nil), 403)
	expect(t, call(t, "GET", "/v1/nso/certification/applications?status=draft", nsoHR, nil), 400)

	// evaluation: a teacher 403, the CSS 403, another NSO 404, a rejection needs feedback
	approve := map[string]any{"decision": "approve"}
	expect(t, call(t, "POST", base+"/application/evaluation", ana.Session, approve), 403)
	expect(t, call(t, "POST", base+"/application/evaluation", css, approve), 403)
	expect(t, call(t, "POST", base+"/application/evaluation", nsoSK, approve), 404)
	if r := expect(t, call(t, "POST", base+"/application/evaluation", nsoHR, map[string]any{"decision": "reject"}), 422); !slices.Equal(fieldsOf(r), []string{"feedback"}) {
		t.Fatalf("reject without feedback: %s", r.Raw)
	}
	r = expect(t, call(t, "POST", base+"/application/evaluation", nsoHR, map[string]any{"decision": "reject", "feedback": "More evidence for pupil agency, please."}), 200)
	if r.JSON["status"] != "rejected" {
		t.Fatalf("rejected: %s", r.Raw)
	}
	expect(t, call(t, "POST", base+"/application/evaluation", nsoHR, approve), 409)
	if inQueue(nsoHR) {
		t.Fatal("a rejected application is still queued")
	}
	for _, m := range []signedUp{ana, ivo} {
		if n := countKind(notificationKinds(t, m.Session, ana.SchoolID), "certification_rejected"); n != 1 {
			t.Fatalf("%s holds %d rejection notices", m.ID, n)
		}
	}
	// improve and resubmit: the save makes it a draft again, the feedback stays
	g = expect(t, call(t, "GET", base, ana.Session, nil), 200)
	app := g.JSON["application"].(map[string]any)
	better := fullDraft(app["version"])
	better["elements"].(map[string]any)["pupil_agency"].(map[string]any)["evidence"] = []string{"https://school.example.hr/council", "Pupils' council minutes"}
	r = expect(t, call(t, "PUT", base+"/application", ana.Session, better), 200)
	if r.JSON["status"] != "draft" || r.JSON["feedback"] != "More evidence for pupil agency, please." {
		t.Fatalf("saved after the rejection: %s", r.Raw)
	}
	expect(t, call(t, "POST", base+"/application/submit", ana.Session, nil), 200)
	if !inQueue(nsoHR) {
		t.Fatal("the resubmission is not queued")
	}
	since := time.Now()
	approvedAt := time.Now().UTC()
	r = expect(t, call(t, "POST", base+"/application/evaluation", nsoHR, map[string]any{"decision": "approve", "feedback": "Well done."}), 200)
	if r.JSON["status"] != "approved" {
		t.Fatalf("approved: %s", r.Raw)
	}
	// the label shows, valid two years
	g = expect(t, call(t, "GET", base, ivo.Session, nil), 200)
	label, _ := g.JSON["label"].(map[string]any)
	if label == nil || label["year"] != float64(year) || g.JSON["application"].(map[string]any)["status"] != "approved" {
		t.Fatalf("after the approval: %s", g.Raw)
	}
	if until := timeOf(t, label["validUntil"]); until.Before(approvedAt.AddDate(2, 0, 0).Add(-time.Minute)) || until.After(approvedAt.AddDate(2, 0, 0).Add(time.Minute)) {
		t.Fatalf("valid until %v, approved at %v", until, approvedAt)
	}
	expect(t, call(t, "PUT", base+"/application", ana.Session, fullDraft(g.JSON["application"].(map[string]any)["version"])), 409)
	expect(t, call(t, "POST", base+"/application/submit", ana.Session, nil), 409)
	for _, m := range []signedUp{ana, ivo} {
		if n := countKind(notificationKinds(t, m.Session, ana.SchoolID), "certification_approved"); n != 1 {
			t.Fatalf("%s holds %d approval notices", m.ID, n)
		}
		testenv.WaitMails(t, m.Email, since, 1)
	}
	if n := countKind(notificationKinds(t, stranger, ana.SchoolID), "certification_approved"); n != 0 {
		t.Fatalf("a stranger was notified (%d)", n)
	}
}

// Submitting outside the open round → 409 (the CSS moves its close into the past); the
// reminders: an idle draft reminds its school once, the last week reminds it once, a
// submission waiting 14 days reminds the NSO once, however often Remind runs.
func TestCertificationApplicationWindowAndReminders(t *testing.T) {
	clearRounds(t)
	t.Cleanup(func() { clearRounds(t) })
	const year = 2094
	ctx := context.Background()
	css, _ := staffAccount(t, "css", "")
	nsoHR, nsoHRID := staffAccount(t, "nso", "HR")
	ana := signUp(t, applicant{First: "Ana", Country: "HR"})
	ivo := joinSchool(t, "Ivo", ana.SchoolID)
	late := signUp(t, applicant{First: "Lea", Country: "HR"})
	makeEligible(t, year, ana.SchoolID, "HR")
	makeEligible(t, year, late.SchoolID, "HR")
	now := time.Now().UTC().Truncate(time.Second)
	opens := now.Add(-time.Minute)
	path := fmt.Sprintf("/v1/certification/windows/%d", year)
	expect(t, call(t, "PUT", path, css, roundBody(now.Add(-time.Hour), opens, nil)), 200)

	base := "/v1/schools/" + ana.SchoolID + "/certification"
	expect(t, call(t, "PUT", base+"/application", ana.Session, fullDraft(nil)), 200)
	expect(t, call(t, "PUT", "/v1/schools/"+late.SchoolID+"/certification/application", late.Session, fullDraft(nil)), 200)

	svc := &certification.Applications{Store: certStore()}
	w, err := svc.Round(ctx, time.Now())
	if err != nil || w == nil || w.Year != year {
		t.Fatalf("the round: %+v %v", w, err)
	}
	remindTwice := func(at time.Time) int {
		t.Helper()
		first, err := svc.Remind(ctx, *w, at)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := svc.Remind(ctx, *w, at); err != nil || again != 0 {
			t.Fatalf("Remind again at %v sent %d (%v)", at, again, err)
		}
		return first
	}
	since := time.Now()
	if n := remindTwice(now.Add(time.Hour)); n != 0 {
		t.Fatalf("reminders on the first day: %d", n)
	}
	// 14 days untouched: the school's three eTwinners (two schools) once
	if n := remindTwice(now.Add(certification.IdleAfter + time.Hour)); n != 3 {
		t.Fatalf("idle reminders: %d, want 3", n)
	}
	ivo.SchoolID = ana.SchoolID // the school he joined
	for _, m := range []signedUp{ana, ivo, late} {
		if k := notificationKinds(t, m.Session, m.SchoolID); countKind(k, "certification_draft_reminder") != 1 {
			t.Fatalf("%s: %v", m.ID, k)
		}
	}
	expect(t, call(t, "POST", base+"/application/submit", ivo.Session, nil), 200)
	// the last week: the school still unsubmitted is reminded once; the NSO of the
	// submission waiting 14 days too
	closing := w.ClosesAt.Add(-certification.ClosingReminderBefore + time.Hour)
	if n := remindTwice(closing); n < 2 {
		t.Fatalf("closing and NSO reminders: %d", n)
	}
	if k := notificationKinds(t, late.Session, late.SchoolID); countKind(k, "certification_closing_reminder") != 1 {
		t.Fatalf("closing reminder: %v", k)
	}
	if k := notificationKinds(t, ana.Session, ana.SchoolID); countKind(k, "certification_closing_reminder") != 0 {
		t.Fatalf("a submitted school got the closing reminder: %v", k)
	}
	if k := notificationKinds(t, nsoHR, ana.SchoolID); countKind(k, "certification_nso_reminder") != 1 {
		t.Fatalf("NSO %s: %v", nsoHRID, k)
	}
	// one e-mail per reminder: ana the idle one, late the idle and the closing one (the
	// store's one-second resolution may let in an earlier e-mail: only reminders count,
	// their subjects, in English, name the application)
	reminders := func(addr string) int {
		mails, err := testenv.Mails(since)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range mails {
			if slices.ContainsFunc(m.To, func(to string) bool { return strings.EqualFold(to, addr) }) &&
				strings.Contains(m.Subject, "eTwinning School application") {
				n++
			}
		}
		return n
	}
	want := map[string]int{ana.Email: 1, ivo.Email: 1, late.Email: 2}
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		done := true
		for addr, n := range want {
			done = done && reminders(addr) >= n
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the reminder e-mails did not all arrive")
		}
	}
	time.Sleep(2 * time.Second) // what the sender could still deliver
	for addr, n := range want {
		if got := reminders(addr); got != n {
			t.Fatalf("%s got %d reminder e-mails, want %d", addr, got, n)
		}
	}

	// the CSS moves the close into the past: submit → 409, the draft stays readable
	past := roundBody(now.Add(-time.Hour), opens, nil)
	past["closesAt"] = rfc(time.Now().Add(-time.Second))
	expect(t, call(t, "PUT", path, css, past), 200)
	// the window job's run after the close takes the closing step, once
	for i, want := range []bool{true, false} {
		var rounds []certification.RoundReport
		runJob(t, "certification-window", &rounds)
		closed := false
		for _, r := range rounds {
			if strings.HasSuffix(path, "/"+fmt.Sprint(r.Year)) {
				closed = r.Status == certification.StatusClosed && r.Closed == want
			}
		}
		if !closed {
			t.Fatalf("window job run %d after the close: %+v", i, rounds)
		}
	}
	lateBase := "/v1/schools/" + late.SchoolID + "/certification"
	if r := expect(t, call(t, "POST", lateBase+"/application/submit", late.Session, nil), 409); !strings.Contains(fmt.Sprint(r.JSON["detail"]), "closed") {
		t.Fatalf("submit after the close: %s", r.Raw)
	}
	g := expect(t, call(t, "GET", lateBase, late.Session, nil), 200)
	if g.JSON["round"].(map[string]any)["status"] != "closed" || g.JSON["application"].(map[string]any)["status"] != "draft" {
		t.Fatalf("after the close: %s", g.Raw)
	}
	expect(t, call(t, "PUT", lateBase+"/application", late.Session, fullDraft(g.JSON["application"].(map[string]any)["version"])), 409)
}

// The authorization matrix rows of stage 2, on round 2098 (the matrix's open round, put as
// GET .../current's row puts it): the founder's school (RO) is eligible, a member of it is
// the founder; the evaluation is of the partner member's school (RO), submitted.
var (
	matrixCertOnce sync.Once
	matrixEvalOnce sync.Once
)

// matrixSchoolOf is the first school of a role's account.
func matrixSchoolOf(w *matrixWorld, role matrixRole) string {
	m, ok, err := w.store.GetMember(context.Background(), w.id[role])
	if err != nil || !ok || len(m.Schools) == 0 {
		panic(fmt.Sprintf("the %s's school: %v %v", role, ok, err))
	}
	return m.Schools[0].SchoolID
}

// matrixCertSchool is the founder's school, eligible in the matrix's round.
func matrixCertSchool(w *matrixWorld) string {
	id := matrixSchoolOf(w, roleFounder)
	matrixCertOnce.Do(func() {
		matrixRound.Do(func() {
			now := time.Now().UTC()
			in := certification.Input{AnnounceAt: rfc(now.Add(-time.Hour)), OpensAt: rfc(now), ClosesAt: rfc(now.Add(time.Hour))}
			svc := &certification.Service{Store: w.store}
			if _, err := svc.PutWindow(context.Background(), principal.Principal{MemberID: "m-matrix", Role: "css"}, "2098", in); err != nil {
				panic(err)
			}
		})
		for _, sc := range []string{id, matrixSchoolOf(w, rolePartnerMember)} {
			v := certification.Verdict{Year: 2098, SchoolID: sc, Country: "RO", Eligible: true, JudgedAt: time.Now().UTC()}
			if err := w.store.PutVerdicts(context.Background(), []certification.Verdict{v}); err != nil {
				panic(err)
			}
		}
	})
	return id
}

// matrixEvalSchool is the partner member's school with a submitted application.
func matrixEvalSchool(w *matrixWorld) string {
	matrixCertSchool(w)
	id := matrixSchoolOf(w, rolePartnerMember)
	matrixEvalOnce.Do(func() {
		at := time.Now().UTC()
		a := certification.Application{Year: 2098, SchoolID: id, Country: "RO", Status: certification.AppSubmitted,
			CreatedAt: at, UpdatedAt: at, UpdatedBy: w.id[rolePartnerMember], SubmittedAt: &at, SubmittedBy: w.id[rolePartnerMember]}
		if _, err := w.store.CreateApplication(context.Background(), a); err != nil {
			panic(err)
		}
	})
	return id
}

func init() {
	only := func(anon, member, others int) map[matrixRole]int {
		return map[matrixRole]int{roleAnonymous: anon, roleStranger: others, rolePartnerMember: others, rolePartnerAdmin: others,
			roleCofounder: others, roleFounder: member, roleNSOFounder: others, roleNSOOther: others, roleCSS: others}
	}
	school := func(suffix string) func(*matrixWorld, matrixProject) string {
		return func(w *matrixWorld, _ matrixProject) string {
			return "/v1/schools/" + matrixCertSchool(w) + "/certification" + suffix
		}
	}
	// members of the school only; everyone else 404
	matrixRows["GET /v1/schools/{schoolId}/certification"] = matrixRow{Path: school(""), Expect: only(401, 200, 404)}
	// the founder's first save of a partial draft (once: the matrix calls each role once)
	matrixRows["PUT /v1/schools/{schoolId}/certification/application"] = matrixRow{Path: school("/application"),
		Body: func(*matrixWorld, matrixProject) any { return map[string]any{} }, Expect: only(401, 200, 404)}
	// runs before the save (routes in order): nothing saved yet → 422 naming every part
	matrixRows["POST /v1/schools/{schoolId}/certification/application/submit"] = matrixRow{Path: school("/application/submit"),
		Expect: only(401, 422, 404)}
	matrixRows["POST /v1/schools/{schoolId}/certification/application/evaluation"] = matrixRow{
		Path: func(w *matrixWorld, _ matrixProject) string {
			return "/v1/schools/" + matrixEvalSchool(w) + "/certification/application/evaluation"
		},
		Body: func(*matrixWorld, matrixProject) any { return map[string]any{"decision": "approve"} },
		// not an NSO: 403 (the school is not even read); another country's NSO: 404
		Expect: map[matrixRole]int{roleAnonymous: 401, roleStranger: 403, rolePartnerMember: 403, rolePartnerAdmin: 403,
			roleCofounder: 403, roleFounder: 403, roleNSOFounder: 200, roleNSOOther: 404, roleCSS: 403}}
	matrixRows["GET /v1/nso/certification/applications"] = matrixRow{
		Path: func(*matrixWorld, matrixProject) string { return "/v1/nso/certification/applications?status=submitted" },
		Expect: map[matrixRole]int{roleAnonymous: 401, roleStranger: 403, rolePartnerMember: 403, rolePartnerAdmin: 403,
			roleCofounder: 403, roleFounder: 403, roleNSOFounder: 200, roleNSOOther: 200, roleCSS: 403}}
}

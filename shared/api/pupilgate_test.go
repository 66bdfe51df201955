package api

import (
	"context"
	"net/http"
	"testing"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
	"etwin/shared/principal"
)

// Only the intended routes let a pupil's session in (app.Route.Pupils): logout, their
// TwinSpace, and (once built) pages and comments.
func TestOnlyIntendedRoutesLetPupilsIn(t *testing.T) {
	want := map[string]bool{"session-delete": true, "twinspace-get": true,
		"project-page-get": true, "project-comment-create": true, "project-comments-list": true, "project-comment-delete": true}
	for _, r := range Routes() {
		if r.Pupils != want[r.Function] {
			t.Errorf("%s: Pupils %v, want %v", r.Function, r.Pupils, want[r.Function])
		}
		if r.Pupils && r.Public && !r.Identify {
			t.Errorf("%s: a public route needs no pupil gate", r.Function)
		}
	}
}

// The gate answers a pupil 403 on a closed route, and lets members (and pupils on an open
// route) through.
func TestPupilGate(t *testing.T) {
	ok := func(context.Context, *httpapi.Request) (httpapi.Response, error) {
		return httpapi.Response{StatusCode: 200}, nil
	}
	pupil := principal.With(context.Background(), principal.Principal{MemberID: "pu_1", Role: principal.RolePupil, ProjectID: "p1"})
	teacher := principal.With(context.Background(), principal.Principal{MemberID: "m1", Role: "teacher"})
	_, err := httpapi.PupilGate(false)(ok)(pupil, &httpapi.Request{})
	if e, isApp := apperr.As(err); !isApp || e.Status != http.StatusForbidden {
		t.Fatalf("pupil on a closed route: %v", err)
	}
	if resp, err := httpapi.PupilGate(false)(ok)(teacher, &httpapi.Request{}); err != nil || resp.StatusCode != 200 {
		t.Fatalf("teacher: %v", err)
	}
	if resp, err := httpapi.PupilGate(true)(ok)(pupil, &httpapi.Request{}); err != nil || resp.StatusCode != 200 {
		t.Fatalf("pupil on an open route: %v", err)
	}
}

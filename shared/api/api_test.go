package api

import (
	"context"
	"net/http"
	"testing"

	"etwin/shared/apperr"
	"etwin/shared/forum"
	"etwin/shared/httpapi"
	"etwin/shared/project"
)

// Every route is listed once, with its function's name.
func TestRoutesAreListedOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Routes() {
		if r.Function == "" || r.Handler == nil {
			t.Fatalf("incomplete route %+v", r)
		}
		if seen[r.Function] {
			t.Fatalf("%s listed twice", r.Function)
		}
		seen[r.Function] = true
	}
	if len(seen) < 50 {
		t.Fatalf("only %d routes", len(seen))
	}
}

// A write that lost against concurrent ones too often says "try again" with Retry-After,
// so an Idempotency-Key does not keep that answer for 24 hours.
func TestBusyConflictsAskForARetry(t *testing.T) {
	for _, err := range []error{project.ErrBusy, forum.ErrBusy} {
		e, ok := apperr.As(err)
		if !ok || e.Status != http.StatusConflict || e.Headers["Retry-After"] == "" {
			t.Errorf("%v: %+v", err, e)
		}
	}
}

// The public vocabularies answer without a store, with the cache header and nosniff.
func TestVocabulariesRoute(t *testing.T) {
	resp, _ := httpapi.Handle(Vocabularies.Handler(nil))(context.Background(), httpapi.Request{})
	if resp.StatusCode != 200 || resp.Headers["Cache-Control"] != "public, max-age=3600" || resp.Headers["X-Content-Type-Options"] != "nosniff" {
		t.Fatalf("%d %v", resp.StatusCode, resp.Headers)
	}
}

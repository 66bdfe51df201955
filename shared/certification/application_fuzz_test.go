package certification

import (
	"encoding/json"
	"testing"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
)

// FuzzDecodeSave: the draft's decoder never panics, and a body is either refused with a
// 4xx naming its fields or turned into a draft within every bound.
func FuzzDecodeSave(f *testing.F) {
	f.Add(`{"version":3,"onlineSafety":{"answer":"yes","evidence":["https://example.org/policy"]},"elements":{"pupil_agency":{"practice":"p","evidence":["e"],"plans":"x"}},"declaration":{"headTeacher":"Ana Pop","signedAt":"2027-03-02T10:00:00Z"}}`)
	f.Add(`{"elements":{"nope":{}}}`)
	f.Add(`{"declaration":{"signedAt":"yesterday"}}`)
	f.Add(`{"onlineSafety":{"evidence":[1]}}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in SaveInput
		if err := httpapi.DecodeBytes([]byte(body), &in); err != nil {
			if s := apperr.StatusOf(err); s < 400 || s >= 500 {
				t.Fatalf("decode error with status %d", s)
			}
			return
		}
		if !json.Valid([]byte(body)) {
			t.Fatalf("accepted invalid JSON %q", body)
		}
		os, els, _, err := in.Draft(DefaultElements)
		if err != nil {
			if e, ok := apperr.As(err); !ok || len(e.Fields) == 0 || e.Status != 422 {
				t.Fatalf("draft error without fields: %v", err)
			}
			return
		}
		if len(os.Evidence) > MaxEvidenceItems || len(els) > len(DefaultElements) {
			t.Fatalf("accepted %q beyond the bounds", body)
		}
		for k, p := range els {
			if len(p.Evidence) > MaxEvidenceItems || len([]rune(p.Practice)) > MaxAppText {
				t.Fatalf("accepted element %s of %q beyond the bounds", k, body)
			}
		}
	})
}

// FuzzDecodeEvaluation: the evaluation's decoder never panics; what it accepts validates
// to approve or reject.
func FuzzDecodeEvaluation(f *testing.F) {
	f.Add(`{"decision":"approve"}`)
	f.Add(`{"decision":"reject","feedback":"more evidence, please"}`)
	f.Add(`{"decision":"reject"}`)
	f.Add(`{"decision":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in EvaluationInput
		if err := httpapi.DecodeBytes([]byte(body), &in); err != nil {
			if s := apperr.StatusOf(err); s < 400 || s >= 500 {
				t.Fatalf("decode error with status %d", s)
			}
			return
		}
		if err := in.Validate(); err != nil {
			if e, ok := apperr.As(err); !ok || len(e.Fields) == 0 {
				t.Fatalf("validation error without fields: %v", err)
			}
			return
		}
		if in.Decision != DecisionApprove && in.Decision != DecisionReject {
			t.Fatalf("accepted decision %q", in.Decision)
		}
	})
}

package account

import (
	"testing"

	"etwin/shared/apperr"
)

// TestMePatchRefusesNamesThatBreakLines: PATCH /v1/me with a line break or a
// bidirectional control in a name → 422 naming it.
func TestMePatchRefusesNamesThatBreakLines(t *testing.T) {
	for _, bad := range []string{"Ion\nIonescu", "Ion\u2029", "\u202dIon", "Ion\u2067", "Ion\u061c"} {
		v := bad
		for field, p := range map[string]MePatch{"firstName": {FirstName: &v}, "lastName": {LastName: &v}} {
			err := p.Validate()
			e, ok := apperr.As(err)
			if !ok || e.Status != 422 || len(e.Fields) != 1 || e.Fields[0].Field != field {
				t.Errorf("%s %q: want 422 naming %s, got %v", field, bad, field, err)
			}
		}
	}
	good := "Ionescu-Popa"
	if err := (&MePatch{LastName: &good}).Validate(); err != nil {
		t.Errorf("a plain name refused: %v", err)
	}
}

package staff

import (
	"testing"

	"etwin/shared/apperr"
)

// TestStaffNamesRefuseLineBreaks: a staff account's names follow the same rule as a
// teacher's (422 naming the field).
func TestStaffNamesRefuseLineBreaks(t *testing.T) {
	ok := Input{Username: "nso-ro", Email: "nso@example.org", FirstName: "Ana", LastName: "Pop", Role: "nso", Country: "RO", Language: "ro"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	for _, bad := range []string{"Pop\nx", "Pop\u2028", "\u202ePop", "Pop\u2069"} {
		in := ok
		in.LastName = bad
		e, isErr := apperr.As(in.Validate())
		if !isErr || e.Status != 422 || len(e.Fields) != 1 || e.Fields[0].Field != "lastName" {
			t.Errorf("%q: want 422 naming lastName, got %v", bad, e)
		}
	}
}

package registration

import (
	"testing"

	"etwin/shared/apperr"
)

// TestStartRefusesNamesThatBreakLines: a line break, a bidirectional override or an
// invisible format character in firstName or lastName → 422 naming that field.
func TestStartRefusesNamesThatBreakLines(t *testing.T) {
	ok := StartInput{FirstName: "Ana", LastName: "Pop", Email: "ana@example.org", Username: "ana.pop", Password: "a long enough secret", Language: "ro"}
	for _, bad := range []string{"Pop\nYour account is blocked, call +40 000", "Pop\r\nBcc: x@example.org", "Pop\u2028x", "Pop\u0085x",
		"\u202egpj.exe", "Pop\u2066x\u2069", "Pop\u200f", "Po\u200bp"} {
		for _, field := range []string{"firstName", "lastName"} {
			in := ok
			if field == "firstName" {
				in.FirstName = bad
			} else {
				in.LastName = bad
			}
			err := in.Validate()
			if apperr.StatusOf(err) != 422 || !fields(err)[field] || len(fields(err)) != 1 {
				t.Errorf("%s %q: want 422 naming only %s, got %v", field, bad, field, err)
			}
		}
	}
}

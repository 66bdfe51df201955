package importer

import (
	"strings"
	"testing"
)

// TestImportRefusesNamesThatBreakLines: a member or staff line whose name holds a line
// break or a bidirectional control is refused, naming the field.
func TestImportRefusesNamesThatBreakLines(t *testing.T) {
	for _, c := range []struct{ line, field string }{
		{`{"type":"member","id":"x1","username":"ana","email":"ana@example.org","firstName":"Ana\u2028","lastName":"Pop","language":"ro","schoolIds":["s"],"registeredAt":"2021-03-02T00:00:00Z"}`, "firstName"},
		{`{"type":"member","id":"x1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop\r\nx","language":"ro","schoolIds":["s"],"registeredAt":"2021-03-02T00:00:00Z"}`, "lastName"},
		{`{"type":"member","id":"x1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"\u202ePop","language":"ro","schoolIds":["s"],"registeredAt":"2021-03-02T00:00:00Z"}`, "lastName"},
		{`{"type":"staff","id":"x2","username":"nso-x","email":"n@example.org","role":"css","lastName":"CSS\u2066"}`, "lastName"},
	} {
		_, err := Parse([]byte(c.line))
		if err == nil || !strings.Contains(err.Error(), c.field+":") {
			t.Errorf("%s: want an error naming %s, got %v", c.line, c.field, err)
		}
	}
	if _, err := Parse([]byte(`{"type":"member","id":"x1","username":"ana","email":"ana@example.org","firstName":"Ana","lastName":"Pop","language":"ro","schoolIds":["s"],"registeredAt":"2021-03-02T00:00:00Z"}`)); err != nil {
		t.Fatalf("a good line refused: %v", err)
	}
}

package apicontract_test

import (
	"slices"
	"testing"

	"etwin/infra/apicontract"
	"etwin/shared/notify"
)

// The contract's EmailKind (what preferences.mutedEmailKinds accepts) is the code's list
// of e-mailed kinds, no more, no fewer.
func TestEmailKindsMatchTheCode(t *testing.T) {
	c, err := apicontract.Load()
	if err != nil {
		t.Fatal(err)
	}
	ref, ok := c.Doc.Components.Schemas["EmailKind"]
	if !ok || ref.Value == nil {
		t.Fatal("docs/openapi.yaml has no EmailKind schema")
	}
	var spec []string
	for _, v := range ref.Value.Enum {
		s, _ := v.(string)
		spec = append(spec, s)
	}
	code := slices.Clone(notify.EmailKinds)
	slices.Sort(spec)
	slices.Sort(code)
	if !slices.Equal(spec, code) {
		t.Errorf("EmailKind enum %q\nnotify.EmailKinds %q", spec, code)
	}
}

package outbox

import (
	"reflect"
	"testing"
)

// TestSuppressions: a permanent bounce and a complaint suppress their recipients; a
// transient bounce and a delivery suppress nothing; what is not JSON is an error.
func TestSuppressions(t *testing.T) {
	for _, c := range []struct {
		name, msg string
		want      map[string]string
	}{
		{"permanent bounce", `{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"a@example.org"},{"emailAddress":"b@example.org"}]},"mail":{}}`,
			map[string]string{"a@example.org": "bounce", "b@example.org": "bounce"}},
		{"transient bounce", `{"eventType":"Bounce","bounce":{"bounceType":"Transient","bouncedRecipients":[{"emailAddress":"a@example.org"}]}}`, map[string]string{}},
		{"complaint", `{"eventType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"c@example.org"}]}}`,
			map[string]string{"c@example.org": "complaint"}},
		{"delivery", `{"eventType":"Delivery","delivery":{"recipients":["d@example.org"]}}`, map[string]string{}},
	} {
		got, err := Suppressions(c.msg)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v %v, want %v", c.name, got, err, c.want)
		}
	}
	if _, err := Suppressions("not json"); err == nil {
		t.Error("a message that is not an SES event was accepted")
	}
}

// FuzzSuppressions: any SNS message text is parsed without panicking, and only a
// permanent bounce or a complaint suppresses anything.
func FuzzSuppressions(f *testing.F) {
	f.Add(`{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":[{"emailAddress":"a@example.org"}]}}`)
	f.Add(`{"eventType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"c@example.org"}]}}`)
	f.Add(`{"eventType":"Bounce","bounce":null}`)
	f.Fuzz(func(t *testing.T, msg string) {
		got, err := Suppressions(msg)
		if err != nil {
			return
		}
		for _, why := range got {
			if why != "bounce" && why != "complaint" {
				t.Fatalf("reason %q", why)
			}
		}
	})
}

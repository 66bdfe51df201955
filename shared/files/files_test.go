package files

import (
	"slices"
	"strings"
	"testing"
	"time"

	"etwin/shared/apperr"
	"etwin/shared/httpapi"
)

func TestCreateInputNamesEveryBadField(t *testing.T) {
	for _, tc := range []struct {
		in   CreateInput
		want []string
	}{
		{CreateInput{Name: "a.pdf", ContentType: "application/pdf", Size: 1}, nil},
		{CreateInput{Name: "v.mp4", ContentType: "video/mp4", Size: MaxSize}, nil},
		{CreateInput{}, []string{"contentType", "name", "size"}},
		{CreateInput{Name: "a/b.pdf", ContentType: "application/pdf", Size: 1}, []string{"name"}},
		{CreateInput{Name: "a\u202eb.pdf", ContentType: "application/pdf", Size: 1}, []string{"name"}},
		{CreateInput{Name: strings.Repeat("a", MaxName+1), ContentType: "application/pdf", Size: 1}, []string{"name"}},
		{CreateInput{Name: "a.svg", ContentType: "image/svg+xml", Size: 1}, []string{"contentType"}},
		{CreateInput{Name: "a.html", ContentType: "text/html", Size: MaxSize + 1}, []string{"contentType", "size"}},
		{CreateInput{Name: "a.png", ContentType: "image/png", Size: -5}, []string{"size"}},
	} {
		got := apperr.FieldNames(tc.in.Validate())
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%+v: fields %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestKeyAndAbandoned(t *testing.T) {
	if k := Key("p-1", "f-2"); k != "projects/p-1/f-2" {
		t.Fatal(k)
	}
	now := time.Now()
	it := Item{UploadExpiresAt: now}
	if it.Abandoned(now.Add(StragglerMargin)) || !it.Abandoned(now.Add(StragglerMargin+time.Second)) {
		t.Error("abandoned only past the straggler margin")
	}
	it.Uploaded = true
	if it.Abandoned(now.Add(24 * time.Hour)) {
		t.Error("an uploaded file is never abandoned")
	}
}

// FuzzDecodeFile: the file decoder with validation never panics and refuses with a 4xx
// naming a field.
func FuzzDecodeFile(f *testing.F) {
	f.Add(`{"name":"a.pdf","contentType":"application/pdf","size":10}`)
	f.Add(`{"name":"a.pdf","contentType":"application/pdf","size":1e9}`)
	f.Add(`{"name":"a.pdf","size":"10"}`)
	f.Add(`{"name":"a.pdf","name":"b.pdf"}`)
	f.Add(`{"x":1}`)
	f.Fuzz(func(t *testing.T, body string) {
		var in CreateInput
		err := httpapi.DecodeBytes([]byte(body), &in)
		if err == nil {
			err = in.Validate()
		}
		if err == nil {
			if in.Size < 1 || in.Size > MaxSize || !Allowed(in.ContentType) || in.Name == "" {
				t.Fatalf("%q accepted as %+v", body, in)
			}
			return
		}
		e, ok := apperr.As(err)
		if !ok || e.Status < 400 || e.Status > 499 || (e.Status != 413 && len(e.Fields) == 0) {
			t.Fatalf("%q: %v", body, err)
		}
	})
}

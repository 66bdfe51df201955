package strictjson

import (
	"encoding/json"
	"errors"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"etwin/shared/apperr"
)

// The cost bound of decoding: bytes allocated by one Decode of a body of n bytes into
// sample or rich (the shapes the inputs use).
//
// What a body of n bytes makes the decoder allocate, each part linear in n:
//   - the copy of the body (Body): n;
//   - the walk: nothing for a plain body but the key sets of objects with more than 8
//     keys (a map entry and a copy of each key: about 7 bytes per body byte at worst) and
//     the unescaped copies of escaped keys (at most 3 bytes per byte of key);
//   - json.Unmarshal: the values themselves. The densest shape is a slice of small
//     structs: `{},` into []inner is a 24-byte element for 3 body bytes, and reflect
//     grows the slice by 1.25 at a time, about 36 bytes per body byte in all;
//   - a refused body: at most MaxNamedFields errors of at most maxPathLen bytes (about
//     30 KiB); for a validated input with room left in the answer, the decodable copy of
//     the body (1.5 n reserved) and its Unmarshal, instead of the Unmarshal of the body.
//
// TestDecodeCostIsLinear measures the worst shapes at 36 bytes per body byte at most;
// 64 per byte leaves a margin of 1.8 over that, and 64 KiB of fixed cost covers small
// bodies (a problem document, the type information built once per type).
func allocBound(n int) uint64 { return 64*uint64(n) + 64<<10 }

// allocated is the bytes allocated while f runs.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// rich has the shapes the walker checks: nested, recursive and embedded structs, pointers,
// a map, sized numbers, an array, and a Validate method written as the domain's are (it
// bounds its own work: a list too long is one error), so a refusal decodes the rest of the
// body and validates it. (An interface field is left out: encoding/json spends about 50
// bytes per body byte filling one with small maps, and no input declares one.)
type rich struct {
	Base
	Name   string           `json:"name"`
	Tags   []string         `json:"tags"`
	School *inner           `json:"school"`
	Items  []inner          `json:"items"`
	Meta   map[string]int   `json:"meta"`
	Nested map[string]inner `json:"nested"`
	Sub    *rich            `json:"sub"`
	Small  int8             `json:"small"`
	Count  uint32           `json:"count"`
	Ratio  float64          `json:"ratio"`
	Pair   [2]bool          `json:"pair"`
}

func (r *rich) Validate() error {
	var f apperr.Fields
	if r.Name == "" {
		f.Add("name", "required")
	}
	if len(r.Tags) > 10 {
		f.Add("tags", "must list at most 10 values")
	} else {
		for i, t := range r.Tags {
			if t == "" {
				f.Add("tags."+strconv.Itoa(i), "required")
			}
		}
	}
	return f.Err()
}

// worstShapes are bodies of about MaxSize bytes built to be costly, by name.
func worstShapes() map[string]string {
	fill := func(prefix, unit, suffix string) string {
		n := (MaxSize - len(prefix) - len(suffix)) / len(unit)
		return prefix + strings.Repeat(unit, n) + suffix
	}
	numbered := func(prefix, format, suffix string) string {
		var b strings.Builder
		b.WriteString(prefix)
		for i := 0; ; i++ {
			item := strings.ReplaceAll(format, "#", strconv.Itoa(i))
			if i > 0 {
				item = "," + item
			}
			if b.Len()+len(item)+len(suffix) > MaxSize {
				break
			}
			b.WriteString(item)
		}
		b.WriteString(suffix)
		return b.String()
	}
	deep := strings.Repeat(`{"a":`, MaxDepth-2) + `1` + strings.Repeat(`}`, MaxDepth-2)
	sub := strings.Repeat(`{"sub":`, MaxDepth-2) + `{}` + strings.Repeat(`}`, MaxDepth-2)
	return map[string]string{
		"open arrays":         fill("", "[", ""),
		"open arrays in key":  fill(`{"name":`, "[", ""),
		"open objects":        fill("", `{"a":`, ""),
		"closed arrays":       fill(`{"free":[`, "[[[[[[[[[[]]]]]]]]]],", "[]]}"),
		"deep objects":        fill(`{"free":[`, deep+",", "1]}"),
		"deep typed objects":  numbered(`{"nested":{`, `"#":{"pupils":1}`, `},"sub":`+sub+`}`),
		"deep unknown":        fill(`{"items":[`, `{"x":`+deep+`},`, "{}]}"),
		"many small fields":   numbered(`{"meta":{`, `"k#":#`, `}}`),
		"many unknown fields": numbered(`{`, `"k#":1`, `}`),
		"many bad types":      fill(`{"tags":[`, "1,", "1]}"),
		"many empty strings":  fill(`{"tags":[`, `"",`, `""]}`),
		"many objects":        fill(`{"items":[`, "{},", "{}]}"),
		"many empty arrays":   fill(`{"free":[`, "[],", "[]]}"),
		"many empty objects":  fill(`{"free":[`, "{},", "{}]}"),
		"many numbers":        fill(`{"free":[`, "1,", "1]}"),
		"many bad nested":     fill(`{"items":[`, `{"pupils":"x"},`, "{}]}"),
		"many nested":         numbered(`{"nested":{`, `"#":{}`, `}}`),
		"long key":            numbered(`{"`+strings.Repeat("k", MaxSize/2)+`":{`, `"u#":1`, `}}`),
		"escaped keys":        numbered(`{"meta":{`, `"\u006b#":1`, `}}`),
		"long number":         fill(`{"ratio":1`, "0", `}`),
		"long string":         fill(`{"name":"`, `\u00e9`, `"}`),
	}
}

func TestDecodeCostIsLinear(t *testing.T) {
	shapes := worstShapes()
	for name, body := range shapes {
		if len(body) > MaxSize || len(body) < MaxSize-256 {
			t.Fatalf("%s: %d bytes", name, len(body))
		}
		for _, dst := range []func() any{func() any { return &sample{} }, func() any { return &rich{} }} {
			req := []byte(body)
			var err error
			infoOf(reflect.TypeOf(dst())) // built once per type, not per body
			got := allocated(func() { err = Decode(req, dst()) })
			if got > allocBound(len(body)) {
				t.Errorf("%s into %T: %d bytes allocated for a %d-byte body (%.1f per byte), bound %d",
					name, dst(), got, len(body), float64(got)/float64(len(body)), allocBound(len(body)))
			}
			if err != nil {
				if st := apperr.StatusOf(err); st != 400 {
					t.Errorf("%s into %T: %v", name, dst(), err)
				}
			}
			t.Logf("%-20s %-16T %8d bytes (%5.1f per body byte) %v", name, dst(), got, float64(got)/float64(len(body)), apperr.StatusOf(err))
		}
	}
	// The shapes that must be refused are, and name where.
	for name, field := range map[string]string{"open arrays in key": "name" + strings.Repeat(".0", MaxDepth-1),
		"open objects": strings.TrimSuffix(strings.Repeat("a.", MaxDepth), "."), "many bad types": "tags.0",
		"many unknown fields": "k0", "long key": strings.Repeat("k", maxPathLen) + "…"} {
		var s sample
		if got := apperr.FieldNames(Decode([]byte(shapes[name]), &s)); len(got) == 0 || got[0] != field {
			t.Errorf("%s: names %.80q, want %.80q first", name, got, field)
		}
	}
}

// BenchmarkDecodeWorstCase: the time of each worst shape (it should be well under a
// millisecond; the bar is 50 ms).
func BenchmarkDecodeWorstCase(b *testing.B) {
	for name, body := range worstShapes() {
		b.Run(strings.ReplaceAll(name, " ", "_"), func(b *testing.B) {
			req := []byte(body)
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var r rich
				_ = Decode(req, &r)
			}
		})
	}
}

// FuzzDecode: no input makes the decoder panic; every refusal is a 400, 413 or 415 API
// error; what json.Unmarshal refuses is refused too; and decoding allocates at most
// allocBound(len(body)) bytes. (Time is not asserted here, as machine load makes it
// flaky; allocation is what the time follows, and BenchmarkDecodeWorstCase shows it.)
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"name":"a"}`, `{"school":{"pupils":1}}`, `{"a":1,"a":2}`, `[`, `{"items":[{}]}`, "\x00", `{"name":"\u00e9"}`,
		`{"title":1,"pupils":"many"}`, `{"meta":{"a":1},"free":[{"x":null}],"small":-128,"pair":[true,false],"id":"x"}`,
		`{"nested":{"a":{"nested":{"b":{"name":1}}}}}`, `"\ud83d\ude00\ud83d"`} {
		f.Add(s)
	}
	for _, s := range worstShapes() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		if len(body) > 1 && body[0] == '"' && json.Valid([]byte(body)) {
			checkUnquote(t, body) // keys are read as encoding/json reads strings
		}
		for _, dst := range []func() any{func() any { return &sample{} }, func() any { return &rich{} }} {
			var err error
			req := []byte(body)
			got := allocated(func() { err = Decode(req, dst()) })
			if got > allocBound(len(body)) {
				t.Fatalf("Decode(%.80q) into %T allocated %d bytes for %d, bound %d", body, dst(), got, len(body), allocBound(len(body)))
			}
			if err != nil {
				var e *apperr.Error
				if !errors.As(err, &e) || (e.Status != 400 && e.Status != 413 && e.Status != 415) || (e.Status == 400 && len(e.Fields) == 0) {
					t.Fatalf("Decode(%.80q) into %T = %v", body, dst(), err)
				}
				// A wrong type named is one encoding/json also refuses (but the body itself
				// must be an object, where encoding/json also takes null: that is ours).
				for _, f := range e.Fields {
					if strings.HasPrefix(f.Message, "must be a") && f.Field != "body" {
						if json.Unmarshal([]byte(body), dst()) == nil {
							t.Fatalf("Decode(%.80q) into %T names %q, which encoding/json accepts", body, dst(), f)
						}
						break
					}
				}
				continue
			}
			// Accepted: encoding/json, stricter on unknown fields, accepts it too.
			d := json.NewDecoder(strings.NewReader(body))
			d.DisallowUnknownFields()
			if err := d.Decode(dst()); err != nil {
				t.Fatalf("Decode(%.80q) into %T accepted what encoding/json refuses: %v", body, dst(), err)
			}
		}
	})
}

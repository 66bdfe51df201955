package strictjson

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"etwin/shared/apperr"
)

type inner struct {
	Country string `json:"country"`
	Pupils  *int   `json:"pupils"`
}

type sample struct {
	Name   string   `json:"name"`
	Tags   []string `json:"tags"`
	School *inner   `json:"school"`
	Items  []inner  `json:"items"`
}

func decodeErr(t *testing.T, body string) *apperr.Error {
	t.Helper()
	var s sample
	err := Decode([]byte(body), &s)
	if err == nil {
		t.Fatalf("Decode(%q) accepted", body)
	}
	e, ok := apperr.As(err)
	if !ok {
		t.Fatalf("Decode(%q) returned a non-API error %v", body, err)
	}
	return e
}

func TestDecodeAcceptsValid(t *testing.T) {
	var s sample
	err := Decode([]byte(`{"name":"Ana","tags":["a"],"school":{"country":"RO","pupils":3},"items":[{"country":"FR"}]}`), &s)
	if err != nil || s.Name != "Ana" || *s.School.Pupils != 3 || s.Items[0].Country != "FR" {
		t.Fatalf("valid body refused or misread: %v %+v", err, s)
	}
}

func TestDecodeRejections(t *testing.T) {
	cases := []struct {
		body   string
		status int
		field  string
	}{
		{``, 400, "body"},
		{`{"name":`, 400, "body"},
		{`[1,2]`, 400, "body"},
		{`"text"`, 400, "body"},
		{`{"name":"a"} {"name":"b"}`, 400, "body"},
		{`{"name":"a","name":"b"}`, 400, "name"},
		{`{"school":{"country":"RO","country":"FR"}}`, 400, "school.country"},
		{`{"nam":"a"}`, 400, "nam"},
		{`{"Name":"a"}`, 400, "Name"},
		{`{"school":{"city":"x"}}`, 400, "school.city"},
		{`{"items":[{"country":"RO"},{"bogus":1}]}`, 400, "items.1.bogus"},
		{`{"name":5}`, 400, "name"},
		{`{"tags":"a"}`, 400, "tags"},
		{`{"school":{"pupils":"many"}}`, 400, "school.pupils"},
		{`{"school":{"pupils":1.5}}`, 400, "school.pupils"},
		{`{"name":"` + strings.Repeat("x", MaxSize) + `"}`, 413, ""},
	}
	for _, c := range cases {
		e := decodeErr(t, c.body)
		if e.Status != c.status {
			t.Errorf("%.60q: status %d, want %d", c.body, e.Status, c.status)
		}
		if c.field != "" && (len(e.Fields) == 0 || e.Fields[0].Field != c.field) {
			t.Errorf("%.60q: fields %+v, want %q", c.body, e.Fields, c.field)
		}
	}
}

// fieldsOf lists "field: message" for each field err names.
func fieldsOf(err error) []string {
	e, ok := apperr.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+": "+f.Message)
	}
	return out
}

func wantFields(t *testing.T, err error, status int, want ...string) {
	t.Helper()
	if got := apperr.StatusOf(err); got != status {
		t.Fatalf("status %d, want %d: %v", got, status, err)
	}
	if got := fieldsOf(err); !slices.Equal(got, want) {
		t.Fatalf("fields %q, want %q", got, want)
	}
}

func TestDecodeDepthLimit(t *testing.T) {
	var s struct {
		Username any `json:"username"`
	}
	deep := `{"username":` + strings.Repeat("[", 40)
	msg := "nested deeper than 32 levels"
	wantFields(t, Decode([]byte(deep), &s), 400, "username"+strings.Repeat(".0", MaxDepth-1)+": "+msg)
	// The same at the full body size, typed field or not.
	var in sample
	full := `{"name":` + strings.Repeat("[", MaxSize-len(`{"name":`))
	wantFields(t, Decode([]byte(full), &in), 400, "name"+strings.Repeat(".0", MaxDepth-1)+": "+msg)
	wantFields(t, Decode([]byte(strings.Repeat(`{"a":`, 100)), &in), 400, strings.Repeat("a.", MaxDepth-1)+"a: "+msg)

	// 32 levels (the body's object and 31 arrays) are fine, 33 are not.
	ok := `{"username":` + strings.Repeat("[", MaxDepth-1) + strings.Repeat("]", MaxDepth-1) + `}`
	if err := Decode([]byte(ok), &s); err != nil {
		t.Fatalf("%d levels refused: %v", MaxDepth, err)
	}
	over := `{"username":` + strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth) + `}`
	wantFields(t, Decode([]byte(over), &s), 400, "username"+strings.Repeat(".0", MaxDepth-1)+": "+msg)

	// A path through long keys is cut.
	long := strings.Repeat("é", 300)
	err := Decode([]byte(strings.Repeat(`{"`+long+`":`, 40)), &s)
	e, _ := apperr.As(err)
	if e == nil || e.Status != 400 || len(e.Fields) != 1 || !strings.HasSuffix(e.Fields[0].Field, "…") ||
		len(e.Fields[0].Field) > maxPathLen+len("…") || !utf8.ValidString(e.Fields[0].Field) {
		t.Fatalf("long path: %v %+v", err, e)
	}
}

type schoolPart struct {
	Country string `json:"country"`
	Pupils  int    `json:"pupils"`
}

// form declares its inputs as the domain packages do: value and pointer fields, a nested
// struct, and a Validate method returning a 422 naming every bad field.
type form struct {
	Title     string      `json:"title"`
	Pupils    *int        `json:"pupils"`
	Themes    []string    `json:"themes"`
	School    *schoolPart `json:"school"`
	validated int
}

func (f *form) Validate() error {
	f.validated++
	var fs apperr.Fields
	if f.Title == "" {
		fs.Add("title", "required")
	}
	if f.Pupils == nil {
		fs.Add("pupils", "required")
	}
	for i, th := range f.Themes {
		if th != "art" && th != "stem" {
			fs.Add("themes."+strconv.Itoa(i), "unknown theme")
		}
	}
	if f.School == nil {
		fs.Add("school", "required")
	} else if f.School.Country == "" {
		fs.Add("school.country", "required")
	}
	return fs.Err()
}

func TestDecodeNamesEveryWrongType(t *testing.T) {
	var in struct {
		Title  string `json:"title"`
		Pupils int    `json:"pupils"`
	}
	err := Decode([]byte(`{"title":1,"pupils":"many"}`), &in)
	wantFields(t, err, 400, "title: must be a string", "pupils: must be an integer")
	if e, _ := apperr.As(err); e.Detail != "Some fields have the wrong type." {
		t.Fatalf("detail %q", e.Detail)
	}
	var s sample
	wantFields(t, Decode([]byte(`{"name":[],"tags":["a",2,{}],"school":{"country":true,"pupils":1.5},"items":[{"pupils":"x"},7]}`), &s), 400,
		"name: must be a string", "tags.1: must be a string", "tags.2: must be a string", "school.country: must be a string",
		"school.pupils: must be an integer", "items.0.pupils: must be an integer", "items.1: must be an object")
}

func TestDecodeUnknownAndWrongTypeTogether(t *testing.T) {
	var s sample
	err := Decode([]byte(`{"name":1,"Name":"x","school":{"city":"Iași","pupils":"3"},"bogus":{"deep":[1]}}`), &s)
	wantFields(t, err, 400, "name: must be a string", "Name: unknown field", "school.city: unknown field",
		"school.pupils: must be an integer", "bogus: unknown field")
	if e, _ := apperr.As(err); e.Detail != "The request has fields this endpoint does not accept and fields of the wrong type." {
		t.Fatalf("detail %q", e.Detail)
	}
}

func TestDecodeAddsMissingFieldsFromValidate(t *testing.T) {
	var in form
	err := Decode([]byte(`{"title":1,"themes":["art",5,"astrology"],"school":{"pupils":3},"extra":true}`), &in)
	// The decode-level errors first, then what Validate says about the rest: title is named
	// once, the wrong-typed theme keeps its index and the unknown theme after it keeps its own.
	wantFields(t, err, 400, "title: must be a string", "themes.1: must be a string", "extra: unknown field",
		"pupils: required", "themes.2: unknown theme", "school.country: required")
	if in.validated != 1 || in.School == nil || in.School.Pupils != 3 || len(in.Themes) != 3 || in.Themes[0] != "art" {
		t.Fatalf("the decodable part was not decoded: %+v", in)
	}
	if e, _ := apperr.As(err); !strings.Contains(e.Detail, "missing or invalid") {
		t.Fatalf("detail %q", e.Detail)
	}

	// Without decode-level errors, Decode does not validate: the use case does.
	in = form{}
	if err := Decode([]byte(`{"themes":["astrology"]}`), &in); err != nil || in.validated != 0 {
		t.Fatalf("a well-typed body: %v, validated %d times", err, in.validated)
	}
	// Nor does it for the errors that end the reading (syntax, duplicates, depth).
	for _, body := range []string{`{"title":1,"title":2}`, `{"title":1,`, `{"title":1} x`, `{"title":1,"themes":` + strings.Repeat("[", 40)} {
		in = form{}
		if err := Decode([]byte(body), &in); apperr.StatusOf(err) != 400 || in.validated != 0 || len(apperr.FieldNames(err)) != 1 {
			t.Fatalf("%q: %v, validated %d times", body, err, in.validated)
		}
	}
}

// prefixed validates like school.Form: into a list, under a prefix.
type prefixed struct {
	Name string `json:"name"`
	City string `json:"city"`
}

func (p *prefixed) Validate(fs *apperr.Fields, prefix string) {
	if p.Name == "" {
		fs.Add(prefix+".name", "required")
	}
	if p.City == "" {
		fs.Add(prefix+".city", "required")
	}
}

func TestDecodeFieldsValidator(t *testing.T) {
	var p prefixed
	wantFields(t, Decode([]byte(`{"name":7}`), &p), 400, "name: must be a string", "city: required")
}

func TestDecodeCapsNamedFields(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"tags":[`)
	for i := range 500 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`1`)
	}
	b.WriteString(`]}`)
	var s sample
	err := Decode([]byte(b.String()), &s)
	e, _ := apperr.As(err)
	if e == nil || e.Status != 400 || len(e.Fields) != MaxNamedFields || e.Fields[99].Field != "tags.99" ||
		!strings.Contains(e.Detail, "first 100 of 500") {
		t.Fatalf("%v %d fields", err, len(e.Fields))
	}
}

type Base struct {
	ID string `json:"id"`
}

type audit struct {
	By string `json:"by"`
}

type shaped struct {
	Base
	*audit
	Name    string         `json:"name"`
	Meta    map[string]int `json:"meta"`
	Secret  string         `json:"-"`
	Dash    string         `json:"-,"`
	Free    any            `json:"free"`
	Small   int8           `json:"small"`
	Count   uint16         `json:"count"`
	Ratio   float32        `json:"ratio"`
	Pair    [2]int         `json:"pair"`
	Quoted  int            `json:"quoted,string"`
	Untaged string
}

func TestDecodeShapes(t *testing.T) {
	var s shaped
	s.audit = &audit{}
	body := `{"id":"b-1","by":"ana","name":"n","meta":{"a":1,"b":2},"-":"d","free":{"x":[1,"y",null]},
		"small":-128,"count":65535,"ratio":1.5,"pair":[1,2],"quoted":"12","Untaged":"u"}`
	if err := Decode([]byte(body), &s); err != nil {
		t.Fatal(err)
	}
	if s.ID != "b-1" || s.By != "ana" || s.Meta["b"] != 2 || s.Dash != "d" || s.Small != -128 || s.Count != 65535 ||
		s.Quoted != 12 || s.Untaged != "u" || s.Pair[1] != 2 {
		t.Fatalf("misread: %+v", s)
	}
	cases := []struct{ body, want string }{
		{`{"Secret":"x"}`, "Secret: unknown field"},
		{`{"ID":"x"}`, "ID: unknown field"},
		{`{"Base":{"id":"x"}}`, "Base: unknown field"},
		{`{"meta":{"a":"1"}}`, "meta.a: must be an integer"},
		{`{"meta":[]}`, "meta: must be an object"},
		{`{"small":128}`, "small: must be an integer"},
		{`{"small":-129}`, "small: must be an integer"},
		{`{"count":-1}`, "count: must be an integer"},
		{`{"count":65536}`, "count: must be an integer"},
		{`{"count":1e2}`, "count: must be an integer"},
		{`{"ratio":1e39}`, "ratio: must be a number"},
		{`{"ratio":"1"}`, "ratio: must be a number"},
		{`{"free":1e999}`, "free: must be a number"},
		{`{"free":[{"deep":1e999}]}`, "free.0.deep: must be a number"},
		{`{"pair":{}}`, "pair: must be an array"},
		{`{"name":true}`, "name: must be a string"},
		{`{"na\u006de":1}`, "name: must be a string"},
		{`{"quoted":"x"}`, "body: malformed JSON"}, // ",string" is left to json.Unmarshal, as before
	}
	for _, c := range cases {
		var s shaped
		if got := fieldsOf(Decode([]byte(c.body), &s)); len(got) != 1 || got[0] != c.want {
			t.Errorf("%s: %q, want %q", c.body, got, c.want)
		}
	}
	// Keys compare as json.Unmarshal reads them: escapes resolved, duplicates found.
	if got := fieldsOf(Decode([]byte(`{"name":"a","na\u006de":"b"}`), &s)); len(got) != 1 || got[0] != "name: duplicate key" {
		t.Fatalf("escaped duplicate: %q", got)
	}
	many := `{"meta":{` + strings.Repeat(`"k":1,`, 20) + `"z":1}}`
	if got := fieldsOf(Decode([]byte(many), &s)); len(got) != 1 || got[0] != "meta.k: duplicate key" {
		t.Fatalf("duplicate among many keys: %q", got)
	}
}

// Every syntax error json.Unmarshal finds, the walker finds, and only those.
func TestDecodeSyntaxLikeEncodingJSON(t *testing.T) {
	for _, body := range []string{
		`{"a":01}`, `{"a":-}`, `{"a":1.}`, `{"a":.5}`, `{"a":1e}`, `{"a":1e+}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`,
		`{"a":"\x"}`, `{"a":"\u12g4"}`, "{\"a\":\"\x01\"}", `{"a":1,}`, `{"a" 1}`, `{a:1}`, `{"a":[1,]}`, `{"a":[1 2]}`,
		`{"a":"x`, `{"a":[`, `{"a":{`, `{`, `{"a":1`, `{"a":1]`, "\ufeff{}", `{"a":'x'}`,
	} {
		var s struct {
			A any `json:"a"`
		}
		if json.Valid([]byte(body)) {
			t.Fatalf("%q is valid JSON", body)
		}
		wantFields(t, Decode([]byte(body), &s), 400, "body: malformed JSON")
	}
	for _, body := range []string{`{"a":-0}`, `{"a":0.5e-7}`, `{"a":1E+2}`, `{"a":"\u00e9\n\"\\\/ \ud800"}`, " \t\r\n{\"a\":[ {} , [] ]}\n", "{\"a\":\"\xff\"}"} {
		var s struct {
			A any `json:"a"`
		}
		if err := Decode([]byte(body), &s); err != nil {
			t.Errorf("%q refused: %v", body, err)
		}
	}
}

// Keys are read as encoding/json reads them: escapes, surrogate pairs, lone surrogates
// and invalid UTF-8 alike.
func TestDecodeKeysLikeEncodingJSON(t *testing.T) {
	for _, quoted := range []string{`"plain"`, `"\"\\\/\b\f\n\r\t"`, `"\u00e9\u20AC"`, `"\ud83d\ude00"`, `"\ud83d"`, `"\ud83dx"`,
		`"\ud83d\u0041"`, `"\ude00\ud83d"`, "\"\xff\xfe\"", "\"é\xc3\"", `"\u0000"`} {
		checkUnquote(t, quoted)
	}
}

func checkUnquote(t *testing.T, quoted string) {
	t.Helper()
	var want string
	if err := json.Unmarshal([]byte(quoted), &want); err != nil {
		t.Fatalf("%q: %v", quoted, err)
	}
	w := walker{raw: []byte(quoted)}
	got, err := w.key()
	if err != nil || string(got) != want {
		t.Fatalf("key %q = %q, %v; encoding/json reads %q", quoted, got, err, want)
	}
}

// What the walk leaves to json.Unmarshal (types it does not check) is still a 400.
func TestDecodeUncheckedTypes(t *testing.T) {
	var s struct {
		C complex128 `json:"c"`
	}
	wantFields(t, Decode([]byte(`{"c":1}`), &s), 400, "c: must be of another type")
	var when struct {
		At time.Time `json:"at"`
	}
	wantFields(t, Decode([]byte(`{"at":"yesterday"}`), &when), 400, "body: malformed JSON")
	if err := Decode([]byte(`{"at":"2025-01-02T03:04:05Z"}`), &when); err != nil || when.At.Year() != 2025 {
		t.Fatalf("time: %v", err)
	}
	if err := Decode([]byte(`{}`), s); apperr.StatusOf(err) != 500 {
		t.Fatalf("a non-pointer destination is a programming error: %v", err)
	}
}

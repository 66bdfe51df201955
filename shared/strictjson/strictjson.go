// Package strictjson decodes a JSON document into a Go struct strictly, in time and memory
// linear in its size: one JSON object, no duplicate keys, no fields the struct does not
// declare (names match exactly), the right JSON types, nested at most MaxDepth levels.
// Every problem is a 400 *apperr.Error naming the fields as dot paths, all of them in one
// answer. It knows nothing of HTTP: httpapi decodes request bodies with it, and the import
// decodes its lines with it.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"etwin/shared/apperr"
)

// MaxSize is the largest document accepted (64 KiB).
const MaxSize = 64 << 10

// MaxDepth is how deeply objects and arrays may nest (the document's own object is level
// 1). Deeper documents are refused with a 400 naming where the limit was crossed.
const MaxDepth = 32

// MaxNamedFields is how many bad fields one answer names; a document with more says how
// many there were in its detail.
const MaxNamedFields = 100

// maxPathLen bounds a dot path in an answer (bytes); a longer one is cut and ends in "…".
const maxPathLen = 200

func tooLarge() error {
	return apperr.TooLarge(fmt.Sprintf("The request body is larger than %d bytes.", MaxSize))
}

// checksItself is an input with a Validate method returning a 422 *apperr.Error that
// names its bad fields, as the domain's inputs have.
type checksItself interface{ Validate() error }

// checksUnderPrefix is an input validated into a list under a dot-path prefix (school.Form).
type checksUnderPrefix interface {
	Validate(f *apperr.Fields, prefix string)
}

// Decode decodes raw into dst (a non-nil pointer to a struct) strictly.
//
// Its cost is linear in len(raw): one pass over the bytes checks the syntax, the depth,
// duplicate keys, unknown fields and JSON types against dst's type, without building any
// path until one is reported; then json.Unmarshal fills dst. Malformed JSON, a duplicate
// key, too deep a nesting and trailing data are answered alone. Wrong-typed and unknown
// fields are all collected (up to MaxNamedFields) into one 400. When there are such
// fields and dst has a Validate() error method (or, like school.Form, a
// Validate(*apperr.Fields, prefix) one), the rest of the body is decoded (the bad fields
// left zero) and validated, and the fields its validation names that are not named
// already are added, so one answer names every bad field; the status stays 400.
// A body without decode-level errors is not validated here (the use case does it).
func Decode(raw []byte, dst any) error {
	if len(bytes.TrimSpace(raw)) == 0 {
		return apperr.BadRequest("A JSON request body is required.", apperr.FieldError{Field: "body", Message: "required"})
	}
	if len(raw) > MaxSize {
		return tooLarge()
	}
	rv := reflect.ValueOf(dst)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("strictjson: decoding needs a non-nil pointer, not %T", dst)
	}
	ti := infoOf(rv.Type())

	w := walker{raw: raw, record: true}
	w.space()
	top := ti
	isObject := w.pos < len(raw) && raw[w.pos] == '{'
	if !isObject {
		top = unchecked
	}
	if err := w.value(top); err != nil {
		return err
	}
	w.space()
	if w.pos < len(raw) {
		return apperr.BadRequest("The request body must hold exactly one JSON value.", apperr.FieldError{Field: "body", Message: "trailing data"})
	}
	if !isObject {
		return apperr.BadRequest("The request body must be a JSON object.", apperr.FieldError{Field: "body", Message: "must be a JSON object"})
	}
	if w.bad == 0 {
		if err := json.Unmarshal(raw, dst); err != nil {
			return unmarshalError(err)
		}
		return nil
	}
	return w.answer(ti, dst)
}

// unmarshalError maps what json.Unmarshal still refuses (types with their own
// UnmarshalJSON, for instance) to a 400.
func unmarshalError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			field = "body"
		}
		return apperr.BadRequest("A field has the wrong type.", apperr.FieldError{Field: field, Message: "must be " + jsonKind(te.Type)})
	}
	return malformed(err)
}

// answer builds the 400 for a body with wrong-typed or unknown fields, adding what dst's
// own validation says about the rest.
func (w *walker) answer(ti *typeInfo, dst any) error {
	fields := w.named
	validated := 0
	v, ok := dst.(checksItself)
	fv, fok := dst.(checksUnderPrefix)
	// With every place in the answer taken, validating could add nothing.
	if (ok || fok) && w.bad < MaxNamedFields {
		// Decode what can be: a copy of the body without the unknown members and with
		// null for each wrong-typed value (so array indexes stay as they were).
		c := walker{raw: w.raw, emit: true, out: make([]byte, 0, len(w.raw)+len(w.raw)/2+8)}
		c.space()
		if c.value(ti) == nil && json.Unmarshal(c.out, dst) == nil {
			var verr error
			if ok {
				verr = v.Validate()
			} else {
				var fs apperr.Fields
				fv.Validate(&fs, "")
				for i := range fs {
					fs[i].Field = strings.TrimPrefix(fs[i].Field, ".")
				}
				verr = fs.Err()
			}
			if e, isAPI := apperr.As(verr); isAPI {
				for _, f := range e.Fields {
					if len(fields) < MaxNamedFields && !alreadyNamed(fields[:len(w.named)], f.Field) {
						fields = append(fields, f)
						validated++
					}
				}
			}
		}
	}
	var detail string
	switch {
	case w.wrongType == 0:
		detail = "The request has fields this endpoint does not accept."
	case w.unknown == 0 && w.wrongType == 1:
		detail = "A field has the wrong type."
	case w.unknown == 0:
		detail = "Some fields have the wrong type."
	default:
		detail = "The request has fields this endpoint does not accept and fields of the wrong type."
	}
	if validated > 0 {
		detail += " Other fields are missing or invalid."
	}
	if w.bad > len(w.named) {
		detail += fmt.Sprintf(" The first %d of %d bad fields are named.", len(w.named), w.bad)
	}
	return apperr.BadRequest(detail, fields...)
}

// covered reports whether field is already named, or lies under or above a named field.
func alreadyNamed(named []apperr.FieldError, field string) bool {
	for _, n := range named {
		if n.Field == field || strings.HasPrefix(field, n.Field+".") || strings.HasPrefix(n.Field, field+".") {
			return true
		}
	}
	return false
}

func malformed(err error) error {
	msg := "The request body is not valid JSON."
	var se *json.SyntaxError
	if errors.As(err, &se) {
		msg = fmt.Sprintf("The request body is not valid JSON (at byte %d).", se.Offset)
	}
	return apperr.BadRequest(msg, apperr.FieldError{Field: "body", Message: "malformed JSON"})
}

func syntaxAt(pos int) error {
	return malformed(&json.SyntaxError{Offset: int64(pos) + 1})
}

func errEnd() error { return malformed(errors.New("unexpected end of JSON input")) }

// walker reads one JSON value in a single pass. It never builds a path unless it reports
// a field: the path is a stack of segments rendered on demand.
type walker struct {
	raw   []byte
	pos   int
	depth int
	path  []pathSegment

	record             bool // collect field errors (the checking pass)
	named              []apperr.FieldError
	bad                int // every wrong-typed or unknown field, named or not
	unknown, wrongType int

	emit bool   // write the decodable part of the body to out (the validating pass)
	out  []byte // without unknown members, with null for wrong-typed values
}

// pathSegment is an object key (index < 0) or an array index.
type pathSegment struct {
	key   []byte
	index int
}

func (w *walker) space() {
	for w.pos < len(w.raw) {
		switch w.raw[w.pos] {
		case ' ', '\t', '\n', '\r':
			w.pos++
		default:
			return
		}
	}
}

// fieldPath renders the current path, at most maxPathLen bytes (then cut with "…").
func (w *walker) fieldPath() string {
	if len(w.path) == 0 {
		return "body"
	}
	b := make([]byte, 0, 64)
	for i, s := range w.path {
		if i > 0 {
			b = append(b, '.')
		}
		if s.index >= 0 {
			b = strconv.AppendInt(b, int64(s.index), 10)
		} else {
			k := s.key
			if room := maxPathLen + 1 - len(b); len(k) > room {
				k = k[:room]
			}
			b = append(b, k...)
		}
		if len(b) > maxPathLen {
			cut := maxPathLen
			for cut > 0 && !utf8.RuneStart(b[cut]) {
				cut--
			}
			return string(b[:cut]) + "…"
		}
	}
	return string(b)
}

// report counts a bad field at the current path: unknown when t is nil, else a value
// that is not of t's JSON type. Only the first MaxNamedFields are named.
func (w *walker) report(t *typeInfo) {
	if !w.record {
		return
	}
	w.bad++
	if t == nil {
		w.unknown++
	} else {
		w.wrongType++
	}
	if len(w.named) < MaxNamedFields {
		message := "unknown field"
		if t != nil {
			message = "must be " + t.want
		}
		w.named = append(w.named, apperr.FieldError{Field: w.fieldPath(), Message: message})
	}
}

var nullLit = []byte("null")

func (w *walker) put(s ...byte) {
	if w.emit {
		w.out = append(w.out, s...)
	}
}

// value reads the value at w.pos (after white space) and checks it against t.
func (w *walker) value(t *typeInfo) error {
	w.space()
	if w.pos >= len(w.raw) {
		return errEnd()
	}
	start := w.pos
	switch c := w.raw[start]; c {
	case '{':
		if t.kind == kStruct || t.kind == kMap || t.kind == kAny || t.kind == kIface {
			return w.object(t)
		}
		return w.mismatch(t)
	case '[':
		if t.kind == kList || t.kind == kAny || t.kind == kIface {
			return w.array(t)
		}
		return w.mismatch(t)
	case '"':
		if _, _, err := w.str(); err != nil {
			return err
		}
		w.scalar(start, t, t.kind == kString || t.kind == kAny || t.kind == kIface)
	case 't', 'f', 'n':
		lit := "null"
		if c == 't' {
			lit = "true"
		} else if c == 'f' {
			lit = "false"
		}
		if err := w.literal(lit); err != nil {
			return err
		}
		// null fits every type (json.Unmarshal leaves the field as it is).
		w.scalar(start, t, c == 'n' || t.kind == kBool || t.kind == kAny || t.kind == kIface)
	default:
		if c != '-' && (c < '0' || c > '9') {
			return syntaxAt(start)
		}
		if err := w.number(); err != nil {
			return err
		}
		w.scalar(start, t, numberFits(w.raw[start:w.pos], t))
	}
	return nil
}

// scalar emits the value just read, or reports it and emits null in its place.
func (w *walker) scalar(start int, t *typeInfo, ok bool) {
	if ok {
		w.put(w.raw[start:w.pos]...)
		return
	}
	w.report(t)
	w.put(nullLit...)
}

// mismatch reads through a container where t wants something else, and reports it.
func (w *walker) mismatch(t *typeInfo) error {
	emit := w.emit
	w.emit = false
	err := w.value(unchecked)
	w.emit = emit
	if err != nil {
		return err
	}
	w.report(t)
	w.put(nullLit...)
	return nil
}

func (w *walker) enter() error {
	w.depth++
	if w.depth > MaxDepth {
		msg := fmt.Sprintf("nested deeper than %d levels", MaxDepth)
		return apperr.BadRequest("The request body is "+msg+".", apperr.FieldError{Field: w.fieldPath(), Message: msg})
	}
	return nil
}

func (w *walker) object(t *typeInfo) error {
	if err := w.enter(); err != nil {
		return err
	}
	w.pos++ // {
	w.put('{')
	var keys keySet
	first := true
	w.space()
	if w.pos < len(w.raw) && w.raw[w.pos] == '}' {
		w.pos++
		w.put('}')
		w.depth--
		return nil
	}
	for {
		w.space()
		if w.pos >= len(w.raw) {
			return errEnd()
		}
		if w.raw[w.pos] != '"' {
			return syntaxAt(w.pos)
		}
		kstart := w.pos
		key, err := w.key()
		if err != nil {
			return err
		}
		kend := w.pos
		w.space()
		if w.pos >= len(w.raw) {
			return errEnd()
		}
		if w.raw[w.pos] != ':' {
			return syntaxAt(w.pos)
		}
		w.pos++
		w.path = append(w.path, pathSegment{key: key, index: -1})
		if keys.add(key) {
			return apperr.BadRequest("The request body repeats a key.", apperr.FieldError{Field: w.fieldPath(), Message: "duplicate key"})
		}
		child, known := t, true
		switch t.kind {
		case kStruct:
			child, known = t.fields[string(key)]
		case kMap:
			child = t.elem
		}
		if known {
			if !first {
				w.put(',')
			}
			first = false
			w.put(w.raw[kstart:kend]...)
			w.put(':')
			err = w.value(child)
		} else {
			w.report(nil)
			emit := w.emit
			w.emit = false
			err = w.value(unchecked)
			w.emit = emit
		}
		if err != nil {
			return err
		}
		w.path = w.path[:len(w.path)-1]
		w.space()
		if w.pos >= len(w.raw) {
			return errEnd()
		}
		switch w.raw[w.pos] {
		case ',':
			w.pos++
		case '}':
			w.pos++
			w.put('}')
			w.depth--
			return nil
		default:
			return syntaxAt(w.pos)
		}
	}
}

func (w *walker) array(t *typeInfo) error {
	if err := w.enter(); err != nil {
		return err
	}
	w.pos++ // [
	w.put('[')
	elem := t
	if t.kind == kList {
		elem = t.elem
	}
	w.space()
	if w.pos < len(w.raw) && w.raw[w.pos] == ']' {
		w.pos++
		w.put(']')
		w.depth--
		return nil
	}
	w.path = append(w.path, pathSegment{index: 0})
	for i := 0; ; i++ {
		w.path[len(w.path)-1].index = i
		if i > 0 {
			w.put(',')
		}
		if err := w.value(elem); err != nil {
			return err
		}
		w.space()
		if w.pos >= len(w.raw) {
			return errEnd()
		}
		switch w.raw[w.pos] {
		case ',':
			w.pos++
		case ']':
			w.pos++
			w.put(']')
			w.path = w.path[:len(w.path)-1]
			w.depth--
			return nil
		default:
			return syntaxAt(w.pos)
		}
	}
}

// str reads a string at w.pos (on its opening quote) and returns its raw content;
// plain is false when it holds an escape or a non-ASCII byte.
func (w *walker) str() (content []byte, plain bool, err error) {
	w.pos++
	start, plain := w.pos, true
	for w.pos < len(w.raw) {
		c := w.raw[w.pos]
		switch {
		case c == '"':
			w.pos++
			return w.raw[start : w.pos-1], plain, nil
		case c == '\\':
			plain = false
			w.pos++
			if w.pos >= len(w.raw) {
				return nil, false, errEnd()
			}
			switch w.raw[w.pos] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				w.pos++
			case 'u':
				w.pos++
				for i := 0; i < 4; i++ {
					if w.pos >= len(w.raw) {
						return nil, false, errEnd()
					}
					if !isHex(w.raw[w.pos]) {
						return nil, false, syntaxAt(w.pos)
					}
					w.pos++
				}
			default:
				return nil, false, syntaxAt(w.pos)
			}
		case c < 0x20:
			return nil, false, syntaxAt(w.pos)
		default:
			if c >= utf8.RuneSelf {
				plain = false
			}
			w.pos++
		}
	}
	return nil, false, errEnd()
}

// key reads an object key and returns it as json.Unmarshal sees it (unescaped, invalid
// UTF-8 replaced). A plain key is a slice of the body: nothing is allocated.
func (w *walker) key() ([]byte, error) {
	content, plain, err := w.str()
	if err != nil {
		return nil, err
	}
	if plain || (bytes.IndexByte(content, '\\') < 0 && utf8.Valid(content)) {
		return content, nil
	}
	return unquote(content), nil
}

// unquote resolves the escapes of a string's content already checked by str, and
// replaces invalid UTF-8 and lone surrogates with U+FFFD, as encoding/json does.
func unquote(s []byte) []byte {
	b := make([]byte, 0, len(s)+utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch e := s[r+1]; e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := hex4(s[r+2:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if r+6 <= len(s) && s[r] == '\\' && s[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, hex4(s[r+2:])); dec != utf8.RuneError {
							b = utf8.AppendRune(b, dec)
							r += 6
							continue
						}
					}
					rr = utf8.RuneError
				}
				b = utf8.AppendRune(b, rr)
				continue
			default: // " \ /
				b = append(b, e)
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			b = utf8.AppendRune(b, rr)
			r += size
		}
	}
	return b
}

// hex4 reads the four hex digits at the start of s.
func hex4(s []byte) rune {
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		default:
			c -= 'A' - 10
		}
		r = r<<4 | rune(c)
	}
	return r
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func (w *walker) literal(lit string) error {
	for i := 0; i < len(lit); i++ {
		if w.pos >= len(w.raw) {
			return errEnd()
		}
		if w.raw[w.pos] != lit[i] {
			return syntaxAt(w.pos)
		}
		w.pos++
	}
	return nil
}

// number reads -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (w *walker) number() error {
	if w.raw[w.pos] == '-' {
		w.pos++
	}
	if err := w.digits(true); err != nil {
		return err
	}
	if w.pos < len(w.raw) && w.raw[w.pos] == '.' {
		w.pos++
		if err := w.digits(false); err != nil {
			return err
		}
	}
	if w.pos < len(w.raw) && (w.raw[w.pos] == 'e' || w.raw[w.pos] == 'E') {
		w.pos++
		if w.pos < len(w.raw) && (w.raw[w.pos] == '+' || w.raw[w.pos] == '-') {
			w.pos++
		}
		if err := w.digits(false); err != nil {
			return err
		}
	}
	return nil
}

// digits reads one or more digits; an integer part is a single 0 or starts with 1-9.
func (w *walker) digits(integer bool) error {
	if w.pos >= len(w.raw) {
		return errEnd()
	}
	c := w.raw[w.pos]
	if c < '0' || c > '9' {
		return syntaxAt(w.pos)
	}
	w.pos++
	if integer && c == '0' {
		return nil
	}
	for w.pos < len(w.raw) && w.raw[w.pos] >= '0' && w.raw[w.pos] <= '9' {
		w.pos++
	}
	return nil
}

// numberFits says whether json.Unmarshal stores the number literal n into t without a
// type error.
func numberFits(n []byte, t *typeInfo) bool {
	switch t.kind {
	case kAny:
		return true
	case kInt, kUint:
		return intFits(n, t.bits, t.kind == kInt)
	case kFloat, kIface:
		_, err := strconv.ParseFloat(string(n), t.bits)
		return err == nil
	}
	return false
}

// intFits is strconv.ParseInt/ParseUint(n, 10, 64) plus the overflow check of bits,
// without allocating.
func intFits(n []byte, bits int, signed bool) bool {
	neg := false
	if len(n) > 0 && n[0] == '-' {
		if !signed {
			return false
		}
		neg, n = true, n[1:]
	}
	var v uint64
	for _, c := range n {
		if c < '0' || c > '9' {
			return false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return false
		}
		v = v*10 + d
	}
	switch {
	case !signed:
		return bits == 64 || v < 1<<bits
	case neg:
		return v <= 1<<(bits-1)
	default:
		return v < 1<<(bits-1)
	}
}

// keySet finds duplicate keys in one object: a few keys are compared in place, more go
// to a map.
type keySet struct {
	n     int
	small [8][]byte
	big   map[string]struct{}
}

// add records k and reports whether it was there already.
func (s *keySet) add(k []byte) bool {
	if s.big != nil {
		if _, ok := s.big[string(k)]; ok {
			return true
		}
		s.big[string(k)] = struct{}{}
		return false
	}
	for _, o := range s.small[:s.n] {
		if bytes.Equal(o, k) {
			return true
		}
	}
	if s.n < len(s.small) {
		s.small[s.n] = k
		s.n++
		return false
	}
	s.big = make(map[string]struct{}, 2*len(s.small))
	for _, o := range s.small {
		s.big[string(o)] = struct{}{}
	}
	s.big[string(k)] = struct{}{}
	return false
}

// What a JSON value is checked against.
type wantKind uint8

const (
	kAny   wantKind = iota // not checked (types with their own unmarshalling, []byte, ...)
	kIface                 // an empty interface: any value; numbers must fit a float64
	kString
	kBool
	kInt
	kUint
	kFloat
	kList // slice or array
	kMap  // with string keys
	kStruct
)

type typeInfo struct {
	kind   wantKind
	bits   int
	want   string // "a string", for "must be a string"
	elem   *typeInfo
	fields map[string]*typeInfo // JSON name, matched exactly
}

var (
	unchecked = &typeInfo{kind: kAny}
	infos     sync.Map // reflect.Type → *typeInfo
	buildMu   sync.Mutex

	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonNumberType      = reflect.TypeFor[json.Number]()
)

// infoOf is what values of t are checked against, built once per type.
func infoOf(t reflect.Type) *typeInfo {
	if ti, ok := infos.Load(t); ok {
		return ti.(*typeInfo)
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	building := map[reflect.Type]*typeInfo{}
	ti := buildInfo(t, building)
	for k, v := range building {
		infos.LoadOrStore(k, v)
	}
	return ti
}

func unmarshalsItself(t reflect.Type) bool {
	if t.Implements(unmarshalerType) || t.Implements(textUnmarshalerType) {
		return true
	}
	if t.Kind() != reflect.Pointer {
		p := reflect.PointerTo(t)
		return p.Implements(unmarshalerType) || p.Implements(textUnmarshalerType)
	}
	return false
}

func buildInfo(t reflect.Type, building map[reflect.Type]*typeInfo) *typeInfo {
	if ti, ok := infos.Load(t); ok {
		return ti.(*typeInfo)
	}
	if ti, ok := building[t]; ok {
		return ti
	}
	if unmarshalsItself(t) || t == jsonNumberType {
		building[t] = unchecked
		return unchecked
	}
	if t.Kind() == reflect.Pointer {
		building[t] = unchecked // until known; a pointer type cannot point to itself otherwise
		ti := buildInfo(t.Elem(), building)
		building[t] = ti
		return ti
	}
	ti := &typeInfo{}
	building[t] = ti
	switch t.Kind() {
	case reflect.String:
		ti.kind, ti.want = kString, "a string"
	case reflect.Bool:
		ti.kind, ti.want = kBool, "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		ti.kind, ti.bits, ti.want = kInt, t.Bits(), "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		ti.kind, ti.bits, ti.want = kUint, t.Bits(), "an integer"
	case reflect.Float32, reflect.Float64:
		ti.kind, ti.bits, ti.want = kFloat, t.Bits(), "a number"
	case reflect.Interface:
		if t.NumMethod() == 0 {
			ti.kind, ti.bits, ti.want = kIface, 64, "a number"
		}
	case reflect.Slice:
		if t.Elem().Kind() != reflect.Uint8 || unmarshalsItself(t.Elem()) { // []byte is base64 text
			ti.kind, ti.want, ti.elem = kList, "an array", buildInfo(t.Elem(), building)
		}
	case reflect.Array:
		ti.kind, ti.want, ti.elem = kList, "an array", buildInfo(t.Elem(), building)
	case reflect.Map:
		if t.Key().Kind() == reflect.String && !unmarshalsItself(t.Key()) {
			ti.kind, ti.want, ti.elem = kMap, "an object", buildInfo(t.Elem(), building)
		}
	case reflect.Struct:
		ti.kind, ti.want = kStruct, "an object"
		ti.fields = map[string]*typeInfo{}
		for name, f := range structFields(t) {
			if f.quoted {
				ti.fields[name] = unchecked
			} else {
				ti.fields[name] = buildInfo(f.typ, building)
			}
		}
	}
	return ti
}

type jsonField struct {
	typ    reflect.Type
	depth  int
	tagged bool
	quoted bool // the ",string" option
}

// structFields lists the fields json.Unmarshal fills by their JSON names, embedded
// structs flattened, with encoding/json's rules: the shallowest field wins, then the
// tagged one; names still in conflict are dropped.
func structFields(t reflect.Type) map[string]jsonField {
	byName := map[string][]jsonField{}
	visited := map[reflect.Type]bool{}
	next := []reflect.Type{t}
	for depth := 0; len(next) > 0; depth++ {
		current := next
		next = nil
		for _, st := range current {
			if visited[st] {
				continue
			}
			visited[st] = true
			for i := 0; i < st.NumField(); i++ {
				sf := st.Field(i)
				if sf.Anonymous {
					ft := sf.Type
					if ft.Kind() == reflect.Pointer {
						ft = ft.Elem()
					}
					if !sf.IsExported() && ft.Kind() != reflect.Struct {
						continue
					}
				} else if !sf.IsExported() {
					continue
				}
				tag := sf.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if !validTag(name) {
					name = ""
				}
				ft := sf.Type
				if ft.Name() == "" && ft.Kind() == reflect.Pointer {
					ft = ft.Elem()
				}
				if name == "" && sf.Anonymous && ft.Kind() == reflect.Struct {
					next = append(next, ft)
					continue
				}
				quoted := false
				if hasOption(opts, "string") {
					switch ft.Kind() {
					case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
						reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
						reflect.Float32, reflect.Float64, reflect.String:
						quoted = true
					}
				}
				f := jsonField{typ: sf.Type, depth: depth, tagged: name != "", quoted: quoted}
				if name == "" {
					name = sf.Name
				}
				byName[name] = append(byName[name], f)
			}
		}
	}
	out := map[string]jsonField{}
	for name, fs := range byName {
		best, n := fs[0], 0
		for _, f := range fs {
			if f.depth < best.depth {
				best = f
			}
		}
		var tagged []jsonField
		for _, f := range fs {
			if f.depth == best.depth {
				n++
				if f.tagged {
					tagged = append(tagged, f)
				}
			}
		}
		switch {
		case n == 1:
			out[name] = best
		case len(tagged) == 1:
			out[name] = tagged[0]
		}
	}
	return out
}

func hasOption(opts, want string) bool {
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		if o == want {
			return true
		}
	}
	return false
}

// validTag is encoding/json's rule for a usable name in a tag.
func validTag(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}

func jsonKind(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return "of another type"
}

package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Filter is one compiled FilterCriteria pattern, in Lambda's event filtering syntax:
//
//   - a pattern is a JSON object; each of its keys must match (AND);
//   - a key whose value is an object matches the record's object of that name, key by
//     key, at any depth;
//   - a key whose value is an array matches when one of the array's matchers matches
//     (OR): an exact string, number, boolean or null, or one of the operators
//     {"exists": bool}, {"prefix": "..."}, {"suffix": "..."},
//     {"equals-ignore-case": "..."}, {"anything-but": value or [values] or
//     {"prefix": "..."}}, {"numeric": [op, n] or [op, n, op, n]};
//   - when the record's value is an array, a matcher matches when it matches one of
//     its elements;
//   - {"exists": true} matches a field that holds a value (not an object); a missing
//     field matches {"exists": false} and nothing else.
//
// Operators that Lambda has and this does not ($or, cidr, wildcard) are refused when
// the template is read, so a pattern never silently means something else locally.
type Filter struct {
	Pattern string // as the template gives it
	root    *objectPattern
}

type objectPattern struct {
	fields []fieldPattern // sorted by key, for stable error messages
}

type fieldPattern struct {
	key      string
	object   *objectPattern // a nested object pattern, or
	matchers []matcher      // a list of matchers (OR)
}

// matcher matches one leaf value (never an object); present is false when the field
// is missing.
type matcher func(v any, present bool) bool

// CompileFilter parses and checks a filter pattern.
func CompileFilter(pattern string) (*Filter, error) {
	dec := json.NewDecoder(strings.NewReader(pattern))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("pattern %s is not JSON: %w", pattern, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("pattern %s: more than one JSON value", pattern)
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("pattern %s is not a JSON object", pattern)
	}
	root, err := compileObject(obj, "")
	if err != nil {
		return nil, fmt.Errorf("pattern %s: %w", pattern, err)
	}
	return &Filter{Pattern: pattern, root: root}, nil
}

func compileObject(obj map[string]any, path string) (*objectPattern, error) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	p := &objectPattern{}
	for _, k := range keys {
		at := path + "." + k
		if strings.HasPrefix(k, "$") {
			return nil, fmt.Errorf("%s: %s is not supported by the local gateway", at[1:], k)
		}
		switch v := obj[k].(type) {
		case map[string]any:
			sub, err := compileObject(v, at)
			if err != nil {
				return nil, err
			}
			p.fields = append(p.fields, fieldPattern{key: k, object: sub})
		case []any:
			if len(v) == 0 {
				return nil, fmt.Errorf("%s: an empty list matches nothing", at[1:])
			}
			f := fieldPattern{key: k}
			for _, item := range v {
				m, err := compileMatcher(item, at[1:])
				if err != nil {
					return nil, err
				}
				f.matchers = append(f.matchers, m)
			}
			p.fields = append(p.fields, f)
		default:
			return nil, fmt.Errorf("%s: a value to match must be in a list, e.g. [%s]", at[1:], jsonText(v))
		}
	}
	return p, nil
}

func compileMatcher(item any, at string) (matcher, error) {
	switch v := item.(type) {
	case map[string]any:
		if len(v) != 1 {
			return nil, fmt.Errorf("%s: an operator object has exactly one key, not %s", at, jsonText(v))
		}
		for op, arg := range v {
			return compileOperator(op, arg, at)
		}
	case []any:
		return nil, fmt.Errorf("%s: lists do not nest", at)
	}
	want := item
	return func(got any, present bool) bool { return present && equalValue(got, want) }, nil
}

func compileOperator(op string, arg any, at string) (matcher, error) {
	bad := func(what string) (matcher, error) {
		return nil, fmt.Errorf("%s: %q takes %s, not %s", at, op, what, jsonText(arg))
	}
	switch op {
	case "exists":
		want, ok := arg.(bool)
		if !ok {
			return bad("true or false")
		}
		return func(got any, present bool) bool { return present == want }, nil
	case "prefix", "suffix", "equals-ignore-case":
		s, ok := arg.(string)
		if !ok {
			return bad("a string")
		}
		test := map[string]func(string) bool{
			"prefix":             func(v string) bool { return strings.HasPrefix(v, s) },
			"suffix":             func(v string) bool { return strings.HasSuffix(v, s) },
			"equals-ignore-case": func(v string) bool { return strings.EqualFold(v, s) },
		}[op]
		return func(got any, present bool) bool {
			str, ok := got.(string)
			return present && ok && test(str)
		}, nil
	case "anything-but":
		switch a := arg.(type) {
		case []any:
			for _, x := range a {
				if _, isObj := x.(map[string]any); isObj {
					return bad("values")
				}
				if _, isList := x.([]any); isList {
					return bad("values")
				}
			}
			return func(got any, present bool) bool {
				if !present {
					return false
				}
				for _, x := range a {
					if equalValue(got, x) {
						return false
					}
				}
				return true
			}, nil
		case map[string]any:
			p, ok := a["prefix"].(string)
			if len(a) != 1 || !ok {
				return bad(`a value, a list of values or {"prefix": "..."}`)
			}
			return func(got any, present bool) bool {
				str, isStr := got.(string)
				return present && isStr && !strings.HasPrefix(str, p)
			}, nil
		default:
			return func(got any, present bool) bool { return present && !equalValue(got, a) }, nil
		}
	case "numeric":
		return compileNumeric(arg, at)
	}
	return nil, fmt.Errorf("%s: operator %q is not supported by the local gateway", at, op)
}

func compileNumeric(arg any, at string) (matcher, error) {
	list, ok := arg.([]any)
	if !ok || (len(list) != 2 && len(list) != 4) {
		return nil, fmt.Errorf(`%s: "numeric" takes [op, number] or [op, number, op, number], not %s`, at, jsonText(arg))
	}
	type cond struct {
		op string
		n  float64
	}
	var conds []cond
	for i := 0; i < len(list); i += 2 {
		op, ok := list[i].(string)
		num, isNum := list[i+1].(json.Number)
		if !ok || !isNum {
			return nil, fmt.Errorf(`%s: "numeric" takes [op, number, ...], not %s`, at, jsonText(arg))
		}
		switch op {
		case "=", "<", "<=", ">", ">=":
		default:
			return nil, fmt.Errorf(`%s: "numeric" operator %q is not one of = < <= > >=`, at, op)
		}
		n, err := num.Float64()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", at, err)
		}
		conds = append(conds, cond{op, n})
	}
	return func(got any, present bool) bool {
		num, ok := got.(json.Number)
		if !present || !ok {
			return false
		}
		v, err := num.Float64()
		if err != nil {
			return false
		}
		for _, c := range conds {
			var pass bool
			switch c.op {
			case "=":
				pass = v == c.n
			case "<":
				pass = v < c.n
			case "<=":
				pass = v <= c.n
			case ">":
				pass = v > c.n
			case ">=":
				pass = v >= c.n
			}
			if !pass {
				return false
			}
		}
		return true
	}, nil
}

// equalValue compares two decoded JSON leaves; numbers compare by value.
func equalValue(a, b any) bool {
	na, aNum := a.(json.Number)
	nb, bNum := b.(json.Number)
	if aNum || bNum {
		if !aNum || !bNum {
			return false
		}
		fa, errA := na.Float64()
		fb, errB := nb.Float64()
		return errA == nil && errB == nil && fa == fb
	}
	switch a.(type) {
	case map[string]any, []any:
		return false
	}
	return a == b
}

// Match reports whether a record (JSON, as Lambda sends it) matches the pattern.
func (f *Filter) Match(record []byte) bool {
	v, err := decodeJSON(record)
	if err != nil {
		return false
	}
	return f.matchValue(v)
}

func (f *Filter) matchValue(v any) bool {
	obj, _ := v.(map[string]any)
	return f.root.match(obj)
}

func decodeJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("more than one JSON value")
	}
	return v, nil
}

// match matches an object; a nil obj stands for a missing one, whose fields are all
// missing.
func (p *objectPattern) match(obj map[string]any) bool {
	for _, f := range p.fields {
		v, present := obj[f.key]
		if !f.matchField(v, present) {
			return false
		}
	}
	return true
}

func (f *fieldPattern) matchField(v any, present bool) bool {
	if f.object != nil {
		switch x := v.(type) {
		case map[string]any:
			return f.object.match(x)
		case []any:
			for _, el := range x {
				if m, ok := el.(map[string]any); ok && f.object.match(m) {
					return true
				}
			}
			return false
		default:
			// A missing (or non-object) value: its fields are all missing, which only
			// {"exists": false} accepts.
			return f.object.match(nil)
		}
	}
	// Leaves: an object is no leaf, so it counts as missing here; an array offers
	// each of its elements; an empty array offers none.
	var leaves []any
	switch x := v.(type) {
	case map[string]any:
		present = false
	case []any:
		for _, el := range x {
			switch el.(type) {
			case map[string]any, []any:
			default:
				leaves = append(leaves, el)
			}
		}
		if len(leaves) == 0 {
			present = false
		}
	default:
		leaves = []any{v}
	}
	for _, m := range f.matchers {
		if !present {
			if m(nil, false) {
				return true
			}
			continue
		}
		for _, leaf := range leaves {
			if m(leaf, true) {
				return true
			}
		}
	}
	return false
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

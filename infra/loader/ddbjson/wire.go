package ddbjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// wire is one attribute value as DynamoDB JSON spells it: exactly one field is set. The
// pointers tell a field that is there but empty ({"S":""}, {"B":""}, {"L":[]}, {"M":{}})
// from one that is absent. encoding/json writes []byte as standard base64, as "B" and
// "BS" want it.
type wire struct {
	S    *string          `json:"S,omitempty"`
	N    *string          `json:"N,omitempty"`
	B    *[]byte          `json:"B,omitempty"`
	BOOL *bool            `json:"BOOL,omitempty"`
	NULL *bool            `json:"NULL,omitempty"`
	SS   []string         `json:"SS,omitempty"`
	NS   []string         `json:"NS,omitempty"`
	BS   [][]byte         `json:"BS,omitempty"`
	L    *[]wire          `json:"L,omitempty"`
	M    *map[string]wire `json:"M,omitempty"`
}

// line is one line of a file: {"Item":{...}}.
type line struct {
	Item map[string]wire `json:"Item"`
}

// encodeLine is item as one line of DynamoDB JSON, ending in a newline.
func encodeLine(item map[string]types.AttributeValue) ([]byte, error) {
	if len(item) == 0 {
		return nil, errors.New("ddbjson: an empty item")
	}
	m, err := toWireMap(item)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(line{Item: m}); err != nil { // Encode ends the line with '\n'
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeLine is the item of one line.
func decodeLine(b []byte) (map[string]types.AttributeValue, error) {
	var l line
	if err := json.Unmarshal(b, &l); err != nil {
		return nil, err
	}
	if l.Item == nil {
		return nil, errors.New(`no "Item" object`)
	}
	return fromWireMap(l.Item)
}

func toWireMap(m map[string]types.AttributeValue) (map[string]wire, error) {
	out := make(map[string]wire, len(m))
	for k, v := range m {
		w, err := toWire(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = w
	}
	return out, nil
}

func toWire(av types.AttributeValue) (wire, error) {
	var w wire
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		w.S = &v.Value
	case *types.AttributeValueMemberN:
		w.N = &v.Value
	case *types.AttributeValueMemberB:
		b := v.Value
		if b == nil {
			b = []byte{} // "" rather than null
		}
		w.B = &b
	case *types.AttributeValueMemberBOOL:
		w.BOOL = &v.Value
	case *types.AttributeValueMemberNULL:
		w.NULL = &v.Value
	case *types.AttributeValueMemberSS:
		w.SS = v.Value
		if len(v.Value) == 0 {
			return w, errEmptySet
		}
	case *types.AttributeValueMemberNS:
		w.NS = v.Value
		if len(v.Value) == 0 {
			return w, errEmptySet
		}
	case *types.AttributeValueMemberBS:
		w.BS = v.Value
		if len(v.Value) == 0 {
			return w, errEmptySet
		}
	case *types.AttributeValueMemberL:
		l := make([]wire, len(v.Value))
		for i, e := range v.Value {
			var err error
			if l[i], err = toWire(e); err != nil {
				return w, fmt.Errorf("%d: %w", i, err)
			}
		}
		w.L = &l
	case *types.AttributeValueMemberM:
		m, err := toWireMap(v.Value)
		if err != nil {
			return w, err
		}
		w.M = &m
	default:
		return w, fmt.Errorf("ddbjson: unsupported attribute value %T", av)
	}
	return w, nil
}

var errEmptySet = errors.New("ddbjson: an empty set (DynamoDB stores none)")

func fromWireMap(m map[string]wire) (map[string]types.AttributeValue, error) {
	out := make(map[string]types.AttributeValue, len(m))
	for k, w := range m {
		v, err := fromWire(w)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		out[k] = v
	}
	return out, nil
}

func fromWire(w wire) (types.AttributeValue, error) {
	var out []types.AttributeValue
	add := func(v types.AttributeValue) { out = append(out, v) }
	if w.S != nil {
		add(&types.AttributeValueMemberS{Value: *w.S})
	}
	if w.N != nil {
		add(&types.AttributeValueMemberN{Value: *w.N})
	}
	if w.B != nil {
		add(&types.AttributeValueMemberB{Value: *w.B})
	}
	if w.BOOL != nil {
		add(&types.AttributeValueMemberBOOL{Value: *w.BOOL})
	}
	if w.NULL != nil {
		add(&types.AttributeValueMemberNULL{Value: *w.NULL})
	}
	if w.SS != nil {
		add(&types.AttributeValueMemberSS{Value: w.SS})
	}
	if w.NS != nil {
		add(&types.AttributeValueMemberNS{Value: w.NS})
	}
	if w.BS != nil {
		add(&types.AttributeValueMemberBS{Value: w.BS})
	}
	if w.L != nil {
		l := make([]types.AttributeValue, len(*w.L))
		for i, e := range *w.L {
			var err error
			if l[i], err = fromWire(e); err != nil {
				return nil, fmt.Errorf("%d: %w", i, err)
			}
		}
		add(&types.AttributeValueMemberL{Value: l})
	}
	if w.M != nil {
		m, err := fromWireMap(*w.M)
		if err != nil {
			return nil, err
		}
		add(&types.AttributeValueMemberM{Value: m})
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("an attribute value names %d types, not one", len(out))
	}
	return out[0], nil
}

// Line is item as one line of an export (DynamoDB JSON, map keys in order): a canonical
// form, for comparing items.
func Line(item map[string]types.AttributeValue) ([]byte, error) { return encodeLine(item) }

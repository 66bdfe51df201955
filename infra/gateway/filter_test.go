package gateway

import (
	"strings"
	"testing"
)

func TestFilterMatch(t *testing.T) {
	outbox := `{"eventName":["INSERT"],"dynamodb":{"NewImage":{"kind":{"S":["outbox"]}}}}`
	rec := func(event, kind string) string {
		img := `"PK":{"S":"a"}`
		if kind != "" {
			img += `,"kind":{"S":"` + kind + `"}`
		}
		return `{"eventName":"` + event + `","dynamodb":{"Keys":{"PK":{"S":"a"}},"NewImage":{` + img + `},"SizeBytes":12}}`
	}
	cases := []struct {
		pattern, record string
		want            bool
	}{
		{outbox, rec("INSERT", "outbox"), true},
		{outbox, rec("MODIFY", "outbox"), false},
		{outbox, rec("INSERT", "other"), false},
		{outbox, rec("INSERT", ""), false},
		{outbox, `{"eventName":"REMOVE","dynamodb":{"Keys":{"PK":{"S":"a"}}}}`, false},
		{`{}`, rec("INSERT", ""), true},
		// OR within a list, AND across keys.
		{`{"eventName":["INSERT","MODIFY"]}`, rec("MODIFY", ""), true},
		{`{"eventName":["INSERT"],"dynamodb":{"SizeBytes":[12]}}`, rec("INSERT", ""), true},
		{`{"eventName":["INSERT"],"dynamodb":{"SizeBytes":[13]}}`, rec("INSERT", ""), false},
		// Numbers compare by value, never equal to strings.
		{`{"n":[1.0]}`, `{"n":1}`, true},
		{`{"n":["1"]}`, `{"n":1}`, false},
		{`{"b":[true]}`, `{"b":true}`, true},
		{`{"z":[null]}`, `{"z":null}`, true},
		{`{"z":[null]}`, `{}`, false},
		// exists
		{`{"dynamodb":{"NewImage":{"kind":{"S":[{"exists":true}]}}}}`, rec("INSERT", "x"), true},
		{`{"dynamodb":{"NewImage":{"kind":{"S":[{"exists":true}]}}}}`, rec("INSERT", ""), false},
		{`{"dynamodb":{"NewImage":{"kind":[{"exists":false}]}}}`, rec("INSERT", ""), true},
		{`{"dynamodb":{"NewImage":{"kind":[{"exists":false}]}}}`, rec("INSERT", "x"), true}, // an object is no leaf
		{`{"dynamodb":{"OldImage":{"kind":{"S":[{"exists":false}]}}}}`, rec("INSERT", "x"), true},
		{`{"dynamodb":{"OldImage":{"kind":{"S":[{"exists":true}]}}}}`, rec("INSERT", "x"), false},
		// prefix, suffix, equals-ignore-case
		{`{"s":[{"prefix":"out"}]}`, `{"s":"outbox"}`, true},
		{`{"s":[{"prefix":"box"}]}`, `{"s":"outbox"}`, false},
		{`{"s":[{"suffix":"box"}]}`, `{"s":"outbox"}`, true},
		{`{"s":[{"equals-ignore-case":"OUTBOX"}]}`, `{"s":"outBox"}`, true},
		{`{"s":[{"prefix":"1"}]}`, `{"s":12}`, false},
		// anything-but
		{`{"s":[{"anything-but":["a","b"]}]}`, `{"s":"c"}`, true},
		{`{"s":[{"anything-but":["a","b"]}]}`, `{"s":"a"}`, false},
		{`{"s":[{"anything-but":"a"}]}`, `{"s":"a"}`, false},
		{`{"s":[{"anything-but":"a"}]}`, `{}`, false},
		{`{"s":[{"anything-but":{"prefix":"tmp-"}}]}`, `{"s":"tmp-1"}`, false},
		{`{"s":[{"anything-but":{"prefix":"tmp-"}}]}`, `{"s":"keep"}`, true},
		// numeric
		{`{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"n":5}`, true},
		{`{"n":[{"numeric":[">",0,"<=",5]}]}`, `{"n":0}`, false},
		{`{"n":[{"numeric":["=",3]}]}`, `{"n":3.0}`, true},
		{`{"n":[{"numeric":["<",3]}]}`, `{"n":"2"}`, false},
		// A record value that is a list matches when one element does.
		{`{"tags":["b"]}`, `{"tags":["a","b"]}`, true},
		{`{"tags":["c"]}`, `{"tags":["a","b"]}`, false},
		{`{"tags":[{"exists":true}]}`, `{"tags":[]}`, false},
		{`{"items":{"id":["2"]}}`, `{"items":[{"id":"1"},{"id":"2"}]}`, true},
	}
	for _, c := range cases {
		f, err := CompileFilter(c.pattern)
		if err != nil {
			t.Errorf("%s: %v", c.pattern, err)
			continue
		}
		if got := f.Match([]byte(c.record)); got != c.want {
			t.Errorf("%s on %s = %v, want %v", c.pattern, c.record, got, c.want)
		}
	}
}

func TestFilterRefusesWhatItCannotMatch(t *testing.T) {
	cases := map[string]string{
		`[1]`:                                 "not a JSON object",
		`{"a":`:                               "not JSON",
		`{"a":"INSERT"}`:                      "must be in a list",
		`{"a":[]}`:                            "empty list",
		`{"a":[["x"]]}`:                       "do not nest",
		`{"a":[{"prefix":1}]}`:                "takes a string",
		`{"a":[{"exists":"yes"}]}`:            "true or false",
		`{"a":[{"numeric":[">"]}]}`:           `"numeric" takes`,
		`{"a":[{"numeric":["!=",1]}]}`:        "not one of",
		`{"a":[{"wildcard":"*x"}]}`:           "not supported",
		`{"a":[{"cidr":"10.0.0.0/24"}]}`:      "not supported",
		`{"$or":[{"a":["x"]},{"b":["y"]}]}`:   "not supported",
		`{"a":[{"prefix":"x","suffix":"y"}]}`: "exactly one key",
		`{"a":[{"anything-but":[{"x":1}]}]}`:  "takes values",
		`{"a":["x"]} {"b":["y"]}`:             "more than one",
	}
	for pattern, want := range cases {
		_, err := CompileFilter(pattern)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one saying %q", pattern, err, want)
		}
	}
}

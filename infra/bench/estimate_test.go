package bench

import (
	"encoding/json"
	"testing"
)

func TestItemSize(t *testing.T) {
	for s, want := range map[string]int{"0": 1, "7": 2, "100": 2, "123": 3, "-12.50": 3, "1234567": 5} {
		if got := numberSize(s); got != want {
			t.Errorf("numberSize(%q) = %d, want %d", s, got, want)
		}
	}
	var item map[string]json.RawMessage
	if err := json.Unmarshal([]byte(`{"PK":{"S":"MEMBER#ab"},"n":{"N":"42"},"ok":{"BOOL":true},`+
		`"l":{"L":[{"S":"xy"},{"NULL":true}]},"m":{"M":{"k":{"S":"v"}}},"ss":{"SS":["a","bc"]}}`), &item); err != nil {
		t.Fatal(err)
	}
	// PK 2+9, n 1+2, ok 2+1, l 1+(3+1+2+1+1), m 1+(3+1+1+1), ss 2+3
	if got, want := itemSizeJSON(item), 11+3+3+9+7+5; got != want {
		t.Errorf("itemSizeJSON = %d, want %d", got, want)
	}
}

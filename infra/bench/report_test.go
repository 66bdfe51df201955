package bench

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestColdStartTableJoinsInitAndSizeNextToHelloWorld(t *testing.T) {
	ms := time.Millisecond
	r := &Report{
		Config: Config{ColdStarts: 3},
		Init: []InitResult{
			{Name: "hello (baseline)", LogicalID: helloID, Baseline: true, Init: Summarize([]time.Duration{2 * ms, 2 * ms, 3 * ms})},
			{Name: "me-get", LogicalID: "MeGetFunction", Init: Summarize([]time.Duration{3 * ms, 4 * ms, 5 * ms})},
			{Name: "vocabularies", LogicalID: "VocabulariesFunction", Init: Summarize([]time.Duration{2 * ms, 3 * ms, 9 * ms})},
		},
		Sizes: []SizeResult{
			{Name: "me-get", Binary: 30 << 20, Zipped: 10 << 20},
			{Name: "vocabularies", Binary: 10 << 20, Zipped: 4 << 20},
			{Name: "hello", Baseline: true, Binary: 5 << 20, Zipped: 2 << 20},
		},
	}
	rows := r.ColdStart()
	if len(rows) != 3 || !rows[0].Baseline || rows[0].Init == nil || rows[0].Size == nil {
		t.Fatalf("rows %+v", rows)
	}
	if me := rows[1]; me.Name != "me-get" || me.InitRatio != 2 || me.SizeRatio != 6 || me.ZipRatio != 5 {
		t.Errorf("me-get %+v", me)
	}
	if v := rows[2]; v.Name != "vocabularies" || v.InitRatio != 1.5 || v.SizeRatio != 2 {
		t.Errorf("vocabularies %+v", v)
	}

	var md bytes.Buffer
	r.Markdown(&md)
	out := md.String()
	for _, want := range []string{
		"## 3. Cold start: init time and binary size per function",
		"| _hello-world baseline_ | 2.00 ms | 1.00× | 2.00 ms | 3.00 ms | 5.00 MiB | 1.00× | 2.00 MiB | 1.00× |",
		"| `me-get` | 4.00 ms | 2.00× | 3.00 ms | 5.00 ms | 30.00 MiB | 6.00× | 10.00 MiB | 5.00× |",
		"| `vocabularies` | 3.00 ms | 1.50× |",
		"Over the 2 functions: init 1.75× hello-world at the median (1.50× to 2.00×",
		"bootstrap 4.00× at the median (2.00× to 6.00×)",
		"## 4. Package inits",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	// Sizes skipped: the init columns stay, the size ones are dashes.
	r.Config.SkipSizes, r.Sizes = true, nil
	md.Reset()
	r.Markdown(&md)
	if !strings.Contains(md.String(), "| `me-get` | 4.00 ms | 2.00× | 3.00 ms | 5.00 ms | — | — | — | — |") {
		t.Errorf("without sizes:\n%s", md.String())
	}
}

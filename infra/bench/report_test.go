package bench

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"etwin/infra/gateway"
)

func TestColdStartTableJoinsInitAndSizeNextToTheBaselines(t *testing.T) {
	ms := time.Millisecond
	r := &Report{
		Config: Config{ColdStarts: 3},
		Init: []InitResult{
			{Name: "hello", LogicalID: "HelloFunction", Baseline: true, Init: Summarize([]time.Duration{2 * ms, 2 * ms, 3 * ms})},
			{Name: "sdkfloor", LogicalID: "SDKFloorFunction", Baseline: true, Init: Summarize([]time.Duration{2500 * time.Microsecond, 2500 * time.Microsecond, 3 * ms})},
			{Name: "me-get", LogicalID: "MeGetFunction", Init: Summarize([]time.Duration{3 * ms, 4 * ms, 5 * ms})},
			{Name: "vocabularies", LogicalID: "VocabulariesFunction", Init: Summarize([]time.Duration{2 * ms, 3 * ms, 9 * ms})},
		},
		Sizes: []SizeResult{
			{Name: "me-get", Binary: 30 << 20, Zipped: 10 << 20},
			{Name: "vocabularies", Binary: 10 << 20, Zipped: 4 << 20},
			{Name: "sdkfloor", Baseline: true, Binary: 15 << 20, Zipped: 5 << 20},
			{Name: "hello", Baseline: true, Binary: 5 << 20, Zipped: 2 << 20},
		},
		Inits: []PackageInit{{Package: "github.com/aws/aws-sdk-go-v2/service/dynamodb", Clock: 3 * ms, Bytes: 1 << 20, Functions: 2}},
	}
	rows := r.ColdStart()
	if len(rows) != 4 || rows[0].Name != "hello" || rows[1].Name != "sdkfloor" || !rows[0].Baseline || !rows[1].Baseline || rows[2].Baseline {
		t.Fatalf("rows %+v", rows)
	}
	near := func(got []float64, want ...float64) bool {
		if len(got) != len(want) {
			return false
		}
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-9 {
				return false
			}
		}
		return true
	}
	if me := rows[2]; me.Name != "me-get" || !near(me.InitRatio, 2, 1.6) || !near(me.SizeRatio, 6, 2) || !near(me.ZipRatio, 5, 2) {
		t.Errorf("me-get %+v", me)
	}
	if v := rows[3]; v.Name != "vocabularies" || !near(v.InitRatio, 1.5, 1.2) || !near(v.SizeRatio, 2, 10.0/15) {
		t.Errorf("vocabularies %+v", v)
	}

	var md bytes.Buffer
	r.Markdown(&md)
	out := md.String()
	for _, want := range []string{
		"## 3. Cold start: init time and binary size per function",
		"| Function | init median | init × hello | init × SDK floor | init min | init max | bootstrap | bootstrap × hello | bootstrap × SDK floor | zip | zip × hello | zip × SDK floor |\n|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n",
		"| _hello-world baseline_ | 2.00 ms | 1.00× | 0.80× | 2.00 ms | 3.00 ms | 5.00 MiB | 1.00× | 0.33× | 2.00 MiB | 1.00× | 0.40× |",
		"| _SDK floor baseline_ | 2.50 ms | 1.25× | 1.00× | 2.50 ms | 3.00 ms | 15.00 MiB | 3.00× | 1.00× | 5.00 MiB | 2.50× | 1.00× |",
		"| `me-get` | 4.00 ms | 2.00× | 1.60× | 3.00 ms | 5.00 ms | 30.00 MiB | 6.00× | 2.00× | 10.00 MiB | 5.00× | 2.00× |",
		"| `vocabularies` | 3.00 ms | 1.50× | 1.20× | 2.00 ms | 9.00 ms | 10.00 MiB | 2.00× | 0.67× | 4.00 MiB | 2.00× | 0.80× |",
		"Over the 2 functions, at the median (smallest to largest): init 1.75× hello (1.50× to 2.00×), 1.40× SDK floor (1.20× to 1.60×); " +
			"bootstrap 4.00× hello (2.00× to 6.00×), 1.33× SDK floor (0.67× to 2.00×). The aim is init at most 1.5× hello.",
		"## 4. Package inits",
		"| `github.com/aws/aws-sdk-go-v2/service/dynamodb` | 3.00 ms | 1.00 MiB | 2 of 2 |",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	// Sizes skipped: the init columns stay, the size ones are dashes.
	r.Config.SkipSizes, r.Sizes = true, nil
	md.Reset()
	r.Markdown(&md)
	if !strings.Contains(md.String(), "| `me-get` | 4.00 ms | 2.00× | 1.60× | 3.00 ms | 5.00 ms | — | — | — | — | — | — |") {
		t.Errorf("without sizes:\n%s", md.String())
	}

	// A baseline not measured has no row, and its ratios are dashes.
	r.Init = append(r.Init[:1], r.Init[2:]...)
	md.Reset()
	r.Markdown(&md)
	out = md.String()
	if strings.Contains(out, "SDK floor baseline") || strings.Contains(out, "× SDK floor (") ||
		!strings.Contains(out, "| `me-get` | 4.00 ms | 2.00× | — | 3.00 ms |") {
		t.Errorf("without the SDK floor:\n%s", out)
	}
}

// The baselines' template runs through the gateway like template.yaml: each baseline
// is a function whose folder is its testdata package.
func TestBaselinesTemplateHasEveryBaseline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "baselines.yaml")
	if err := os.WriteFile(path, []byte(baselinesTemplate()), 0o644); err != nil {
		t.Fatal(err)
	}
	tmpl, err := gateway.LoadTemplate(path, gateway.TemplateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(tmpl.Functions) != len(baselines) {
		t.Fatalf("functions %+v", tmpl.Functions)
	}
	for _, b := range baselines {
		f := tmpl.FunctionByName(b.LogicalID)
		if f == nil || f.Folder != b.Folder {
			t.Errorf("baseline %s: %+v", b.LogicalID, f)
		}
		if _, err := os.Stat(filepath.Join("testdata", b.Folder, "main.go")); err != nil {
			t.Errorf("baseline %s: %v", b.Folder, err)
		}
	}
}

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
	"etwin/shared/outbox"
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

// The outbox section: each run's throughput and delays, the outcome, the sweep's delivery
// times at SES's rate and at the measured one, and the DynamoDB cost per e-mail.
func TestOutboxSectionReportsRunsAndCostModel(t *testing.T) {
	ms := time.Millisecond
	// The burst: 10 e-mails, delays 1..10 s (p50 5 s, p95 and p99 10 s by nearest rank).
	var burst []time.Duration
	for i := 1; i <= 10; i++ {
		burst = append(burst, time.Duration(i)*time.Second)
	}
	b := Summarize(burst)
	steady := Summarize([]time.Duration{400 * ms, 500 * ms, 600 * ms, 700 * ms, 1500 * ms})
	r := &Report{Outbox: &OutboxResult{
		SendRate: 7, BatchSize: 25, BatchingWindow: time.Second, Instances: 1,
		Runs: []OutboxRun{
			{Name: "burst", Emails: 10, Commit: 250 * ms, Span: 2 * time.Second, Delay: b, P95: b.Percentile(95),
				States: map[string]int{outbox.Sent: 10}, Wait: time.Minute},
			{Name: "steady", Emails: 6, Offered: 2, Commit: 2500 * ms, Span: 5 * time.Second, Delay: steady, P95: steady.Percentile(95),
				States: map[string]int{outbox.Sent: 4, outbox.Failed: 1}, Unfinished: 1, Wait: 90 * time.Second},
		},
		Cost: MailCost{ItemBytes: 612, Steps: []MailStep{
			{Step: "outbox item, in the cause's transaction", Call: "TransactWriteItems (its Put)", Write: 2},
			{Step: "claim (conditional)", Call: "UpdateItem", Write: 1},
			{Step: "suppression check", Call: "GetItem", Read: 1},
			{Step: "per-address counters (hour, day)", Call: "TransactWriteItems (2 Updates)", Write: 4, Stranger: true},
			{Step: "outcome (the body dropped)", Call: "TransactWriteItems (1 Update)", Write: 2},
		}},
	}}
	if got := r.Outbox.Runs[0].Rate(); got != 5 {
		t.Errorf("burst rate %v, want 5 (10 e-mails in 2 s)", got)
	}
	if w, rd := r.Outbox.Cost.PerMail(false); w != 5 || rd != 1 {
		t.Errorf("per e-mail %v write, %v read; want 5, 1", w, rd)
	}
	if w, _ := r.Outbox.Cost.PerMail(true); w != 9 {
		t.Errorf("per stranger's e-mail %v write, want 9", w)
	}
	var md bytes.Buffer
	r.Markdown(&md)
	out := md.String()
	for _, want := range []string{
		"## 6. Outbox: e-mail throughput and commit-to-send delay",
		"batches of up to 25, batching window 1.00 s",
		"`MAIL_SEND_RATE` 7 e-mails/s per instance",
		"1 mail-sender instance(s) started, warm-up included;\n0 on-failure record(s).",
		"| Run | E-mails | Committed in | E-mails/s through the outbox | Delay p50 | Delay p95 | Delay p99 | Delay max | Outcome |\n|---|--:|--:|--:|--:|--:|--:|--:|---|\n",
		"| burst (all at once) | 10 | 250.0 ms | 5.0 | 5.00 s | 10.00 s | 10.00 s | 10.00 s | 10 sent |\n",
		"| steady, 2/s offered for 3 s | 6 | 2.50 s | 1.0 | 600.0 ms | 1.50 s | 1.50 s | 1.50 s | 4 sent, 1 failed; ⚠ 1 not final after 1m30s |\n",
		"| SES's default production rate, 14/s | 2,143 s (35.7 min) |\n",
		"| measured here (the burst), 5.0/s | 6,000 s (100.0 min) |\n",
		"The pending outbox item is 612 bytes.",
		"| outbox item, in the cause's transaction | TransactWriteItems (its Put) | 2 | 0 |\n",
		"| per-address counters (hour, day), mail a stranger can cause only | TransactWriteItems (2 Updates) | 4 | 0 |\n",
		"| **per e-mail** | | 5 (a stranger's: 9) | 1 (a stranger's: 1) |\n",
		"| **30,000 invitations** | | 150,000 | 30,000 |\n",
		"SES: $0.10 per 1,000 e-mails, $3.00 for the 30,000 invitations.",
		"## 7. Bulk import",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	// A crash during the runs is said.
	if strings.Contains(out, "⚠ ") && strings.Contains(out, "instance exiting") {
		t.Errorf("a crash reported without one:\n%s", out)
	}
	r.Outbox.Crashes = 1
	md.Reset()
	r.Markdown(&md)
	if !strings.Contains(md.String(), "started, warm-up included;\n⚠ 1 invocation(s) ended by the instance exiting") {
		t.Errorf("the crash is not reported:\n%s", md.String())
	}

	// Skipped: one line, no cost model.
	r.Config.SkipOutbox, r.Outbox = true, nil
	md.Reset()
	r.Markdown(&md)
	if out := md.String(); !strings.Contains(out, "## 6. Outbox: e-mail throughput and commit-to-send delay\n\n_Skipped (`-skip-outbox`)._\n\n## 7.") {
		t.Errorf("skipped:\n%s", out)
	}
}

func TestCostModelFigures(t *testing.T) {
	if got := deliveryTime(30000, 14).Round(time.Second); got != 2143*time.Second {
		t.Errorf("30,000 at 14/s: %s", got)
	}
	if got := deliveryTime(10, 0); got != 0 {
		t.Errorf("no rate: %s", got)
	}
	if got := sesCost(30000); math.Abs(got-3) > 1e-9 {
		t.Errorf("SES for 30,000: %v", got)
	}
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 30000: "30,000", 1234567: "1,234,567", -4500: "-4,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
	if got := kb(0); got != 1 {
		t.Errorf("kb(0) = %v", got)
	}
	if got := kb(1025); got != 2 {
		t.Errorf("kb(1025) = %v", got)
	}
}

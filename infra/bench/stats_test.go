package bench

import (
	"testing"
	"time"
)

func ms(v ...int) []time.Duration {
	out := make([]time.Duration, len(v))
	for i, x := range v {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	hundred := make([]time.Duration, 100)
	for i := range hundred {
		hundred[i] = time.Duration(i+1) * time.Millisecond
	}
	thousand := make([]time.Duration, 1000)
	for i := range thousand {
		thousand[i] = time.Duration(i+1) * time.Millisecond
	}
	tests := []struct {
		name    string
		samples []time.Duration
		p       float64
		want    time.Duration
	}{
		{"empty", nil, 50, 0},
		{"single p50", ms(7), 50, 7 * time.Millisecond},
		{"single p99", ms(7), 99, 7 * time.Millisecond},
		{"p0 is the minimum", ms(1, 2, 3), 0, 1 * time.Millisecond},
		{"median of five", ms(1, 2, 3, 4, 5), 50, 3 * time.Millisecond},
		{"median of four is the lower middle", ms(1, 2, 3, 4), 50, 2 * time.Millisecond},
		{"p99 of five is the max", ms(1, 2, 3, 4, 5), 99, 5 * time.Millisecond},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 of 1..100", hundred, 100, 100 * time.Millisecond},
		{"p1 of 1..100", hundred, 1, 1 * time.Millisecond},
		{"p99.9 of 1..1000", thousand, 99.9, 999 * time.Millisecond},
		{"above 100 clamps", hundred, 150, 100 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Percentile(tt.samples, tt.p); got != tt.want {
			t.Errorf("%s: Percentile(p%v) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestSummarizeSortsACopy(t *testing.T) {
	in := ms(30, 10, 20, 40)
	s := Summarize(in)
	if s.N != 4 || s.Min != 10*time.Millisecond || s.Max != 40*time.Millisecond ||
		s.P50 != 20*time.Millisecond || s.P99 != 40*time.Millisecond || s.Mean != 25*time.Millisecond {
		t.Fatalf("Summarize = %+v", s)
	}
	if in[0] != 30*time.Millisecond {
		t.Fatalf("Summarize reordered its input: %v", in)
	}
	if e := Summarize(nil); e.N != 0 || e.P99 != 0 || e.Mean != 0 {
		t.Fatalf("empty summary: %+v", e)
	}
}

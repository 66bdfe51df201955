package bench

import (
	"math"
	"slices"
	"time"
)

// Percentile returns the p-th percentile (0 < p <= 100) of samples sorted in
// ascending order, by the nearest-rank method: the smallest sample that at least p% of
// the samples are less than or equal to. It is always one of the samples (no
// interpolation), so p100 is the maximum and p50 of an even count is the lower middle.
// An empty slice gives 0; p <= 0 gives the minimum.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	if p <= 0 {
		return sorted[0]
	}
	// p*n/100 rather than p/100*n keeps whole ranks whole (99*100/100 is exactly 99);
	// the epsilon absorbs the rounding of fractional p such as 99.9.
	rank := int(math.Ceil(p*float64(n)/100 - 1e-9))
	rank = max(1, min(rank, n))
	return sorted[rank-1]
}

// Summary describes a set of durations.
type Summary struct {
	N                  int
	Min, P50, P99, Max time.Duration
	Mean               time.Duration
	Total              time.Duration // the sum of the samples
	sorted             []time.Duration
}

// Summarize sorts a copy of samples and summarizes it.
func Summarize(samples []time.Duration) Summary {
	s := slices.Clone(samples)
	slices.Sort(s)
	out := Summary{N: len(s), sorted: s}
	if len(s) == 0 {
		return out
	}
	for _, d := range s {
		out.Total += d
	}
	out.Min, out.Max = s[0], s[len(s)-1]
	out.P50 = Percentile(s, 50)
	out.P99 = Percentile(s, 99)
	out.Mean = out.Total / time.Duration(len(s))
	return out
}

// Percentile is the p-th percentile of the summarized samples.
func (s Summary) Percentile(p float64) time.Duration { return Percentile(s.sorted, p) }

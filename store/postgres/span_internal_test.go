package postgres

import (
	"testing"
	"time"
)

// Overlapping slots share a lock bucket; back-to-back ones on a bucket
// boundary do not.
func TestSpanBuckets(t *testing.T) {
	t.Parallel()
	h := int64(time.Hour)
	tests := []struct {
		start, end  int64
		first, last int32
	}{
		{0, 4 * h, 0, 0},
		{0, 4*h + 1, 0, 1},
		{4 * h, 8 * h, 1, 1},
		{3 * h, 5 * h, 0, 1},
		{-1, 1, -1, 0},
		{-4 * h, 0, -1, -1},
		{-4*h - 1, -4 * h, -2, -2},
		{time.Date(2031, 6, 3, 9, 0, 0, 0, time.UTC).UnixNano(), time.Date(2031, 6, 4, 9, 0, 0, 0, time.UTC).UnixNano(), 134600, 134606},
	}
	for _, tt := range tests {
		first, last := spanBuckets(tt.start, tt.end)
		if first != tt.first || last != tt.last {
			t.Errorf("spanBuckets(%d, %d) = %d, %d, want %d, %d", tt.start, tt.end, first, last, tt.first, tt.last)
		}
	}
}

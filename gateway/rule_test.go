package gateway_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/bbbcast/bbbcast/gateway"
)

// cands builds candidates with the given last ends (hours after t0, -1
// for never used) and loads.
func cands(lastEnds []int, loads []int) []gateway.Candidate {
	out := make([]gateway.Candidate, len(lastEnds))
	for i := range out {
		out[i].Gateway.ID = int64(i + 1)
		if lastEnds[i] >= 0 {
			out[i].LastEnd = at(time.Duration(lastEnds[i]) * time.Hour)
		}
		out[i].Load = loads[i]
	}
	return out
}

func TestFirstFreePick(t *testing.T) {
	t.Parallel()
	s := sl(48*time.Hour, 50*time.Hour)
	assert.Equal(t, 0, gateway.FirstFree.Pick(s, cands([]int{40, -1, 2}, []int{9, 0, 1})))
	assert.Equal(t, 0, gateway.FirstFree.Pick(s, cands([]int{1}, []int{0})))
}

func TestLeastRecentlyUsedPick(t *testing.T) {
	t.Parallel()
	s := sl(48*time.Hour, 50*time.Hour)
	for _, tc := range []struct {
		lastEnds []int
		want     int
	}{
		{[]int{46, 12, 48}, 1},     // rested 2 h, 36 h, 0 h
		{[]int{46, -1, 12, -1}, 1}, // never used first, the first of them
		{[]int{-1, -1}, 0},         // ties: the first in order
		{[]int{30, 30, 30}, 0},     // ties: the first in order
		{[]int{30, 20, 20}, 1},     // ties: the first in order
		{[]int{48}, 0},             // alone
		{[]int{47, 46, 45, 44, 43}, 4},
	} {
		loads := make([]int, len(tc.lastEnds))
		assert.Equal(t, tc.want, gateway.LeastRecentlyUsed.Pick(s, cands(tc.lastEnds, loads)), "%v", tc.lastEnds)
	}
}

func TestSpreadLoadPick(t *testing.T) {
	t.Parallel()
	s := sl(48*time.Hour, 50*time.Hour)
	for _, tc := range []struct {
		loads []int
		want  int
	}{
		{[]int{3, 1, 2, 1}, 1}, // fewest, first among equals
		{[]int{0, 0}, 0},
		{[]int{5, 4, 3, 2, 1, 0}, 5},
		{[]int{7}, 0},
	} {
		lastEnds := make([]int, len(tc.loads))
		assert.Equal(t, tc.want, gateway.SpreadLoad.Pick(s, cands(lastEnds, tc.loads)), "%v", tc.loads)
	}
}

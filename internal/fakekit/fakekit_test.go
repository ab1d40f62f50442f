package fakekit_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/internal/fakekit"
)

func TestRingKeepsTheLatest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		size, added int
		want        []int
	}{
		{3, 0, []int{}},
		{3, 2, []int{0, 1}},
		{3, 3, []int{0, 1, 2}},
		{3, 7, []int{4, 5, 6}},
		{1, 5, []int{4}},
	}
	for _, tt := range tests {
		r := fakekit.NewRing[int](tt.size)
		for i := 0; i < tt.added; i++ {
			r.Add(i, tt.size)
		}
		assert.Equal(t, tt.want, r.Snapshot(), "size %d, %d added", tt.size, tt.added)
	}
}

func TestNotifierWakesWaiters(t *testing.T) {
	t.Parallel()
	var n fakekit.Notifier
	var done atomic.Bool
	errc := make(chan error, 1)
	go func() { errc <- n.WaitUntil(context.Background(), done.Load) }()
	// Broadcast until the waiter has seen the condition: no sleeping.
	done.Store(true)
	for {
		n.Broadcast()
		select {
		case err := <-errc:
			require.NoError(t, err)
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			require.ErrorIs(t, n.WaitUntil(ctx, func() bool { return false }), context.Canceled)
			require.NoError(t, n.WaitUntil(ctx, func() bool { return true }), "a true condition wins over a done context")
			return
		default:
		}
	}
}

func TestRandomString(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		s := fakekit.RandomString(16, fakekit.LowerAlnum)
		require.Len(t, s, 16)
		require.Empty(t, strings.Trim(s, fakekit.LowerAlnum))
		seen[s] = true
	}
	assert.Len(t, seen, 100)
	assert.Empty(t, strings.Trim(fakekit.RandomString(64, fakekit.Digits), fakekit.Digits))
}

func TestFaults(t *testing.T) {
	t.Parallel()
	var q fakekit.Faults[string]
	_, ok := q.Take("start", nil)
	assert.False(t, ok, "empty")

	q.Add("start", "twice", 2)
	q.Add(fakekit.AnyOp, "always", 0)
	q.Add("stop", "start-only", 1)
	took := func(op string, applies func(string) bool) string {
		f, ok := q.Take(op, applies)
		if !ok {
			return ""
		}
		return f
	}
	assert.Equal(t, "twice", took("start", nil))
	assert.Equal(t, "twice", took("start", nil))
	assert.Equal(t, "always", took("start", nil), "used up, the next one applies")
	assert.Equal(t, "always", took("probe", nil), "AnyOp matches every operation")
	notAlways := func(f string) bool { return f != "always" }
	assert.Equal(t, "start-only", took("stop", notAlways), "a fault that does not apply is skipped")
	assert.Equal(t, "", took("stop", notAlways), "start-only was used once")
	assert.Equal(t, "always", took("stop", nil), "the skipped fault was not consumed")
	q.Clear()
	assert.Equal(t, "", took("stop", nil))
}

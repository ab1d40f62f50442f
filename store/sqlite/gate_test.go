package sqlite

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
)

// free reports whether g is free with no one waiting.
func (g *gate) free() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return !g.held && len(g.waiters) == 0
}

func TestGate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		waiters int
		cancel  []int // waiters whose context ends while they wait
	}{
		{"served in arrival order", 8, nil},
		{"a cancelled waiter leaves the queue", 6, []int{1, 4}},
		{"every waiter cancelled", 3, []int{0, 1, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var g gate
			if err := g.lock(context.Background()); err != nil {
				t.Fatal(err)
			}
			var (
				served    = make(chan int, tc.waiters)
				errs      = make([]error, tc.waiters)
				cancels   = make([]context.CancelFunc, tc.waiters)
				all, gone sync.WaitGroup
			)
			for i := range tc.waiters {
				ctx, cancel := context.WithCancel(context.Background())
				cancels[i] = cancel
				// Enqueued here, in order; waiting in a goroutine of its own.
				turn := g.enqueue()
				wg := &all
				if slices.Contains(tc.cancel, i) {
					wg = &gone
				}
				wg.Go(func() {
					if errs[i] = g.wait(ctx, turn); errs[i] == nil {
						served <- i
						g.unlock()
					}
				})
			}
			for _, i := range tc.cancel {
				cancels[i]()
			}
			gone.Wait() // the cancelled ones gave up while the gate was held
			g.unlock()
			all.Wait()
			close(served)

			var order, want []int
			for i := range served {
				order = append(order, i)
			}
			for i := range tc.waiters {
				if slices.Contains(tc.cancel, i) {
					if !errors.Is(errs[i], context.Canceled) {
						t.Errorf("cancelled waiter %d: %v", i, errs[i])
					}
					continue
				}
				want = append(want, i)
			}
			if !slices.Equal(order, want) {
				t.Errorf("served %v, want %v", order, want)
			}
			if !g.free() {
				t.Error("the gate is still held")
			}
			for _, cancel := range cancels {
				cancel()
			}
		})
	}
}

// A waiter whose context ends just as its turn comes either takes the
// gate or passes it on: the next waiter is served either way.
func TestGateCancelledAtItsTurn(t *testing.T) {
	t.Parallel()
	var g gate
	if err := g.lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	first, second := g.enqueue(), g.enqueue()
	g.unlock() // first's turn, before it waits
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	switch err := g.wait(ctx, first); {
	case err == nil:
		g.unlock()
	case !errors.Is(err, context.Canceled):
		t.Fatal(err)
	}
	if err := g.wait(context.Background(), second); err != nil {
		t.Fatal(err)
	}
	g.unlock()
	if !g.free() {
		t.Error("the gate is still held")
	}
}

package sqlite

import (
	"context"
	"sync"
)

// gate is a lock that serves its waiters in arrival order and lets a
// waiter give up when its context ends. A Store holds it for each
// operation: database/sql hands a freed connection to a random waiter, so
// with many callers on its single connection some waited for seconds
// while later ones went first.
//
// A waiter takes a ticket (enqueue), then waits for its turn (wait);
// lock does both. unlock passes the gate to the first waiter directly,
// so that a caller arriving at that moment cannot overtake the queue.
type gate struct {
	mu      sync.Mutex
	held    bool
	waiters []chan struct{} // in arrival order; closed when the gate is theirs
}

// lock waits for the gate, in arrival order; it returns ctx's error,
// without the gate, when ctx ends first.
func (g *gate) lock(ctx context.Context) error {
	return g.wait(ctx, g.enqueue())
}

// enqueue takes the next ticket: a closed channel when the gate was free
// (it is now the caller's), otherwise one closed when the caller's turn
// comes.
func (g *gate) enqueue() chan struct{} {
	turn := make(chan struct{})
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.held {
		g.held = true
		close(turn)
		return turn
	}
	g.waiters = append(g.waiters, turn)
	return turn
}

// wait waits for the turn of ticket turn. When ctx ends first it leaves
// the queue, or passes the gate on if it came meanwhile, and returns
// ctx's error.
func (g *gate) wait(ctx context.Context, turn chan struct{}) error {
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
	}
	g.mu.Lock()
	for i, w := range g.waiters {
		if w == turn {
			g.waiters = append(g.waiters[:i], g.waiters[i+1:]...)
			g.mu.Unlock()
			return ctx.Err()
		}
	}
	g.mu.Unlock()
	g.unlock() // not in the queue: unlock gave us the gate meanwhile
	return ctx.Err()
}

// unlock gives the gate to the first waiter, or frees it.
func (g *gate) unlock() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.waiters) == 0 {
		g.held = false
		return
	}
	next := g.waiters[0]
	g.waiters[0] = nil
	g.waiters = g.waiters[1:]
	close(next)
}

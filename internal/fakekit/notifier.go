package fakekit

import (
	"context"
	"sync"
)

// Notifier wakes every waiter when something observable happened (a
// callback attempt, a request blocking on an injected delay, a stream
// starting), so tests wait without sleeping. The zero value is ready.
type Notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// Changed returns a channel closed at the next Broadcast.
func (n *Notifier) Changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

// Broadcast wakes everyone waiting.
func (n *Notifier) Broadcast() {
	n.mu.Lock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
	n.mu.Unlock()
}

// WaitUntil blocks until cond is true or ctx is done. cond is evaluated
// after subscribing, so no broadcast is missed.
func (n *Notifier) WaitUntil(ctx context.Context, cond func() bool) error {
	for {
		ch := n.Changed()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

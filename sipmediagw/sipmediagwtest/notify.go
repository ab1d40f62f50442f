package sipmediagwtest

import (
	"context"
	"sync"
)

// notifier wakes every waiter when something observable happened (a
// request started blocking, a stream started or stopped), so tests wait
// without sleeping.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

// changed returns a channel closed at the next broadcast.
func (n *notifier) changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.ch == nil {
		n.ch = make(chan struct{})
	}
	return n.ch
}

func (n *notifier) broadcast() {
	n.mu.Lock()
	if n.ch != nil {
		close(n.ch)
		n.ch = nil
	}
	n.mu.Unlock()
}

// waitUntil blocks until cond is true or ctx is done. cond is evaluated
// after subscribing, so no broadcast is missed.
func (n *notifier) waitUntil(ctx context.Context, cond func() bool) error {
	for {
		ch := n.changed()
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

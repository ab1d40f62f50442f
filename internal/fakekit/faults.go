package fakekit

import (
	"sync"
	"sync/atomic"
)

// AnyOp makes a fault apply to every operation.
const AnyOp = "*"

// Faults is the queue of injected faults of a fake server: each applies to
// one operation (or AnyOp), a number of times or forever, in the order
// they were added. It is safe for concurrent use; the zero value is ready.
type Faults[F any] struct {
	mu      sync.Mutex
	entries []*faultEntry[F]
	n       atomic.Int32 // len(entries), read without the lock on every request
}

type faultEntry[F any] struct {
	op   string
	f    F
	left int // -1: forever
}

// Add queues f for op, times times (forever when times <= 0).
func (q *Faults[F]) Add(op string, f F, times int) {
	if times <= 0 {
		times = -1
	}
	q.mu.Lock()
	q.entries = append(q.entries, &faultEntry[F]{op: op, f: f, left: times})
	q.n.Store(int32(len(q.entries)))
	q.mu.Unlock()
}

// Clear removes every fault.
func (q *Faults[F]) Clear() {
	q.mu.Lock()
	q.entries = nil
	q.n.Store(0)
	q.mu.Unlock()
}

// Take consumes one use of the first fault for op (or AnyOp) that applies
// says fits, and returns it.
func (q *Faults[F]) Take(op string, applies func(F) bool) (F, bool) {
	var zero F
	if q.n.Load() == 0 {
		return zero, false
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, e := range q.entries {
		if e.op != op && e.op != AnyOp || applies != nil && !applies(e.f) {
			continue
		}
		if e.left > 0 {
			e.left--
			if e.left == 0 {
				q.entries = append(q.entries[:i], q.entries[i+1:]...)
				q.n.Store(int32(len(q.entries)))
			}
		}
		return e.f, true
	}
	return zero, false
}

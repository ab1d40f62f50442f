package gateway

import "time"

// Candidate is a gateway free for the whole slot, as a Rule sees it.
type Candidate struct {
	Gateway Gateway
	// LastEnd is the end of the gateway's latest booking that ends at or
	// before the slot's start (zero when none): how long it has rested.
	LastEnd time.Time
	// Load counts the gateway's bookings within LoadWindow of the slot.
	Load int
}

// LoadWindow is how far around a slot Candidate.Load counts bookings.
const LoadWindow = 24 * time.Hour

// Rule chooses the gateway of an allocation among the free ones, which
// come in allocation order (Order, then ID). It returns an index into
// free. Rules run inside the store's atomic allocation: they must be fast,
// deterministic and must not call the store.
type Rule interface {
	Pick(slot Slot, free []Candidate) int
}

// FirstFree is Esup-Pod's rule and the default: the first free gateway in
// allocation order. Stores stop looking at the first free gateway for it,
// so it costs one overlap check per busy gateway before it. Between
// concurrent allocations for overlapping slots the order is a store's
// choice: store/postgres lets them take the next free gateways rather
// than queue for the first.
var FirstFree Rule = firstFree{}

type firstFree struct{}

func (firstFree) Pick(Slot, []Candidate) int { return 0 }

// LeastRecentlyUsed picks the gateway that has rested longest before the
// slot (never used first), spreading wear over the pool.
var LeastRecentlyUsed Rule = leastRecentlyUsed{}

type leastRecentlyUsed struct{}

func (leastRecentlyUsed) Pick(_ Slot, free []Candidate) int {
	best := 0
	for i := 1; i < len(free); i++ {
		if free[i].LastEnd.Before(free[best].LastEnd) {
			best = i
		}
	}
	return best
}

// SpreadLoad picks the gateway with the fewest bookings around the slot,
// first in order among equals.
var SpreadLoad Rule = spreadLoad{}

type spreadLoad struct{}

func (spreadLoad) Pick(_ Slot, free []Candidate) int {
	best := 0
	for i := 1; i < len(free); i++ {
		if free[i].Load < free[best].Load {
			best = i
		}
	}
	return best
}

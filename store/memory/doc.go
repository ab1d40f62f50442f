// Package memory is an in-memory store for bbbcast: fast, safe for
// concurrent use by the goroutines of one process, and gone when the
// process ends. It is the store of tests, of the demo, and of a single
// replica that can afford to lose its state; it passes the same
// conformance suite (store/storetest) as the durable stores.
//
// Bookings are kept per gateway in slices sorted by start time, so an
// allocation checks a gateway with one binary search; one mutex makes
// every operation atomic.
package memory

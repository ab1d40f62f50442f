// Package memory is an in-memory store for bbbcast: fast, safe for
// concurrent use by the goroutines of one process, and gone when the
// process ends. It is the store of tests, of the demo, and of a single
// replica that can afford to lose its state; it passes the same
// conformance suite (store/storetest) as the durable stores.
//
// Bookings are kept per gateway in slices sorted by start time, so a
// gateway is checked with one binary search; each pool of 128 gateways or
// more also has an index of its bookings by hour (see poolIndex in
// index.go) that tells at once which of its gateways are busy during a
// slot, so that FirstFree costs a few microseconds however many of them
// are busy. One mutex makes every operation atomic.
package memory

// Package storetest is the conformance suite every bbbcast store adapter
// runs: one set of tests, written against the interfaces the library
// declares, that store/memory, store/sqlite and store/postgres all pass.
//
// An adapter's test calls the suite with a factory returning a fresh,
// empty store:
//
//	func TestConformance(t *testing.T) {
//		storetest.RunGateway(t, func(t *testing.T) gateway.Store {
//			return memory.New()
//		})
//	}
//
// Every subtest calls the factory once and runs in parallel with the
// others, so the stores the factory returns must be independent (a
// database adapter gives each one its own schema or database, and drops
// it with t.Cleanup).
//
// RunGateway checks gateway.Store: gateway CRUD, the overlap edge cases of
// half-open slots, reallocation, release, booking queries, the allocation
// rules and the candidates they see, cancelled contexts, 32 goroutines
// allocating at once, and a property test that replays random operations
// on the store and on a brute-force model of the documented rules and
// requires identical decisions.
//
// Where the gateway.Store documentation leaves a choice open, the suite
// pins the behaviour a host relies on, and says so in the doc comment of
// RunGateway.
package storetest

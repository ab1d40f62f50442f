// Package storekit holds what the store adapters share beyond the
// interfaces they implement (gateway.Store, webinar.Store): the orders
// the stores return their lists in, the filters a store applies in Go
// when its query language cannot, and the shortcut FirstFree allows.
// store/memory, store/sqlite and store/postgres use it; an adapter of
// another database should too, so that it behaves as store/storetest
// expects. A host never needs it.
package storekit

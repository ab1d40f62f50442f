// Package gateway manages live gateways and books them for webinars.
//
// A Gateway binds an RTMP publish URL, the HLS URL the audience plays and
// one SIPMediaGW server; it carries one webinar at a time. A booking holds
// a gateway for an owner (a webinar) during a Slot, a half-open interval
// [Start, End), so back-to-back webinars share a gateway.
//
// Allocation follows a Rule among the enabled gateways of a pool with no
// booking overlapping the slot. The default, FirstFree, is Esup-Pod's: the
// first free gateway in allocation order (Order, then ID).
// LeastRecentlyUsed and SpreadLoad are alternatives; any Rule plugs in.
//
// Unlike Esup-Pod, allocation is one atomic operation of the Store, so two
// webinars never get the same gateway for overlapping slots, even when
// many goroutines or processes sharing a database allocate at once.
// Editing a slot keeps the gateway when it is free for the new slot, moves
// the booking atomically to a free one otherwise, and refuses with
// ErrNoGatewayFree, changing nothing, when none is free. That error is a
// *NoGatewayFreeError listing the conflicting bookings, and the Service
// reports it as a CapacityEvent so the host can warn its administrators.
//
// The package declares the Store it consumes; store/memory, store/sqlite
// and store/postgres implement it, and store/storetest is the conformance
// suite they all pass.
package gateway

package gateway

import (
	"context"
	"time"
)

// Store is what the gateway package needs from storage. Adapters live in
// store/memory, store/sqlite and store/postgres; store/storetest is the
// conformance suite they all pass, store/storekit holds the helpers they
// share (allocation order, the FirstFree shortcut).
//
// Allocate is the heart of it: one atomic operation, so that no two
// owners ever hold overlapping bookings of one gateway, whatever the
// concurrency (goroutines, or processes sharing a database).
type Store interface {
	// CreateGateway stores a new gateway and returns it with its ID.
	// Another gateway with the same Server.Key gives ErrDuplicateServer.
	CreateGateway(ctx context.Context, g Gateway) (Gateway, error)
	// UpdateGateway replaces the gateway with g.ID (ErrNotFound,
	// ErrDuplicateServer).
	UpdateGateway(ctx context.Context, g Gateway) error
	// DeleteGateway removes a gateway that has no booking ending after
	// now (ErrInUse otherwise, ErrNotFound).
	DeleteGateway(ctx context.Context, id int64, now time.Time) error
	// Gateway returns one gateway (ErrNotFound).
	Gateway(ctx context.Context, id int64) (Gateway, error)
	// Gateways lists every gateway in allocation order.
	Gateways(ctx context.Context) ([]Gateway, error)

	// Allocate books a gateway of req.Pool for req.Owner during req.Slot,
	// atomically:
	//   - an owner without a booking gets the gateway req.Rule picks among
	//     the enabled gateways of the pool with no booking overlapping
	//     the slot;
	//   - an owner with a booking keeps its gateway if it is free for the
	//     new slot (its own booking aside), else moves to the one the rule
	//     picks among the free ones;
	//   - when none is free it returns a *NoGatewayFreeError listing the
	//     bookings that overlap the slot, and changes nothing;
	//   - a request naming a gateway (req.GatewayID) books that gateway or
	//     nothing: the owner's booking moves there (or stays) when it is
	//     an enabled gateway of the pool free for the slot, else the
	//     *NoGatewayFreeError (GatewayID set) lists the bookings of that
	//     gateway overlapping the slot. An unknown gateway is ErrNotFound.
	Allocate(ctx context.Context, req Request) (Booking, error)
	// Release deletes the owner's booking and returns it (ErrNotFound).
	Release(ctx context.Context, owner string) (Booking, error)
	// Booking returns the owner's booking (ErrNotFound).
	Booking(ctx context.Context, owner string) (Booking, error)
	// Bookings lists the bookings overlapping q.Window, of one gateway
	// when q.GatewayID is not 0, else of one pool, by gateway then start.
	Bookings(ctx context.Context, q BookingQuery) ([]Booking, error)
}

// Request is an allocation.
type Request struct {
	Owner string
	Pool  string
	Slot  Slot
	Rule  Rule // nil means FirstFree
	// GatewayID, when not 0, pins the allocation to that gateway: the
	// Rule is not used and the booking never goes elsewhere. A webinar
	// whose stream runs on a gateway extends its booking this way.
	GatewayID int64
}

// BookingQuery selects bookings.
type BookingQuery struct {
	GatewayID int64  // 0: every gateway of Pool
	Pool      string // used when GatewayID is 0
	Window    Slot
}

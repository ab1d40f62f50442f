package gateway

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bbbcast/bbbcast/internal/ctxguard"
)

// Errors of the package; the typed errors below match them with errors.Is.
var (
	// ErrNoGatewayFree: every enabled gateway of the pool is booked during
	// the slot. The error is a *NoGatewayFreeError listing the conflicts.
	ErrNoGatewayFree = errors.New("gateway: no gateway free for the slot")
	// ErrInvalidSlot: an empty, inverted or too long slot (*SlotError).
	ErrInvalidSlot = errors.New("gateway: invalid slot")
	// ErrInvalidGateway: a gateway that fails validation (*ValidationError).
	ErrInvalidGateway = errors.New("gateway: invalid gateway")
	// ErrDuplicateServer: another gateway already uses that SIPMediaGW URL
	// (and, for a v1.8 launcher, that gw_id).
	ErrDuplicateServer = errors.New("gateway: SIPMediaGW server already used by another gateway")
	// ErrNotFound: no such gateway or booking.
	ErrNotFound = errors.New("gateway: not found")
	// ErrInUse: the gateway still has bookings that have not ended.
	ErrInUse = errors.New("gateway: gateway has bookings")
	// ErrNilContext: a call was given a nil context.
	ErrNilContext = ctxguard.ErrNil
	// ErrNoStore: the Service was made without a Store.
	ErrNoStore = errors.New("gateway: NewService was given no Store")
)

// SlotError says why a slot was refused.
type SlotError struct {
	Slot   Slot
	Reason string
}

func (e *SlotError) Error() string {
	return "gateway: invalid slot " + e.Slot.String() + ": " + e.Reason
}

// Unwrap lets errors.Is(err, ErrInvalidSlot) match.
func (e *SlotError) Unwrap() error { return ErrInvalidSlot }

// ValidationError lists what is wrong with a gateway, field by field. It
// never holds the token or a stream key.
type ValidationError struct {
	Fields map[string]string // field name → problem
}

func (e *ValidationError) Error() string {
	parts := make([]string, 0, len(e.Fields))
	for _, f := range slices.Sorted(maps.Keys(e.Fields)) {
		parts = append(parts, f+": "+e.Fields[f])
	}
	return "gateway: invalid gateway: " + strings.Join(parts, "; ")
}

// Unwrap lets errors.Is(err, ErrInvalidGateway) match.
func (e *ValidationError) Unwrap() error { return ErrInvalidGateway }

// NoGatewayFreeError is the refusal of an allocation: who holds the
// pool's gateways during the slot, so a host can tell its user.
type NoGatewayFreeError struct {
	Pool string
	Slot Slot
	// GatewayID is the gateway a pinned request asked for (0 when the
	// request could take any gateway of the pool).
	GatewayID int64
	Gateways  int // enabled gateways in the pool (of the one asked for, when pinned)
	// Conflicts are the bookings overlapping the slot, by gateway in the
	// pool's order, then by start. A refusal of the whole pool lists at
	// most MaxConflicts of them, the first in that order, and sets
	// Truncated when there were more: a thousand-gateway pool's full list
	// would cost more than the decision, and says no more to a user.
	Conflicts []Booking
	Truncated bool
}

// MaxConflicts bounds the Conflicts of a pool-wide refusal. A pinned
// request's refusal lists all its gateway's conflicts.
const MaxConflicts = 50

func (e *NoGatewayFreeError) Error() string {
	if e.GatewayID != 0 {
		if e.Gateways == 0 {
			return fmt.Sprintf("gateway: gateway %d is not an enabled gateway of pool %q", e.GatewayID, e.Pool)
		}
		return fmt.Sprintf("gateway: gateway %d is not free for %s (%d conflicting bookings)",
			e.GatewayID, e.Slot, len(e.Conflicts))
	}
	more := ""
	if e.Truncated {
		more = " or more"
	}
	return fmt.Sprintf("gateway: no gateway free in pool %q for %s: all %d gateways booked (%d%s conflicting bookings)",
		e.Pool, e.Slot, e.Gateways, len(e.Conflicts), more)
}

// Unwrap lets errors.Is(err, ErrNoGatewayFree) match.
func (e *NoGatewayFreeError) Unwrap() error { return ErrNoGatewayFree }

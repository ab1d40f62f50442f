package sqlite

import (
	"context"
	"strconv"

	"github.com/bbbcast/bbbcast/gateway"
)

// A refusal on a nearly full pool walks every gateway of the pool in
// search of a free one: a millisecond for a thousand gateways. In a rush
// on such a pool most requests are refused for the same slot while
// nothing changes, so the Store remembers the refusals until the data
// changes, by its own hand or another connection's, and answers the same
// request again from memory, in some microseconds.

// maxRefusals bounds the refusals remembered at a time.
const maxRefusals = 16

// refusalKey is what a refusal depends on besides the data: whatever the
// owner, once the owner's gateway cannot be kept (see Allocate).
type refusalKey struct {
	pool       string
	start, end int64
}

// refusal is what the NoGatewayFreeError of a pool and slot holds for any
// owner: the count of enabled gateways and the first conflicts in the
// pool's order, whoever their owner, gateway.MaxConflicts+2 at most (all
// of them when fewer): one owner's booking aside, that tells whether the
// owner's refusal lists them all.
type refusal struct {
	gateways  int
	conflicts []gateway.Booking
}

// refusals are the refusals remembered, valid while version is the
// connection's dataVersionQuery. They belong to the holder of the
// Store's gate.
type refusals struct {
	byKey   map[refusalKey]refusal
	version [2]int64
}

// dataVersionQuery returns what changes when the data does: the count of
// rows the connection changed (total_changes), which counts every write
// of the Store whatever the statement, and PRAGMA data_version, which
// changes when another connection commits.
const dataVersionQuery = `SELECT total_changes(), data_version FROM pragma_data_version`

func dataVersion(ctx context.Context, tx *txn) ([2]int64, error) {
	var v [2]int64
	err := tx.QueryRowContext(ctx, dataVersionQuery).Scan(&v[0], &v[1])
	return v, err
}

// lookup returns the refusal of key remembered, if the data did not
// change since.
func (r *refusals) lookup(ctx context.Context, tx *txn, key refusalKey) (refusal, bool, error) {
	ref, ok := r.byKey[key]
	if !ok {
		return refusal{}, false, nil
	}
	v, err := dataVersion(ctx, tx)
	if err != nil {
		return refusal{}, false, err
	}
	if v != r.version {
		clear(r.byKey)
		return refusal{}, false, nil
	}
	return ref, true, nil
}

// remember keeps ref for key.
func (r *refusals) remember(ctx context.Context, tx *txn, key refusalKey, ref refusal) error {
	v, err := dataVersion(ctx, tx)
	if err != nil {
		return err
	}
	if r.byKey == nil || len(r.byKey) >= maxRefusals || v != r.version {
		r.byKey = map[refusalKey]refusal{}
	}
	r.byKey[key], r.version = ref, v
	return nil
}

// errorFor is the *gateway.NoGatewayFreeError of req: the conflicts of ref
// but req.Owner's, gateway.MaxConflicts at most.
func (ref refusal) errorFor(req gateway.Request) *gateway.NoGatewayFreeError {
	nerr := &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot, Gateways: ref.gateways}
	for _, b := range ref.conflicts {
		if b.Owner == req.Owner {
			continue
		}
		if len(nerr.Conflicts) == gateway.MaxConflicts {
			nerr.Truncated = true
			break
		}
		nerr.Conflicts = append(nerr.Conflicts, b)
	}
	return nerr
}

// The statements of a refusal, of pool ?1 and slot [?3, ?2): the count of
// its enabled gateways, and the first bookings overlapping the slot on
// them, whoever their owner, in the pool's order. The index walk yields
// them in that order, so the LIMIT stops it after a few gateways.
var (
	countQuery     = `SELECT COUNT(*) FROM gateways INDEXED BY gateways_pool_enabled WHERE pool = ?1 AND enabled = 1`
	conflictsQuery = `SELECT ` + bookingColumns + ` FROM gateways g INDEXED BY gateways_pool_enabled
		JOIN bookings b INDEXED BY bookings_gateway_start ON ` + overlapping("g.id", "?3", "?2") + `
		WHERE g.pool = ?1 AND g.enabled = 1
		ORDER BY g.ord, g.id, b.start_ns LIMIT ` + strconv.Itoa(gateway.MaxConflicts+2)
)

// queryRefusal reads the refusal of req's pool and slot.
func queryRefusal(ctx context.Context, tx *txn, req gateway.Request, start, end int64) (refusal, error) {
	var (
		ref refusal
		err error
	)
	if err = tx.QueryRowContext(ctx, countQuery, req.Pool).Scan(&ref.gateways); err != nil {
		return refusal{}, err
	}
	ref.conflicts, err = queryBookings(ctx, tx, conflictsQuery, req.Pool, end, start)
	return ref, err
}

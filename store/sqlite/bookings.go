package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/storekit"
)

// bookingColumns are the columns scanBooking reads, in its order: a
// booking joined with its gateway, whose pool is the booking's.
const bookingColumns = `b.owner, b.gateway_id, g.pool, b.start_ns, b.end_ns`

// The allocation queries take the pool (or the pinned gateway) as ?1,
// the owner as ?2, the end of the slot as ?3 and its start as ?4.

// overlapFree is the condition that no booking but the owner's overlaps
// the slot on gateway g.
//
// It reads one index entry per gateway, as in store/postgres: the
// gateway's bookings never overlap one another (Allocate keeps them
// apart, and the bookings_no_overlap triggers refuse a write that would
// not), so among those ending after the start, the one ending first also
// starts first, and the slot is free exactly when that one starts at the
// end or later, or there is none. A NOT EXISTS (start < end AND end >
// start) lets the planner pick either index, and once ANALYZE had run it
// took the one by start, which reads every booking of the gateway that
// starts before the end: its whole past, for each gateway walked.
// INDEXED BY keeps the plan whatever the statistics say.
const overlapFree = `COALESCE((SELECT f.start_ns >= ?3 FROM bookings f INDEXED BY bookings_gateway_end
	WHERE f.gateway_id = g.id AND f.owner <> ?2 AND f.end_ns > ?4
	ORDER BY f.end_ns LIMIT 1), 1)`

// overlapping is the condition that booking b (of a query reading
// bookings b INDEXED BY bookings_gateway_start) is one of gateway gw's
// overlapping [start, end); gw, start and end are SQL expressions.
//
// Since a gateway's bookings never overlap, ordered by start they are
// ordered by end too, and those overlapping [start, end) are the last one
// starting at start or before (when it ends after start) and those
// starting in [start, end). The condition bounds b.start_ns to that run
// of the index, found with one probe, so that the gateway's other
// bookings, past and future, are not read, as a plain start < end AND
// end > start would.
func overlapping(gw, start, end string) string {
	return `b.gateway_id = ` + gw + ` AND b.start_ns < ` + end + ` AND b.end_ns > ` + start + `
		AND b.start_ns >= COALESCE((SELECT l.start_ns FROM bookings l INDEXED BY bookings_gateway_start
			WHERE l.gateway_id = ` + gw + ` AND l.start_ns <= ` + start + `
			ORDER BY l.start_ns DESC LIMIT 1), ` + start + `)`
}

// The statements of Allocate.
var (
	// keepQuery returns the owner's gateway when it can take the slot.
	keepQuery = `SELECT g.id FROM bookings c JOIN gateways g ON g.id = c.gateway_id
		WHERE c.owner = ?2 AND g.enabled = 1 AND g.pool = ?1 AND ` + overlapFree
	// firstFreeQuery returns the first free gateway of the pool.
	firstFreeQuery = `SELECT g.id FROM gateways g INDEXED BY gateways_pool_enabled
		WHERE g.pool = ?1 AND g.enabled = 1 AND ` + overlapFree + `
		ORDER BY g.ord, g.id LIMIT 1`
	// candidatesQuery returns the free gateways of the pool with the end
	// of their last booking before the slot and the count of their
	// bookings overlapping [?5, ?6), the slot widened by LoadWindow.
	candidatesQuery = `SELECT ` + gatewayColumns + `,
			(SELECT l.end_ns FROM bookings l INDEXED BY bookings_gateway_end
				WHERE l.gateway_id = g.id AND l.end_ns <= ?4 ORDER BY l.end_ns DESC LIMIT 1),
			(SELECT COUNT(*) FROM bookings b INDEXED BY bookings_gateway_start WHERE ` + overlapping("g.id", "?5", "?6") + `)
		FROM gateways g INDEXED BY gateways_pool_enabled
		WHERE g.pool = ?1 AND g.enabled = 1 AND ` + overlapFree + `
		ORDER BY g.ord, g.id`
	// pinnedConflictsQuery returns the bookings but the owner's
	// overlapping the slot on gateway ?1.
	pinnedConflictsQuery = `SELECT ` + bookingColumns + ` FROM bookings b INDEXED BY bookings_gateway_start
		JOIN gateways g ON g.id = b.gateway_id
		WHERE ` + overlapping("?1", "?4", "?3") + ` AND b.owner <> ?2
		ORDER BY b.start_ns`
	// upsertBooking books gateway ?2 for owner ?1 over [?3, ?4).
	upsertBooking = `INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) VALUES (?1, ?2, ?3, ?4)
		ON CONFLICT (owner) DO UPDATE SET gateway_id = excluded.gateway_id,
			start_ns = excluded.start_ns, end_ns = excluded.end_ns`
)

func scanBooking(r scanner) (gateway.Booking, error) {
	var (
		b          gateway.Booking
		start, end int64
	)
	if err := r.Scan(&b.Owner, &b.GatewayID, &b.Pool, &start, &end); err != nil {
		return gateway.Booking{}, err
	}
	b.Slot = gateway.Slot{Start: time.Unix(0, start).UTC(), End: time.Unix(0, end).UTC()}
	return b, nil
}

func queryBookings(ctx context.Context, tx *txn, query string, args ...any) ([]gateway.Booking, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []gateway.Booking{}
	for rows.Next() {
		b, err := scanBooking(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// Allocate implements gateway.Store: the whole decision in one
// transaction, which the single connection serialises. A refusal is
// remembered until the data changes (see refusals).
func (s *Store) Allocate(ctx context.Context, req gateway.Request) (gateway.Booking, error) {
	var out gateway.Booking
	err := s.inTx(ctx, func(tx *txn) error {
		if err := req.Slot.Validate(0); err != nil {
			return err
		}
		start, end := req.Slot.Start.UnixNano(), req.Slot.End.UnixNano()
		out = gateway.Booking{Owner: req.Owner, Pool: req.Pool, Slot: req.Slot}
		if req.GatewayID != 0 {
			out.GatewayID = req.GatewayID
			return allocateOn(ctx, tx, req, start, end)
		}

		// Keep the current gateway when it can take the new slot.
		var keep int64
		err := tx.QueryRowContext(ctx, keepQuery, req.Pool, req.Owner, end, start).Scan(&keep)
		switch {
		case err == nil:
			out.GatewayID = keep
			_, err := tx.ExecContext(ctx, `UPDATE bookings SET start_ns = ?, end_ns = ? WHERE owner = ?`, start, end, req.Owner)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}

		// Whether a gateway is free does not depend on the owner now: the
		// search disregards the owner's own booking, which can only make
		// its own gateway free, and keepQuery just found that one busy
		// (or out of the pool). So a refusal remembered for the slot
		// answers any owner (see refusals).
		key := refusalKey{pool: req.Pool, start: start, end: end}
		if ref, ok, err := s.refused.lookup(ctx, tx, key); err != nil {
			return err
		} else if ok {
			return ref.errorFor(req)
		}
		id, err := pick(ctx, tx, req, start, end)
		if err != nil {
			return err
		}
		if id == 0 {
			ref, err := queryRefusal(ctx, tx, req, start, end)
			if err == nil {
				err = s.refused.remember(ctx, tx, key, ref)
			}
			if err != nil {
				return err
			}
			return ref.errorFor(req)
		}
		out.GatewayID = id
		_, err = tx.ExecContext(ctx, upsertBooking, req.Owner, id, start, end)
		return err
	})
	if err != nil {
		return gateway.Booking{}, err
	}
	return out, nil
}

// allocateOn books the gateway req pins, or nothing.
func allocateOn(ctx context.Context, tx *txn, req gateway.Request, start, end int64) error {
	var (
		enabled int64
		pool    string
	)
	err := tx.QueryRowContext(ctx, `SELECT enabled, pool FROM gateways WHERE id = ?`, req.GatewayID).Scan(&enabled, &pool)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return gateway.ErrNotFound
	case err != nil:
		return err
	case enabled == 0 || pool != req.Pool:
		return &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot, GatewayID: req.GatewayID}
	}
	conflicts, err := queryBookings(ctx, tx, pinnedConflictsQuery, req.GatewayID, req.Owner, end, start)
	if err != nil {
		return err
	}
	if len(conflicts) > 0 {
		return &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot, GatewayID: req.GatewayID, Gateways: 1, Conflicts: conflicts}
	}
	_, err = tx.ExecContext(ctx, upsertBooking, req.Owner, req.GatewayID, start, end)
	return err
}

// pick returns the ID of the gateway req.Rule chooses among the free
// ones, 0 when none is free.
func pick(ctx context.Context, tx *txn, req gateway.Request, start, end int64) (int64, error) {
	if storekit.IsFirstFree(req.Rule) {
		var id int64
		err := tx.QueryRowContext(ctx, firstFreeQuery, req.Pool, req.Owner, end, start).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, nil
		}
		return id, err
	}
	w := int64(gateway.LoadWindow)
	rows, err := tx.QueryContext(ctx, candidatesQuery, req.Pool, req.Owner, end, start, start-w, end+w)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var cands []gateway.Candidate
	for rows.Next() {
		var (
			c    gateway.Candidate
			last sql.NullInt64
		)
		if c.Gateway, err = scanGateway(rows, &last, &c.Load); err != nil {
			return 0, err
		}
		c.LastEnd = fromNull(last)
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil || len(cands) == 0 {
		return 0, err
	}
	i := req.Rule.Pick(req.Slot, cands)
	if i < 0 || i >= len(cands) {
		i = 0
	}
	return cands[i].Gateway.ID, nil
}

// Release implements gateway.Store.
func (s *Store) Release(ctx context.Context, owner string) (gateway.Booking, error) {
	var b gateway.Booking
	err := s.inTx(ctx, func(tx *txn) error {
		var err error
		if b, err = bookingOf(ctx, tx, owner); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM bookings WHERE owner = ?`, owner)
		return err
	})
	if err != nil {
		return gateway.Booking{}, err
	}
	return b, nil
}

func bookingOf(ctx context.Context, tx *txn, owner string) (gateway.Booking, error) {
	b, err := scanBooking(tx.QueryRowContext(ctx, `SELECT `+bookingColumns+`
		FROM bookings b JOIN gateways g ON g.id = b.gateway_id WHERE b.owner = ?`, owner))
	if errors.Is(err, sql.ErrNoRows) {
		return gateway.Booking{}, gateway.ErrNotFound
	}
	return b, err
}

// Booking implements gateway.Store.
func (s *Store) Booking(ctx context.Context, owner string) (gateway.Booking, error) {
	var b gateway.Booking
	err := s.read(ctx, func(tx *txn) error {
		var err error
		b, err = bookingOf(ctx, tx, owner)
		return err
	})
	if err != nil {
		return gateway.Booking{}, err
	}
	return b, nil
}

// The statements of Bookings: a gateway's bookings (?1) overlapping
// [?2, ?3), and a pool's.
var (
	gatewayBookingsQuery = `SELECT ` + bookingColumns + ` FROM bookings b INDEXED BY bookings_gateway_start
		JOIN gateways g ON g.id = b.gateway_id
		WHERE ` + overlapping("?1", "?2", "?3") + ` ORDER BY b.start_ns`
	poolBookingsQuery = `SELECT ` + bookingColumns + ` FROM gateways g INDEXED BY gateways_pool_order
		JOIN bookings b INDEXED BY bookings_gateway_start ON ` + overlapping("g.id", "?2", "?3") + `
		WHERE g.pool = ?1 ORDER BY g.ord, g.id, b.start_ns`
)

// Bookings implements gateway.Store.
func (s *Store) Bookings(ctx context.Context, q gateway.BookingQuery) ([]gateway.Booking, error) {
	var out []gateway.Booking
	run := s.read // one statement
	if q.GatewayID != 0 {
		run = s.inTx // two: the gateway must exist
	}
	err := run(ctx, func(tx *txn) error {
		if err := q.Window.Validate(0); err != nil {
			return err
		}
		start, end := q.Window.Start.UnixNano(), q.Window.End.UnixNano()
		var err error
		if q.GatewayID != 0 {
			if err := gatewayExists(ctx, tx, q.GatewayID); err != nil {
				return err
			}
			out, err = queryBookings(ctx, tx, gatewayBookingsQuery, q.GatewayID, start, end)
			return err
		}
		out, err = queryBookings(ctx, tx, poolBookingsQuery, q.Pool, start, end)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

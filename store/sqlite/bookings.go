package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
)

// bookingColumns are the columns scanBooking reads, in its order: a
// booking joined with its gateway, whose pool is the booking's.
const bookingColumns = `b.owner, b.gateway_id, g.pool, b.start_ns, b.end_ns`

// overlapFree is the condition that no booking but the owner's (first
// parameter) overlaps [start, end) (second and third: end, start) on
// gateway g.
const overlapFree = `NOT EXISTS (SELECT 1 FROM bookings b
	WHERE b.gateway_id = g.id AND b.owner <> ? AND b.start_ns < ? AND b.end_ns > ?)`

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

func queryBookings(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]gateway.Booking, error) {
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
// transaction, which the single connection serialises.
func (s *Store) Allocate(ctx context.Context, req gateway.Request) (gateway.Booking, error) {
	var out gateway.Booking
	err := s.inTx(ctx, func(tx *sql.Tx) error {
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
		err := tx.QueryRowContext(ctx, `SELECT g.id FROM bookings c JOIN gateways g ON g.id = c.gateway_id
			WHERE c.owner = ? AND g.enabled = 1 AND g.pool = ? AND `+overlapFree,
			req.Owner, req.Pool, req.Owner, end, start).Scan(&keep)
		switch {
		case err == nil:
			out.GatewayID = keep
			_, err := tx.ExecContext(ctx, `UPDATE bookings SET start_ns = ?, end_ns = ? WHERE owner = ?`, start, end, req.Owner)
			return err
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}

		id, err := pick(ctx, tx, req, start, end)
		if err != nil {
			return err
		}
		if id == 0 {
			return noneFree(ctx, tx, req, start, end)
		}
		out.GatewayID = id
		_, err = tx.ExecContext(ctx, `INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) VALUES (?, ?, ?, ?)
			ON CONFLICT (owner) DO UPDATE SET gateway_id = excluded.gateway_id,
				start_ns = excluded.start_ns, end_ns = excluded.end_ns`,
			req.Owner, id, start, end)
		return err
	})
	if err != nil {
		return gateway.Booking{}, err
	}
	return out, nil
}

// allocateOn books the gateway req pins, or nothing.
func allocateOn(ctx context.Context, tx *sql.Tx, req gateway.Request, start, end int64) error {
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
	conflicts, err := queryBookings(ctx, tx, `SELECT `+bookingColumns+` FROM bookings b JOIN gateways g ON g.id = b.gateway_id
		WHERE b.gateway_id = ? AND b.owner <> ? AND b.start_ns < ? AND b.end_ns > ? ORDER BY b.start_ns`,
		req.GatewayID, req.Owner, end, start)
	if err != nil {
		return err
	}
	if len(conflicts) > 0 {
		return &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot, GatewayID: req.GatewayID, Gateways: 1, Conflicts: conflicts}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) VALUES (?, ?, ?, ?)
		ON CONFLICT (owner) DO UPDATE SET gateway_id = excluded.gateway_id,
			start_ns = excluded.start_ns, end_ns = excluded.end_ns`,
		req.Owner, req.GatewayID, start, end)
	return err
}

// pick returns the ID of the gateway req.Rule chooses among the free
// ones, 0 when none is free.
func pick(ctx context.Context, tx *sql.Tx, req gateway.Request, start, end int64) (int64, error) {
	query := `SELECT ` + gatewayColumns + ` FROM gateways g
		WHERE g.pool = ? AND g.enabled = 1 AND ` + overlapFree + `
		ORDER BY g.ord, g.id`
	first := gateway.IsFirstFree(req.Rule)
	if first {
		query += ` LIMIT 1`
	}
	free, err := queryGateways(ctx, tx, query, req.Pool, req.Owner, end, start)
	if err != nil || len(free) == 0 {
		return 0, err
	}
	if first {
		return free[0].ID, nil
	}
	w := int64(gateway.LoadWindow)
	cands := make([]gateway.Candidate, len(free))
	for i, g := range free {
		c := gateway.Candidate{Gateway: g}
		var last sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(end_ns) FROM bookings WHERE gateway_id = ? AND end_ns <= ?`,
			g.ID, start).Scan(&last); err != nil {
			return 0, err
		}
		if last.Valid {
			c.LastEnd = time.Unix(0, last.Int64).UTC()
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM bookings WHERE gateway_id = ? AND end_ns > ? AND start_ns < ?`,
			g.ID, start-w, end+w).Scan(&c.Load); err != nil {
			return 0, err
		}
		cands[i] = c
	}
	i := req.Rule.Pick(req.Slot, cands)
	if i < 0 || i >= len(free) {
		i = 0
	}
	return free[i].ID, nil
}

// noneFree builds the *gateway.NoGatewayFreeError of req.
func noneFree(ctx context.Context, tx *sql.Tx, req gateway.Request, start, end int64) error {
	nerr := &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM gateways WHERE pool = ? AND enabled = 1`,
		req.Pool).Scan(&nerr.Gateways); err != nil {
		return err
	}
	conflicts, err := queryBookings(ctx, tx, `SELECT `+bookingColumns+` FROM bookings b JOIN gateways g ON g.id = b.gateway_id
		WHERE g.pool = ? AND g.enabled = 1 AND b.owner <> ? AND b.start_ns < ? AND b.end_ns > ?
		ORDER BY g.ord, g.id, b.start_ns`, req.Pool, req.Owner, end, start)
	if err != nil {
		return err
	}
	if len(conflicts) > 0 {
		nerr.Conflicts = conflicts
	}
	return nerr
}

// Release implements gateway.Store.
func (s *Store) Release(ctx context.Context, owner string) (gateway.Booking, error) {
	var b gateway.Booking
	err := s.inTx(ctx, func(tx *sql.Tx) error {
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

func bookingOf(ctx context.Context, tx *sql.Tx, owner string) (gateway.Booking, error) {
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
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		b, err = bookingOf(ctx, tx, owner)
		return err
	})
	if err != nil {
		return gateway.Booking{}, err
	}
	return b, nil
}

// Bookings implements gateway.Store.
func (s *Store) Bookings(ctx context.Context, q gateway.BookingQuery) ([]gateway.Booking, error) {
	var out []gateway.Booking
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := q.Window.Validate(0); err != nil {
			return err
		}
		start, end := q.Window.Start.UnixNano(), q.Window.End.UnixNano()
		var err error
		if q.GatewayID != 0 {
			if err := gatewayExists(ctx, tx, q.GatewayID); err != nil {
				return err
			}
			out, err = queryBookings(ctx, tx, `SELECT `+bookingColumns+` FROM bookings b JOIN gateways g ON g.id = b.gateway_id
				WHERE b.gateway_id = ? AND b.start_ns < ? AND b.end_ns > ? ORDER BY b.start_ns`, q.GatewayID, end, start)
			return err
		}
		out, err = queryBookings(ctx, tx, `SELECT `+bookingColumns+` FROM bookings b JOIN gateways g ON g.id = b.gateway_id
			WHERE g.pool = ? AND b.start_ns < ? AND b.end_ns > ? ORDER BY g.ord, g.id, b.start_ns`, q.Pool, end, start)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/internal/ctxguard"
)

// bookingColumns are the columns scanBooking reads, in its order: a
// booking joined with its gateway, whose pool is the booking's.
const bookingColumns = `b.owner, b.gateway_id, g.pool, b.start_ns, b.end_ns`

// overlapFree is the condition that no booking but the owner's ($2)
// overlaps [start, end) ($4, $3) on gateway g. The queries using it take
// the pool as $1, the owner as $2, the end as $3 and the start as $4.
//
// It reads one index entry per gateway: the gateway's bookings cannot
// overlap one another (the exclusion constraint), so among those ending
// after start, the one ending first also starts first, and the slot is
// free exactly when that one starts at end or later, or there is none.
// A NOT EXISTS would scan all of the gateway's later bookings, and lets
// the planner pick an anti-join that reads the whole index.
const overlapFree = `COALESCE((SELECT b.start_ns >= $3 FROM bookings b
	WHERE b.gateway_id = g.id AND b.owner <> $2 AND b.end_ns > $4
	ORDER BY b.end_ns LIMIT 1), true)`

func scanBooking(r pgx.Row) (gateway.Booking, error) {
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

func queryBookings(ctx context.Context, tx pgx.Tx, query string, args ...any) ([]gateway.Booking, error) {
	return scanBookings(tx.Query(ctx, query, args...))
}

// scanBookings reads the bookings of a query's rows and closes them.
func scanBookings(rows pgx.Rows, err error) ([]gateway.Booking, error) {
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

// lockSpan takes, in order, the transaction-level advisory locks of the
// pool's ($1) time buckets $2 to $3 (see spanBuckets), released at
// commit. Two allocations whose slots overlap share a bucket, so one
// waits for the other: allocators never insert overlapping bookings of a
// gateway at once, which the exclusion constraint would otherwise settle
// by making each wait for the other, a deadlock PostgreSQL breaks only
// after deadlock_timeout (1 s). Allocations of slots far apart take
// different locks and run in parallel. Every process takes the buckets
// in increasing order, so the locks themselves cannot deadlock; two pools
// whose names hash alike merely share locks.
const lockSpan = `SELECT pg_advisory_xact_lock(hashtext('bbbcast-pool:' || $1), b)
	FROM generate_series($2::int4, $3::int4) AS b`

// lockBucket is the span of time one lock of lockSpan covers: a 2-hour
// slot takes one or two, a day seven at most.
const lockBucket = 4 * int64(time.Hour)

// spanBuckets returns the first and last lock buckets of [start, end).
func spanBuckets(start, end int64) (first, last int32) {
	floor := func(t int64) int32 {
		q := t / lockBucket
		if t%lockBucket < 0 {
			q--
		}
		return int32(q)
	}
	return floor(start), floor(end - 1)
}

// busyOver selects the gateways holding a booking, not the owner's ($2),
// that overlaps [$4, $3): one scan of bookings_span. Used as NOT IN, it
// becomes a hashed subplan, so the first free gateway of the pool in
// order is found in one pass over the pool whatever share of it is busy.
const busyOver = `SELECT b.gateway_id FROM bookings b
	WHERE int8range(b.start_ns, b.end_ns) && int8range($4, $3) AND b.owner <> $2`

// walkFirst is how many gateways, in order, the FirstFree statement
// probes one by one (one index entry each, see overlapFree) before it
// subtracts the busy set from the whole pool instead: on a pool with few
// gateways busy the first probe finds one, at a fraction of the busy
// set's fixed cost (building its hash table), and on a nearly full pool
// the busy set keeps the decision from probing every busy gateway.
const walkFirst = "8"

// firstFreeUpsert keeps the owner's ($2) gateway when it is free for
// [$4, $3), else books the first free gateway of the pool ($1) in order,
// in one statement; it returns the gateway, or no row when none is free.
const firstFreeUpsert = `WITH keep AS (
	SELECT g.id FROM bookings c JOIN gateways g ON g.id = c.gateway_id
	WHERE c.owner = $2 AND g.enabled AND g.pool = $1 AND ` + overlapFree + `
), pick AS (
	(SELECT g.id FROM (SELECT * FROM gateways WHERE pool = $1 AND enabled ORDER BY ord, id LIMIT ` + walkFirst + ` OFFSET 0) g
	WHERE NOT EXISTS (SELECT 1 FROM keep) AND ` + overlapFree + ` LIMIT 1)
	UNION ALL
	(SELECT g.id FROM gateways g
	WHERE g.pool = $1 AND g.enabled AND NOT EXISTS (SELECT 1 FROM keep) AND g.id NOT IN (` + busyOver + `)
	ORDER BY g.ord, g.id LIMIT 1)
	LIMIT 1
), chosen AS (
	SELECT id FROM keep UNION ALL SELECT id FROM pick LIMIT 1
)
INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) SELECT $2, id, $4, $3 FROM chosen
ON CONFLICT (owner) DO UPDATE SET gateway_id = EXCLUDED.gateway_id,
	start_ns = EXCLUDED.start_ns, end_ns = EXCLUDED.end_ns
RETURNING gateway_id`

// allocateFirstFree is Allocate's path for the FirstFree rule: the slot's
// locks (lockSpan) and the keep-or-pick-and-upsert statement, sent as one
// batch outside any explicit transaction, which PostgreSQL runs as one
// implicit transaction (one round trip, the locks held for one statement
// and the commit). Each statement gets its own snapshot (READ COMMITTED),
// so the decision sees what the previous holder of the locks committed.
//
// Every allocation takes its locks first. Unlocked attempts, relying on
// the exclusion constraint alone, looked cheaper but fail under a rush:
// two transactions inserting overlapping bookings of one gateway each
// wait for the other in the constraint's check, a deadlock PostgreSQL
// breaks only after deadlock_timeout (1 s), and the losers' retries keep
// losing to new arrivals. It returns 0 when no gateway is free.
func (s *Store) allocateFirstFree(ctx context.Context, req gateway.Request, start, end int64) (int64, error) {
	var (
		id  int64
		err error
	)
	for attempt := 0; attempt < maxAttempts; attempt++ {
		// A new batch each time: pgx keeps in a sent batch the prepared
		// statements of the connection it went through, which another
		// connection of the pool does not have.
		first, last := spanBuckets(start, end)
		batch := &pgx.Batch{}
		batch.Queue(lockSpan, req.Pool, first, last)
		batch.Queue(firstFreeUpsert, req.Pool, req.Owner, end, start)
		id, err = sendAllocation(s.pool.SendBatch(ctx, batch))
		if !retryable(err) {
			break
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return id, ctxErr(ctx, err)
}

// sendAllocation reads the answers of allocateFirstFree's batch.
func sendAllocation(res pgx.BatchResults) (int64, error) {
	var id int64
	_, err := res.Exec()
	if err == nil {
		err = res.QueryRow().Scan(&id)
	}
	if cerr := res.Close(); err == nil {
		err = cerr
	}
	return id, err
}

// Allocate implements gateway.Store: the whole decision in one READ
// COMMITTED transaction (an implicit one for FirstFree, see
// allocateFirstFree) that first takes the advisory locks of the slot's
// span of time in the pool (lockSpan), which serialise, across
// processes, the allocators of the pool whose slots overlap. The transaction
// is run again, a few times at most, when it fails on the bookings'
// exclusion constraint, a serialization failure or a deadlock.
func (s *Store) Allocate(ctx context.Context, req gateway.Request) (gateway.Booking, error) {
	if err := ctxguard.Check(ctx); err != nil {
		return gateway.Booking{}, err
	}
	if err := req.Slot.Validate(0); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return gateway.Booking{}, cerr
		}
		return gateway.Booking{}, err
	}
	start, end := req.Slot.Start.UnixNano(), req.Slot.End.UnixNano()
	out := gateway.Booking{Owner: req.Owner, Pool: req.Pool, Slot: req.Slot}
	if req.GatewayID == 0 && gateway.IsFirstFree(req.Rule) {
		id, err := s.allocateFirstFree(ctx, req, start, end)
		switch {
		case err != nil:
			return gateway.Booking{}, err
		case id == 0:
			// Described after the fact: the list is what stands in the
			// way now, which is what a caller can act on.
			return gateway.Booking{}, s.noneFreeBatch(ctx, req, start, end)
		}
		out.GatewayID = id
		return out, nil
	}
	err := s.inRetriedTx(ctx, func(tx pgx.Tx) error {
		first, last := spanBuckets(start, end)
		if _, err := tx.Exec(ctx, lockSpan, req.Pool, first, last); err != nil {
			return err
		}
		if req.GatewayID != 0 {
			out.GatewayID = req.GatewayID
			return allocateOn(ctx, tx, req, start, end)
		}

		// Keep the current gateway when it can take the new slot.
		var keep int64
		err := tx.QueryRow(ctx, `SELECT g.id FROM bookings c JOIN gateways g ON g.id = c.gateway_id
			WHERE c.owner = $2 AND g.enabled AND g.pool = $1 AND `+overlapFree,
			req.Pool, req.Owner, end, start).Scan(&keep)
		switch {
		case err == nil:
			out.GatewayID = keep
			_, err := tx.Exec(ctx, `UPDATE bookings SET start_ns = $1, end_ns = $2 WHERE owner = $3`, start, end, req.Owner)
			return err
		case !errors.Is(err, pgx.ErrNoRows):
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
		_, err = tx.Exec(ctx, `INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) VALUES ($1, $2, $3, $4)
			ON CONFLICT (owner) DO UPDATE SET gateway_id = EXCLUDED.gateway_id,
				start_ns = EXCLUDED.start_ns, end_ns = EXCLUDED.end_ns`,
			req.Owner, id, start, end)
		return err
	})
	if err != nil {
		return gateway.Booking{}, err
	}
	return out, nil
}

// allocateOn books the gateway req pins, or nothing.
func allocateOn(ctx context.Context, tx pgx.Tx, req gateway.Request, start, end int64) error {
	var (
		enabled bool
		pool    string
	)
	err := tx.QueryRow(ctx, `SELECT enabled, pool FROM gateways WHERE id = $1`, req.GatewayID).Scan(&enabled, &pool)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return gateway.ErrNotFound
	case err != nil:
		return err
	case !enabled || pool != req.Pool:
		return &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot, GatewayID: req.GatewayID}
	}
	conflicts, err := queryBookings(ctx, tx, `SELECT `+bookingColumns+` FROM bookings b JOIN gateways g ON g.id = b.gateway_id
		WHERE b.gateway_id = $1 AND b.owner <> $2 AND b.start_ns < $3 AND b.end_ns > $4 ORDER BY b.start_ns`,
		req.GatewayID, req.Owner, end, start)
	if err != nil {
		return err
	}
	if len(conflicts) > 0 {
		return &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot, GatewayID: req.GatewayID, Gateways: 1, Conflicts: conflicts}
	}
	_, err = tx.Exec(ctx, `INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) VALUES ($1, $2, $3, $4)
		ON CONFLICT (owner) DO UPDATE SET gateway_id = EXCLUDED.gateway_id,
			start_ns = EXCLUDED.start_ns, end_ns = EXCLUDED.end_ns`,
		req.Owner, req.GatewayID, start, end)
	return err
}

// pick returns the ID of the gateway req.Rule chooses among the free
// ones, 0 when none is free.
func pick(ctx context.Context, tx pgx.Tx, req gateway.Request, start, end int64) (int64, error) {
	// The pool's free gateways in order (rules get the candidates in
	// order): the pool's index, minus the busy set (see busyOver).
	query := `SELECT ` + gatewayColumns + ` FROM gateways g WHERE g.pool = $1 AND g.enabled
		AND g.id NOT IN (` + busyOver + `) ORDER BY g.ord, g.id`
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
		var last *int64
		if err := tx.QueryRow(ctx, `SELECT MAX(end_ns) FROM bookings WHERE gateway_id = $1 AND end_ns <= $2`,
			g.ID, start).Scan(&last); err != nil {
			return 0, err
		}
		c.LastEnd = fromNull(last)
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM bookings WHERE gateway_id = $1 AND end_ns > $2 AND start_ns < $3`,
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

// The queries of a refusal: the pool's enabled gateways ($1), and the
// bookings but the owner's ($2) that overlap [$4, $3) on them.
const (
	countEnabled    = `SELECT COUNT(*) FROM gateways WHERE pool = $1 AND enabled`
	conflictsInPool = `SELECT ` + bookingColumns + ` FROM bookings b JOIN gateways g ON g.id = b.gateway_id
		WHERE g.pool = $1 AND g.enabled AND b.owner <> $2 AND int8range(b.start_ns, b.end_ns) && int8range($4, $3)
		ORDER BY g.ord, g.id, b.start_ns LIMIT ` + maxConflictsPlusOne
)

// noneFree builds the *gateway.NoGatewayFreeError of req.
func noneFree(ctx context.Context, tx pgx.Tx, req gateway.Request, start, end int64) error {
	nerr := &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot}
	if err := tx.QueryRow(ctx, countEnabled, req.Pool).Scan(&nerr.Gateways); err != nil {
		return err
	}
	conflicts, err := queryBookings(ctx, tx, conflictsInPool, req.Pool, req.Owner, end, start)
	if err != nil {
		return err
	}
	return withConflicts(nerr, conflicts)
}

// maxConflictsPlusOne is conflictsInPool's LIMIT, gateway.MaxConflicts + 1:
// one more than a refusal lists tells whether there were more (the
// conformance suite's ConflictsBounded fails if they drift apart).
const maxConflictsPlusOne = "51"

// withConflicts returns nerr listing conflicts (nil when there are none),
// at most gateway.MaxConflicts of them.
func withConflicts(nerr *gateway.NoGatewayFreeError, conflicts []gateway.Booking) error {
	if len(conflicts) > gateway.MaxConflicts {
		conflicts, nerr.Truncated = conflicts[:gateway.MaxConflicts], true
	}
	if len(conflicts) > 0 {
		nerr.Conflicts = conflicts
	}
	return nerr
}

// noneFreeBatch is noneFree in one round trip outside any transaction,
// for the FirstFree path, whose decision has already committed: the
// refusal describes what stands in the way now.
func (s *Store) noneFreeBatch(ctx context.Context, req gateway.Request, start, end int64) error {
	batch := &pgx.Batch{}
	batch.Queue(countEnabled, req.Pool)
	batch.Queue(conflictsInPool, req.Pool, req.Owner, end, start)
	res := s.pool.SendBatch(ctx, batch)
	nerr := &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot}
	err := res.QueryRow().Scan(&nerr.Gateways)
	var conflicts []gateway.Booking
	if err == nil {
		conflicts, err = scanBookings(res.Query())
	}
	if cerr := res.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return ctxErr(ctx, err)
	}
	return withConflicts(nerr, conflicts)
}

// Release implements gateway.Store.
func (s *Store) Release(ctx context.Context, owner string) (gateway.Booking, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return gateway.Booking{}, err
	}
	// One statement, atomic on its own: no transaction round trips.
	b, err := scanBooking(s.pool.QueryRow(ctx, `WITH d AS (DELETE FROM bookings WHERE owner = $1 RETURNING *)
		SELECT `+bookingColumns+` FROM d b JOIN gateways g ON g.id = b.gateway_id`, owner))
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return gateway.Booking{}, gateway.ErrNotFound
	case err != nil:
		return gateway.Booking{}, ctxErr(ctx, err)
	}
	return b, nil
}

func bookingOf(ctx context.Context, tx pgx.Tx, owner string) (gateway.Booking, error) {
	b, err := scanBooking(tx.QueryRow(ctx, `SELECT `+bookingColumns+`
		FROM bookings b JOIN gateways g ON g.id = b.gateway_id WHERE b.owner = $1`, owner))
	if errors.Is(err, pgx.ErrNoRows) {
		return gateway.Booking{}, gateway.ErrNotFound
	}
	return b, err
}

// Booking implements gateway.Store.
func (s *Store) Booking(ctx context.Context, owner string) (gateway.Booking, error) {
	var b gateway.Booking
	err := s.inTx(ctx, func(tx pgx.Tx) error {
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
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := q.Window.Validate(0); err != nil {
			return err
		}
		start, end := q.Window.Start.UnixNano(), q.Window.End.UnixNano()
		var err error
		if q.GatewayID != 0 {
			if err := gatewayExists(ctx, tx, q.GatewayID, false); err != nil {
				return err
			}
			out, err = queryBookings(ctx, tx, `SELECT `+bookingColumns+` FROM bookings b JOIN gateways g ON g.id = b.gateway_id
				WHERE b.gateway_id = $1 AND b.start_ns < $2 AND b.end_ns > $3 ORDER BY b.start_ns`, q.GatewayID, end, start)
			return err
		}
		out, err = queryBookings(ctx, tx, `SELECT `+bookingColumns+` FROM bookings b JOIN gateways g ON g.id = b.gateway_id
			WHERE g.pool = $1 AND int8range(b.start_ns, b.end_ns) && int8range($3, $2)
			ORDER BY g.ord, g.id, b.start_ns`, q.Pool, end, start)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

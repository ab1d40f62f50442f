package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/internal/ctxguard"
	"github.com/bbbcast/bbbcast/store/storekit"
)

// bookingColumns are the columns scanBooking reads, in its order: a
// booking joined with its gateway, whose pool is the booking's.
const bookingColumns = `b.owner, b.gateway_id, g.pool, b.start_ns, b.end_ns`

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
// commit: the allocations by rules other than FirstFree take them, so
// that two whose slots overlap decide one after the other, each on what
// the previous left. Their bookings themselves are protected by the
// gateways' locks (migration 0004), which use the same buckets: two
// allocations that want the same gateway's bucket share the pool's, so
// they never wait for each other there. Every process takes the buckets
// in increasing order, so these locks cannot deadlock; two pools whose
// names hash alike merely share locks.
const lockSpan = `SELECT pg_advisory_xact_lock(hashtext('bbbcast-pool:' || current_schema() || ':' || $1), b)
	FROM generate_series($2::int4, $3::int4) AS b`

// lockBucket is the span of time one lock of lockSpan covers: a 2-hour
// slot takes one or two, a day seven at most. bbbcast_lock_gateway
// (migration 0004) uses the same.
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

// allocateFirstFree is Allocate's path for the FirstFree rule: calls of
// bbbcast_allocate_first_free (migration 0004), each deciding and booking
// in one implicit transaction without a pool-wide lock. A call that found
// every free gateway held by other allocators ends its transaction and
// asks for another that first waits for one of them; each such round
// waits for an allocator to finish, so the rounds end. It returns 0 when
// no gateway is free.
func (s *Store) allocateFirstFree(ctx context.Context, req gateway.Request, start, end int64) (int64, error) {
	var waitFor *int64
	for attempt := 0; ; {
		var id *int64
		err := s.pool.QueryRow(ctx, `SELECT bbbcast_allocate_first_free($1, $2, $3, $4, $5)`,
			req.Pool, req.Owner, start, end, waitFor).Scan(&id)
		switch {
		case err != nil:
			if attempt++; attempt < maxAttempts && s.retryable(err) {
				continue
			}
			return 0, ctxErr(ctx, err)
		case id == nil:
			return 0, nil
		case *id > 0:
			return *id, nil
		}
		g := -*id
		waitFor = &g
		s.retried.waits.Add(1)
	}
}

// tryBook is bbbcast_try_book (migration 0004) waiting for the gateway's
// locks: it books the slot on gateway id and reports true, or changes
// nothing when the gateway is busy, disabled or gone.
func tryBook(ctx context.Context, tx pgx.Tx, req gateway.Request, id, start, end int64) (bool, error) {
	var answer string
	err := tx.QueryRow(ctx, `SELECT bbbcast_try_book($1, $2, $3, $4, $5, true)`,
		id, req.Pool, req.Owner, start, end).Scan(&answer)
	return answer == "booked", err
}

// Allocate implements gateway.Store. FirstFree is one statement (see
// allocateFirstFree). The other rules and pinned requests run in one READ
// COMMITTED transaction that first takes the advisory locks of the
// slot's span of time in the pool (lockSpan), which serialise, across
// processes, those allocators of the pool whose slots overlap, so that a
// rule weighing the whole pool decides on what the previous one left.
// Every path books under the gateway's locks over the slot, checking the
// slot once it holds them (see migration 0004), so the paths never insert
// overlapping bookings of one gateway at once. A transaction failing on the
// exclusion constraint, a serialization failure or a deadlock is run
// again, a few times at most.
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
	if req.GatewayID == 0 && storekit.IsFirstFree(req.Rule) {
		id, err := s.allocateFirstFree(ctx, req, start, end)
		switch {
		case err != nil:
			return gateway.Booking{}, err
		case id == 0:
			// Described after the fact, in a later snapshot: the list is
			// what stands in the way now, which is what a caller can act
			// on. A separate round trip, which only refusals pay.
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
		id, err := allocateByRule(ctx, tx, req, start, end)
		if err != nil {
			return err
		}
		out.GatewayID = id
		return nil
	})
	if err != nil {
		return gateway.Booking{}, err
	}
	return out, nil
}

// allocateByRule keeps the owner's gateway when it can take the new slot,
// else books the gateway req.Rule picks among the free ones, picking
// again when that one turns out taken once locked (by a FirstFree
// allocator, which takes no advisory lock). It returns the gateway, or
// the *gateway.NoGatewayFreeError.
func allocateByRule(ctx context.Context, tx pgx.Tx, req gateway.Request, start, end int64) (int64, error) {
	tried := []int64{}
	var keep int64
	err := tx.QueryRow(ctx, `SELECT c.gateway_id FROM bookings c JOIN gateways g ON g.id = c.gateway_id
		WHERE c.owner = $2 AND g.pool = $1 AND g.enabled`, req.Pool, req.Owner).Scan(&keep)
	switch {
	case err == nil:
		booked, err := tryBook(ctx, tx, req, keep, start, end)
		if err != nil || booked {
			return keep, err
		}
		tried = append(tried, keep)
	case !errors.Is(err, pgx.ErrNoRows):
		return 0, err
	}
	for {
		id, err := pick(ctx, tx, req, start, end, tried)
		if err != nil {
			return 0, err
		}
		if id == 0 {
			return 0, noneFree(ctx, tx, req, start, end)
		}
		booked, err := tryBook(ctx, tx, req, id, start, end)
		if err != nil || booked {
			return id, err
		}
		tried = append(tried, id)
	}
}

// allocateOn books the gateway req pins, or nothing.
func allocateOn(ctx context.Context, tx pgx.Tx, req gateway.Request, start, end int64) error {
	var (
		enabled bool
		pool    string
	)
	// The gateway's locks over the slot first, then checks in later
	// snapshots (see migration 0004).
	if _, err := tx.Exec(ctx, `SELECT bbbcast_lock_gateway($1, $2, $3, true)`, req.GatewayID, start, end); err != nil {
		return err
	}
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
// ones but those tried, 0 when none is free.
func pick(ctx context.Context, tx pgx.Tx, req gateway.Request, start, end int64, tried []int64) (int64, error) {
	// The pool's free gateways in order (rules get the candidates in
	// order): the pool's index, minus the busy set (see busyOver).
	query := `SELECT ` + gatewayColumns + ` FROM gateways g WHERE g.pool = $1 AND g.enabled
		AND g.id <> ALL ($5) AND g.id NOT IN (` + busyOver + `) ORDER BY g.ord, g.id`
	first := storekit.IsFirstFree(req.Rule)
	if first {
		query += ` LIMIT 1`
	}
	free, err := queryGateways(ctx, tx, query, req.Pool, req.Owner, end, start, tried)
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
	countEnabled = `SELECT COUNT(*) FROM gateways WHERE pool = $1 AND enabled`
	// conflictsInPool reads the pool's gateways in order and each one's
	// bookings over the slot: a refusal means every gateway has some, so
	// the walk stops after about gateway.MaxConflicts gateways.
	conflictsInPool = `SELECT ` + bookingColumns + ` FROM gateways g CROSS JOIN LATERAL (
		SELECT * FROM bookings b WHERE b.gateway_id = g.id AND b.owner <> $2 AND b.start_ns < $3 AND b.end_ns > $4) b
		WHERE g.pool = $1 AND g.enabled
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
func withConflicts(nerr *gateway.NoGatewayFreeError, conflicts []gateway.Booking) *gateway.NoGatewayFreeError {
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

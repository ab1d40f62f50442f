// Package postgres is the shared, durable store of bbbcast: gateways,
// bookings, webinars and leases in a PostgreSQL database, through
// github.com/jackc/pgx/v5 and its pgxpool. It implements gateway.Store
// and webinar.Store and passes the same conformance suite
// (store/storetest) as store/memory and store/sqlite, with the same
// semantics.
//
// It is the store for several replicas sharing state. Bookings carry an
// exclusion constraint on (gateway_id, int8range(start_ns, end_ns))
// through btree_gist, so that two overlapping bookings of one gateway
// cannot be stored even by a buggy caller. Allocate with the FirstFree
// rule is first tried as one statement that keeps the owner's gateway or
// books the first free one: allocators of different slots run in
// parallel, and the constraint settles a race for one gateway. The loser
// of such a race (SQLSTATE 23P01), and allocations with the other rules,
// run in one READ COMMITTED transaction that first takes a
// transaction-level advisory lock of the pool, so that they are
// serialised across processes; an exclusion violation, a serialization
// failure or a deadlock is retried a few times. Open sets plan_cache_mode
// to force_generic_plan unless the DSN sets it: the statements are written
// so that one plan suits all arguments, and planning each execution would
// cost more than running it.
//
// Webinar updates and deletions are compare-and-set on the version;
// leases are one upsert that takes effect only when the lease is free,
// expired or already the holder's.
//
// Instants are stored as BIGINT Unix nanoseconds, so they come back
// equal to the nanosecond (timestamptz keeps microseconds). The schema
// is created by migrations embedded in the binary and applied by Open in
// one transaction under a transaction-level advisory lock, so that
// replicas starting together apply them once; each applied version is
// recorded in the schema_migrations table, re-opening applies nothing
// new, and a database whose schema is newer than this package knows is
// refused with ErrSchemaTooNew. The tables live in the first schema of
// the connection's search_path; the btree_gist extension must be
// creatable (or already created) in a schema on that path.
package postgres

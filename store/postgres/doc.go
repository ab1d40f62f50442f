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
// cannot be stored even by a buggy caller. Every allocation first takes
// transaction-level advisory locks on the 4-hour buckets of time its slot
// spans in the pool, in increasing order: allocators whose slots overlap
// are serialised across processes, the others run in parallel, and no two
// transactions ever insert overlapping bookings of a gateway at once
// (the exclusion constraint would make each wait for the other, a
// deadlock broken only after deadlock_timeout). FirstFree is then one
// statement, sent with the locks as one batch: it keeps the owner's
// gateway, or probes the first gateways in order, or subtracts the
// gateways busy over the slot (read through a GiST index of the bookings'
// spans) from the pool. A pool-wide refusal lists at most
// gateway.MaxConflicts conflicts. An exclusion violation, a serialization
// failure or a deadlock is still retried a few times. Open sets plan_cache_mode
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

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
// cannot be stored even by a buggy caller. The allocators take care
// never to reach it: whoever books a gateway first takes the
// transaction-level advisory locks of that gateway over the 4-hour
// buckets of time its slot spans, then checks the slot in a snapshot
// taken after it got them, so two transactions never insert overlapping
// bookings of one gateway at once (the constraint would make each wait
// for the other, a deadlock broken only after deadlock_timeout).
//
// FirstFree, the default rule, is one call of a PL/pgSQL function
// (migration 0004): it keeps the owner's gateway, or takes the first free
// gateway in order, found by probing the pool's first gateways or by
// subtracting the gateways busy over the slot (read through a GiST index
// of the bookings' spans) from the pool. Allocators rushing one slot do
// not queue: each skips the gateways another is deciding on for an
// overlapping time and takes the next free one, so under that kind of
// concurrency a booking may land after a gateway that ends up free. An
// allocator never waits for a gateway while it holds another, so they
// cannot deadlock. The other rules, which weigh the whole pool, first
// take advisory locks of the pool's buckets of the slot, which serialise
// them across processes when their slots overlap. A refusal lists at
// most gateway.MaxConflicts conflicts, read gateway by gateway in order.
// A deadlock, an exclusion violation or a serialization failure would
// still be retried a few times. Open sets plan_cache_mode to
// force_generic_plan unless the DSN sets it: the statements are written
// so that one plan suits all arguments, and planning each execution would
// cost more than running it. OpenPool runs the store over a
// *pgxpool.Pool the host already has, which it leaves open on Close.
//
// Advisory lock keys include the schema's name, so stores in several
// schemas of one database do not contend.
//
// Webinar updates and deletions are compare-and-set on the version;
// leases are one upsert that takes effect only when the lease is free,
// expired or already the holder's.
//
// Instants are stored as BIGINT Unix nanoseconds, so they come back
// equal to the nanosecond (timestamptz keeps microseconds). The schema
// is created by migrations embedded in the binary and applied by Open
// (and OpenPool) in one transaction under a transaction-level advisory
// lock, so that replicas starting together apply them once; each applied
// version is recorded in the schema_migrations table, re-opening applies
// nothing new, and a database whose schema is newer than this package
// knows is refused with ErrSchemaTooNew. The tables live in the first
// schema of the connection's search_path; the btree_gist extension must
// be creatable (or already created) in a schema on that path.
package postgres

// Package sqlite is the embedded, durable store of bbbcast: gateways,
// bookings, webinars and leases in one SQLite database file, through
// modernc.org/sqlite (pure Go, no cgo). It implements gateway.Store and
// webinar.Store and passes the same conformance suite (store/storetest)
// as store/memory, with the same semantics.
//
// It is the default for a single host. A Store uses one connection to
// the database (database/sql's pool is limited to one), so every
// operation runs alone, in its own transaction, and is atomic within the
// process; the operations wait for it in the order of the calls, and
// run prepared statements kept for the connection's life. The database
// runs in WAL mode with synchronous=NORMAL, a busy timeout and foreign
// keys on; the statistics of the query planner are refreshed on Open and
// every thousand writes (PRAGMA optimize). Several processes sharing one file are
// not what it is for: use store/postgres to share state between
// replicas.
//
// Instants are stored as INTEGER Unix nanoseconds, so they come back
// equal to the nanosecond. The schema is created by migrations embedded
// in the binary and applied by Open in one transaction; each applied
// version is recorded in the schema_migrations table, re-opening applies
// nothing new, and a database whose schema is newer than this package
// knows is refused with ErrSchemaTooNew.
package sqlite

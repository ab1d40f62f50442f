package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/internal/ctxguard"
	"github.com/bbbcast/bbbcast/store/internal/migrate"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// ErrSchemaTooNew is returned by Open when the database records a schema
// version above the highest this package embeds: it was written by a
// newer release, and this one must not touch it.
var ErrSchemaTooNew = errors.New("sqlite: database schema is newer than this program")

// ErrNoDatabase is returned by Open for an empty data source name (the
// driver would make a file of its parameters in the working directory).
var ErrNoDatabase = errors.New("sqlite: no database file named")

// ErrClosed is returned by the methods of a Store after Close.
var ErrClosed = errors.New("sqlite: store is closed")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// busyTimeout is how long a statement waits for a lock held by another
// connection (another process) before failing.
const busyTimeout = 5 * time.Second

// maxStatements bounds the prepared statements a Store keeps: the
// queries are constants but for the filters of Webinars, a few dozen.
const maxStatements = 128

// optimizeEvery is the number of writing transactions after which a
// Store runs PRAGMA optimize: statistics that lag behind the data make
// the planner choose badly (with the former allocation queries, at 900
// busy gateways, 20 ms an allocation without fresh statistics, 2 ms
// with; those of now name their indexes, the others still count on the
// statistics). It costs a fraction of a millisecond when no table grew
// much, and an ANALYZE bounded by analysis_limit, some milliseconds,
// when one grew tenfold.
const optimizeEvery = 1000

// Store is a gateway.Store and a webinar.Store kept in a SQLite
// database. It is safe for concurrent use; make one with Open and Close
// it when done.
type Store struct {
	db *sql.DB
	// gate serialises the operations in arrival order; the fields below
	// belong to its holder.
	gate gate
	// conn is the connection the operations use, nil until the first
	// one and after it broke.
	conn *sql.Conn
	// stmts are conn's prepared statements by query: preparing costs more
	// than running most of them, and five times more under -race.
	stmts   map[string]*sql.Stmt
	refused refusals // while the data does not change
	writes  int      // writing transactions since the last PRAGMA optimize
	closed  bool
}

// migrations lists the embedded migrations by version.
func migrations() ([]migrate.Migration, error) {
	ms, err := migrate.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", "sqlite", err)
	}
	return ms, nil
}

// withPragmas adds the connection settings to dsn as modernc.org/sqlite
// _pragma parameters, so that they hold for any connection the pool
// opens, a reopened one included.
func withPragmas(dsn string) string {
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + strings.Join([]string{
		"_pragma=busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")",
		// ANALYZE (of PRAGMA optimize) samples this many index rows:
		// milliseconds, whatever the size of the tables.
		"_pragma=analysis_limit(1000)",
		"_pragma=foreign_keys(1)",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(NORMAL)",
		"_txlock=immediate",
	}, "&")
}

// Open opens (creating it if needed) the SQLite database dsn, a file
// name or a "file:" URI as modernc.org/sqlite takes them, and applies the
// migrations it lacks. It sets WAL mode, synchronous=NORMAL, a busy
// timeout and foreign keys, and limits the pool to one connection: every
// operation of the Store is then serialised and atomic within the
// process, which is what SQLite, the embedded store of one host, is for.
// A database with a newer schema than this package knows gives
// ErrSchemaTooNew.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return nil, err
	}
	if strings.TrimSpace(dsn) == "" {
		return nil, ErrNoDatabase
	}
	db, err := sql.Open("sqlite", withPragmas(dsn))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	s := &Store{db: db}
	if err := s.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, err
	}
	if _, err := db.ExecContext(ctx, optimize); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sqlite: optimize: %w", err)
	}
	return s, nil
}

// optimize analyzes the tables that grew or shrank tenfold since their
// last analysis, or were never analyzed and hold rows (0x10000: every
// table, not only those the connection's queries used).
const optimize = `PRAGMA optimize=0x10002`

// Close waits for the operations called before it, in order, and closes
// the database; the operations called after fail with ErrClosed.
func (s *Store) Close() error {
	_ = s.gate.lock(context.Background()) // never fails: no deadline
	defer s.gate.unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.dropConn()
	return s.db.Close()
}

// migrate applies the missing migrations in one transaction.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	var current int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	if latest := ms[len(ms)-1].Version; current > latest {
		return fmt.Errorf("%w: database at version %d, this program knows up to %d", ErrSchemaTooNew, current, latest)
	}
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
			m.Version, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	return nil
}

// txn runs the statements of one operation on the Store's connection,
// each through a prepared statement kept for the connection's life. Its
// methods are those of *sql.Tx. A statement must not run again while
// rows of its previous run are open.
type txn struct {
	s     *Store
	wrote bool // an ExecContext ran
}

// stmt returns the prepared statement of query, or nil when the Store
// keeps too many to add it.
func (t *txn) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := t.s.stmts[query]; ok {
		return st, nil
	}
	if len(t.s.stmts) >= maxStatements {
		return nil, nil
	}
	st, err := t.s.conn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	t.s.stmts[query] = st
	return st, nil
}

// QueryContext is (*sql.Tx).QueryContext.
func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return t.s.conn.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext is (*sql.Tx).QueryRowContext.
func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := t.stmt(ctx, query)
	if err != nil || st == nil {
		// Unprepared: Scan reports the error of preparing, if any.
		return t.s.conn.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// ExecContext is (*sql.Tx).ExecContext.
func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	t.wrote = true
	return t.exec(ctx, query, args...)
}

func (t *txn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := t.stmt(ctx, query)
	switch {
	case err != nil:
		return nil, err
	case st == nil:
		return t.s.conn.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

// inTx runs f in a transaction, committed when f returns nil and rolled
// back otherwise, once the operations called before are done. A
// cancelled ctx fails before anything is done; cancelling it while
// waiting for the others gives up.
//
// The transaction is begun and ended with statements (BEGIN IMMEDIATE,
// COMMIT) on a connection taken from the pool for the Store's life, not
// with a *sql.Tx: database/sql prepares again, in each transaction, the
// statements of a connection.
func (s *Store) inTx(ctx context.Context, f func(tx *txn) error) error {
	return s.run(ctx, true, f)
}

// read runs f, which runs a single statement, alone (a statement is a
// transaction of its own): no BEGIN and COMMIT to run around it.
func (s *Store) read(ctx context.Context, f func(tx *txn) error) error {
	return s.run(ctx, false, f)
}

func (s *Store) run(ctx context.Context, inTx bool, f func(tx *txn) error) error {
	if err := ctxguard.Err(ctx); err != nil {
		return err
	}
	if err := s.gate.lock(ctx); err != nil {
		return err
	}
	defer s.gate.unlock()
	if err := s.connect(ctx); err != nil {
		return ctxErr(ctx, err)
	}
	t := &txn{s: s}
	if !inTx {
		err := f(t)
		s.checkConn(err)
		return ctxErr(ctx, err)
	}
	if _, err := t.exec(ctx, `BEGIN IMMEDIATE`); err != nil {
		s.checkConn(err)
		return ctxErr(ctx, err)
	}
	err := f(t)
	if err == nil {
		// Cancelled now, the operation does not take place; after the
		// check, the COMMIT is not interrupted (context.Background).
		err = ctx.Err()
	}
	if err == nil {
		_, err = t.exec(context.Background(), `COMMIT`)
	}
	if err != nil {
		s.rollback(err)
		return ctxErr(ctx, err)
	}
	if t.wrote {
		s.writes++
		if s.writes >= optimizeEvery {
			s.writes = 0
			// A failure leaves the old statistics, no worse than before.
			_, _ = t.exec(context.Background(), optimize)
		}
	}
	return nil
}

// connect takes the Store's connection from the pool, unless it has it.
func (s *Store) connect(ctx context.Context) error {
	if s.closed {
		return ErrClosed
	}
	if s.conn != nil {
		return nil
	}
	c, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	s.conn, s.stmts = c, map[string]*sql.Stmt{}
	s.refused = refusals{} // dataVersionQuery counts from a connection's start
	return nil
}

// rollback ends the transaction that failed with err. When the
// connection broke, or the ROLLBACK fails (an interrupted statement may
// have rolled the transaction back already), the connection is dropped:
// the next operation takes a new one rather than risk one that may still
// be in a transaction.
func (s *Store) rollback(err error) {
	if s.checkConn(err) {
		return
	}
	if _, rerr := (&txn{s: s}).exec(context.Background(), `ROLLBACK`); rerr != nil {
		_ = s.conn.Raw(func(any) error { return driver.ErrBadConn }) // the pool closes it
		s.dropConn()
	}
}

// checkConn drops the connection when err says it broke, and reports
// whether it did.
func (s *Store) checkConn(err error) bool {
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) {
		s.dropConn()
		return true
	}
	return false
}

// dropConn closes the statements of the connection and gives it back to
// the pool.
func (s *Store) dropConn() {
	if s.conn == nil {
		return
	}
	for _, st := range s.stmts {
		_ = st.Close()
	}
	_ = s.conn.Close()
	s.conn, s.stmts = nil, nil
}

// ctxErr makes an error caused by the cancellation of ctx match
// ctx.Err() with errors.Is.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}

// nsOrNull stores t as Unix nanoseconds, the zero time as NULL.
func nsOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// fromNull is the inverse of nsOrNull.
func fromNull(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// boolInt stores b as 0 or 1.
func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

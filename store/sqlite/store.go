package sqlite

import (
	"context"
	"database/sql"
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

//go:embed migrations/*.sql
var migrationFiles embed.FS

// busyTimeout is how long a statement waits for a lock held by another
// connection (another process) before failing.
const busyTimeout = 5 * time.Second

// Store is a gateway.Store and a webinar.Store kept in a SQLite
// database. It is safe for concurrent use; make one with Open and Close
// it when done.
type Store struct {
	db *sql.DB
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
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

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

// inTx runs f in a transaction, committed when f returns nil and rolled
// back otherwise. A cancelled ctx fails before anything is done.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	if err := ctxguard.Err(ctx); err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return ctxErr(ctx, err)
	}
	defer func() { _ = tx.Rollback() }()
	if err := f(tx); err != nil {
		return ctxErr(ctx, err)
	}
	if err := tx.Commit(); err != nil {
		return ctxErr(ctx, err)
	}
	return nil
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

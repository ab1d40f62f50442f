package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/bbbcast/bbbcast/internal/ctxguard"
	"github.com/bbbcast/bbbcast/store/internal/migrate"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrSchemaTooNew is returned by Open and OpenPool when the database
// records a schema version above the highest this package embeds: it was
// written by a newer release, and this one must not touch it.
var ErrSchemaTooNew = errors.New("postgres: database schema is newer than this program")

//go:embed migrations/*.sql
var migrationFiles embed.FS

// maxAttempts bounds the runs of a transaction that fails on a
// serialization failure, a deadlock or the bookings' exclusion
// constraint.
const maxAttempts = 5

// SQLSTATE codes the store tells apart.
const (
	codeUniqueViolation      = "23505"
	codeExclusionViolation   = "23P01"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// Store is a gateway.Store and a webinar.Store kept in a PostgreSQL
// database. It is safe for concurrent use, by goroutines and by several
// processes sharing the database; make one with Open and Close it when
// done.
type Store struct {
	pool *pgxpool.Pool
	// ownsPool: Open made the pool, so Close closes it; OpenPool's pool
	// is the host's.
	ownsPool bool
	// retried counts the transactions run again, by SQLSTATE: the
	// allocation paths are built to need none (see migration 0004), and
	// the tests hold them to it.
	retried retryCounts
}

// retryCounts are the retries of a Store by cause, and the FirstFree
// allocations that started over to wait for a gateway.
type retryCounts struct {
	deadlocks, exclusions, serialization, waits atomic.Int64
}

// migrations lists the embedded migrations by version.
func migrations() ([]migrate.Migration, error) {
	ms, err := migrate.Load(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", "postgres", err)
	}
	return ms, nil
}

// Open connects to the PostgreSQL database dsn (a URL or key=value
// connection string as pgxpool.ParseConfig takes them, pool_max_conns
// and runtime parameters such as search_path included; plan_cache_mode
// defaults to force_generic_plan) and applies the
// migrations it lacks. A database with a newer schema than this package
// knows gives ErrSchemaTooNew.
func Open(ctx context.Context, dsn string) (*Store, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// The store's statements are few, prepared once per connection and
	// shaped so that one plan suits every argument; planning each
	// execution anew (PostgreSQL's default for the first five, and
	// often for good) would cost more than running them.
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, ctxErr(ctx, fmt.Errorf("postgres: open: %w", err))
	}
	s := &Store{pool: pool, ownsPool: true}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, ctxErr(ctx, err)
	}
	return s, nil
}

// ErrNilPool is returned by OpenPool when given no pool.
var ErrNilPool = errors.New("postgres: OpenPool was given a nil pool")

// OpenPool is Open over a pool the host already has: the store shares
// its connections (and their search_path, whose first schema holds the
// tables) and applies the migrations the database lacks, as Open does.
// The pool stays the host's: Close of the Store leaves it open, and the
// host closes it after the Store is done with it. The store's statements
// run best with plan_cache_mode set to force_generic_plan, which Open
// sets and OpenPool cannot: set it in the pool's
// ConnConfig.RuntimeParams.
func OpenPool(ctx context.Context, pool *pgxpool.Pool) (*Store, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return nil, err
	}
	if pool == nil {
		return nil, ErrNilPool
	}
	s := &Store{pool: pool}
	if err := s.migrate(ctx); err != nil {
		return nil, ctxErr(ctx, err)
	}
	return s, nil
}

// Close closes the connections of a Store made by Open. A Store made by
// OpenPool leaves the host's pool open.
func (s *Store) Close() {
	if s.ownsPool {
		s.pool.Close()
	}
}

// migrate applies the missing migrations in one transaction, under an
// advisory lock of the current schema: replicas starting at once wait
// for one another, and the later ones find nothing to do.
func (s *Store) migrate(ctx context.Context) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('bbbcast.migrate.' || current_schema()))`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    BIGINT PRIMARY KEY,
		applied_at BIGINT NOT NULL
	)`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	var current int64
	if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	if latest := ms[len(ms)-1].Version; current > latest {
		return fmt.Errorf("%w: database at version %d, this program knows up to %d", ErrSchemaTooNew, current, latest)
	}
	for _, m := range ms {
		if m.Version <= current {
			continue
		}
		if _, err := tx.Exec(ctx, m.SQL); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
			m.Version, time.Now().UnixNano()); err != nil {
			return fmt.Errorf("postgres: migration %s: %w", m.Name, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	return nil
}

// inTx runs f in a READ COMMITTED transaction, committed when f returns
// nil and rolled back otherwise. A cancelled ctx fails before anything
// is done.
func (s *Store) inTx(ctx context.Context, f func(tx pgx.Tx) error) error {
	if err := ctxguard.Err(ctx); err != nil {
		return err
	}
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted})
	if err != nil {
		return ctxErr(ctx, err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if err := f(tx); err != nil {
		return ctxErr(ctx, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return ctxErr(ctx, err)
	}
	return nil
}

// inRetriedTx is inTx, run again (up to maxAttempts times in all) when
// the transaction fails on a serialization failure, a deadlock or an
// exclusion violation, all of which a fresh run may avoid.
func (s *Store) inRetriedTx(ctx context.Context, f func(tx pgx.Tx) error) error {
	var err error
	for range maxAttempts {
		if err = s.inTx(ctx, f); !s.retryable(err) {
			return err
		}
	}
	return err
}

// retryable reports whether err is worth running the transaction again,
// and counts it when it is.
func (s *Store) retryable(err error) bool {
	switch sqlState(err) {
	case codeExclusionViolation:
		s.retried.exclusions.Add(1)
	case codeSerializationFailure:
		s.retried.serialization.Add(1)
	case codeDeadlockDetected:
		s.retried.deadlocks.Add(1)
	default:
		return false
	}
	return true
}

// sqlState is the SQLSTATE of err, "" when it is not a server error.
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
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
func nsOrNull(t time.Time) *int64 {
	if t.IsZero() {
		return nil
	}
	n := t.UnixNano()
	return &n
}

// fromNull is the inverse of nsOrNull.
func fromNull(n *int64) time.Time {
	if n == nil {
		return time.Time{}
	}
	return time.Unix(0, *n).UTC()
}

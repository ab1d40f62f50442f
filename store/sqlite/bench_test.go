package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/bbbcast/bbbcast/store/sqlite"
	"github.com/bbbcast/bbbcast/store/storetest"
)

// seedBench opens a store in a file of b's temporary directory and fills
// it with the gateways (through the store) and the bookings (one
// transaction of prepared inserts on a database/sql handle of its own).
func seedBench(b *testing.B) *sqlite.Store {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "bbbcast.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })

	ids := storetest.BenchCreateGateways(b, s)

	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) VALUES (?, ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	for _, r := range storetest.BenchBookings(ids) {
		if _, err := stmt.ExecContext(ctx, r...); err != nil {
			b.Fatal(err)
		}
	}
	if err := stmt.Close(); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkAllocateConcurrent is storetest.BenchAllocateConcurrent on a
// seeded store: 8 clients, 1,000 gateways, 100,000 bookings.
func BenchmarkAllocateConcurrent(b *testing.B) {
	storetest.BenchAllocateConcurrent(b, seedBench(b))
}

// BenchmarkAllocateReleaseConcurrent is
// storetest.BenchAllocateReleaseConcurrent on the same data.
func BenchmarkAllocateReleaseConcurrent(b *testing.B) {
	storetest.BenchAllocateReleaseConcurrent(b, seedBench(b))
}

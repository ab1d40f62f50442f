package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/sqlite"
	"github.com/bbbcast/bbbcast/store/storetest"
)

// openBench opens a store in a file of b's temporary directory and
// returns it with the file's path.
func openBench(b *testing.B) (*sqlite.Store, string) {
	b.Helper()
	path := filepath.Join(b.TempDir(), "bbbcast.db")
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s, path
}

// insertBookings adds rows (owner, gateway_id, start_ns, end_ns) to the
// database at path in one transaction of prepared inserts, on a
// database/sql handle of its own.
func insertBookings(path string, rows [][]any) error {
	ctx := context.Background()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO bookings (owner, gateway_id, start_ns, end_ns) VALUES (?, ?, ?, ?)`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, r := range rows {
		if _, err := stmt.ExecContext(ctx, r...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// seedBench opens a store and fills it with the gateways (through the
// store) and the bookings (insertBookings) of storetest.BenchBookings.
func seedBench(b *testing.B) *sqlite.Store {
	b.Helper()
	s, path := openBench(b)
	ids := storetest.BenchCreateGateways(b, s)
	if err := insertBookings(path, storetest.BenchBookings(ids)); err != nil {
		b.Fatal(err)
	}
	execBench(b, path, `ANALYZE`)
	return s
}

func execBench(b *testing.B, path, query string) {
	b.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query); err != nil {
		b.Fatal(err)
	}
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

// BenchmarkContention runs the contention scenarios of issue 15 on a new
// store each, bulk-loaded by insertBookings. The statistics are left to
// the store (no ANALYZE after the load): a store in service sees its
// tables grow under it.
func BenchmarkContention(b *testing.B) {
	for _, c := range []storetest.Contention{
		storetest.RushOneSlot, storetest.RushOverlapping, storetest.NearlyFull, storetest.Busy90,
	} {
		b.Run(c.Name, func(b *testing.B) {
			s, path := openBench(b)
			storetest.BenchContention(b, s, c, func(rows [][]any) error { return insertBookings(path, rows) })
		})
	}
}

// BenchmarkRefusal measures one client's refusals on the pool of
// storetest.NearlyFull once full (1,000 gateways, all busy over the
// slot): the service time of a refusal, which BenchmarkContention's
// latencies show multiplied by the clients queued. "cold" refusals follow
// a write each (a booking of another day, released), so the Store cannot
// answer from the refusal it remembers; "repeated" ones follow one
// another.
func BenchmarkRefusal(b *testing.B) {
	for _, cold := range []bool{true, false} {
		name := map[bool]string{true: "cold", false: "repeated"}[cold]
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			s, path := openBench(b)
			const pool = "refusal"
			ids := storetest.BenchCreatePool(b, s, pool, storetest.NearlyFull.Gateways)
			day := time.Date(2031, 6, 3, 0, 0, 0, 0, time.UTC)
			rows := make([][]any, len(ids))
			for i, id := range ids {
				rows[i] = []any{fmt.Sprint("busy-", i), id, day.UnixNano(), day.AddDate(0, 0, 1).UnixNano()}
			}
			if err := insertBookings(path, rows); err != nil {
				b.Fatal(err)
			}
			slot := gateway.Slot{Start: day.Add(9 * time.Hour), End: day.Add(11 * time.Hour)}
			other := gateway.Slot{Start: day.AddDate(0, 0, 7), End: day.AddDate(0, 0, 7).Add(time.Hour)}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if cold {
					b.StopTimer()
					if _, err := s.Allocate(ctx, gateway.Request{Owner: "writer", Pool: pool, Slot: other}); err != nil {
						b.Fatal(err)
					}
					if _, err := s.Release(ctx, "writer"); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				t0 := time.Now()
				_, err := s.Allocate(ctx, gateway.Request{Owner: "refused", Pool: pool, Slot: slot, Rule: gateway.FirstFree})
				lat = append(lat, time.Since(t0))
				var none *gateway.NoGatewayFreeError
				if !errors.As(err, &none) || len(none.Conflicts) != gateway.MaxConflicts || !none.Truncated {
					b.Fatalf("refusal: %v", err)
				}
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2])/1e6, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100])/1e6, "p99-ms")
		})
	}
}

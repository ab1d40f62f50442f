package postgres_test

import (
	"context"
	"fmt"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bbbcast/bbbcast/store/postgres"
	"github.com/bbbcast/bbbcast/store/storetest"
)

// openBench opens a store in a new schema, and returns it with a seeder
// that bulk-loads bookings rows with COPY on a connection of its own,
// then ANALYZEs.
func openBench(b *testing.B) (*postgres.Store, storetest.Seeder) {
	b.Helper()
	ctx := context.Background()
	dsn := newSchemaDSN(b, "bbbcast_bench_", storetest.BenchClients)
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)
	u, err := url.Parse(dsn)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	seed := func(rows [][]any) error {
		conn, err := pgx.Connect(ctx, u.String())
		if err != nil {
			return err
		}
		defer conn.Close(ctx)
		n, err := conn.CopyFrom(ctx, pgx.Identifier{"bookings"},
			[]string{"owner", "gateway_id", "start_ns", "end_ns"}, pgx.CopyFromRows(rows))
		if err != nil {
			return err
		}
		if n != int64(len(rows)) {
			return fmt.Errorf("copied %d bookings, want %d", n, len(rows))
		}
		_, err = conn.Exec(ctx, `ANALYZE`)
		return err
	}
	return s, seed
}

// seedBench opens a store and fills it with the gateways (through the
// store) and the bookings of storetest.BenchBookings.
func seedBench(b *testing.B) *postgres.Store {
	b.Helper()
	s, seed := openBench(b)
	if err := seed(storetest.BenchBookings(storetest.BenchCreateGateways(b, s))); err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkContention runs the storetest contention scenarios (issue 15):
// go test -run='^$' -bench=Contention -benchtime=20x ./store/postgres/
func BenchmarkContention(b *testing.B) {
	for _, c := range []storetest.Contention{storetest.RushOneSlot, storetest.RushOverlapping, storetest.NearlyFull, storetest.Busy90} {
		b.Run(c.Name, func(b *testing.B) {
			s, seed := openBench(b)
			storetest.BenchContention(b, s, c, seed)
			deadlocks, exclusions, serialization := s.Retries()
			b.ReportMetric(float64(s.Waits())/float64(b.N), "waits/round")
			if deadlocks+exclusions+serialization > 0 {
				b.Errorf("retried after %d deadlocks, %d exclusion violations, %d serialization failures; want none",
					deadlocks, exclusions, serialization)
			}
		})
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

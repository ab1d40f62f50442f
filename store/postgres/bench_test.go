package postgres_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bbbcast/bbbcast/store/postgres"
	"github.com/bbbcast/bbbcast/store/storetest"
)

// seedBench opens a store in a new schema and fills it with the
// gateways (through the store) and the bookings (COPY on a connection of
// its own).
func seedBench(b *testing.B) *postgres.Store {
	b.Helper()
	ctx := context.Background()
	dsn := newSchemaDSN(b, "bbbcast_bench_", storetest.BenchClients)
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)

	ids := storetest.BenchCreateGateways(b, s)

	u, err := url.Parse(dsn)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	rows := storetest.BenchBookings(ids)
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"bookings"},
		[]string{"owner", "gateway_id", "start_ns", "end_ns"}, pgx.CopyFromRows(rows))
	if err != nil {
		b.Fatal(err)
	}
	if n != int64(len(rows)) {
		b.Fatalf("copied %d bookings, want %d", n, len(rows))
	}
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
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

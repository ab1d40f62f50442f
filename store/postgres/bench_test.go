package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/postgres"
)

// The data set of BenchmarkAllocateConcurrent: benchGateways gateways in
// one pool, each holding benchPerGateway bookings of 1 to 3 hours spread
// over a year, allocated to by benchClients goroutines.
const (
	benchPool       = "bench"
	benchGateways   = 1000
	benchPerGateway = 100
	benchClients    = 8
	benchSlot       = 2 * time.Hour
)

var benchYear = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)

// benchSchemaDSN is schemaDSN for a benchmark: a new schema, dropped with
// b, and a DSN whose search_path starts with it, with a pool of one
// connection per client.
func benchSchemaDSN(b *testing.B) string {
	b.Helper()
	dsn := os.Getenv(dsnEnv)
	if dsn == "" {
		if os.Getenv(requireEnv) != "" {
			b.Fatal(dsnEnv + " is not set but " + requireEnv + " is: the PostgreSQL benchmark must run")
		}
		b.Skip(dsnEnv + " is not set: no PostgreSQL server to benchmark")
	}
	if err := execAdmin(dsn, `CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public`); err != nil {
		b.Fatal(err)
	}
	r := make([]byte, 8)
	if _, err := rand.Read(r); err != nil {
		b.Fatal(err)
	}
	schema := "bbbcast_bench_" + hex.EncodeToString(r)
	if err := execAdmin(dsn, `CREATE SCHEMA `+schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := execAdmin(dsn, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			b.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		b.Fatalf("%s must be a URL: %v", dsnEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	q.Set("pool_max_conns", fmt.Sprint(benchClients))
	u.RawQuery = q.Encode()
	return u.String()
}

// seedBench opens a store in a new schema and fills it with the
// gateways (through the store) and the bookings (COPY on a connection of
// its own).
func seedBench(b *testing.B) *postgres.Store {
	b.Helper()
	ctx := context.Background()
	dsn := benchSchemaDSN(b)
	s, err := postgres.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(s.Close)

	ids := make([]int64, benchGateways)
	for i := range ids {
		g, err := s.CreateGateway(ctx, gateway.Gateway{
			Name:    fmt.Sprintf("gateway %d", i),
			Pool:    benchPool,
			Order:   i,
			RTMPURL: gateway.NewSecret(fmt.Sprintf("rtmps://live.example.org/live/stream-key-%d", i)),
			HLSURL:  fmt.Sprintf("https://live.example.org/hls/%d/index.m3u8", i),
			Server: gateway.Server{
				URL:      fmt.Sprintf("https://sip%d.example.org", i),
				Token:    gateway.NewSecret(fmt.Sprintf("token-%d-0123456789", i)),
				Protocol: gateway.ProtocolV18,
			},
			Enabled: true,
		})
		if err != nil {
			b.Fatal(err)
		}
		ids[i] = g.ID
	}

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
	rows := benchBookings(ids)
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

// benchBookings returns the seed bookings as rows of (owner, gateway_id,
// start_ns, end_ns): the year is cut into benchPerGateway segments and
// each gateway has one booking of 1 to 3 hours at a random place in each,
// so that no two of its bookings overlap.
func benchBookings(ids []int64) [][]any {
	rng := mrand.New(mrand.NewPCG(1, 2))
	year := benchYear.AddDate(1, 0, 0).Sub(benchYear)
	seg := year / benchPerGateway
	rows := make([][]any, 0, len(ids)*benchPerGateway)
	for gi, id := range ids {
		for k := 0; k < benchPerGateway; k++ {
			d := time.Hour + time.Duration(rng.Int64N(int64(2*time.Hour)))
			off := time.Duration(rng.Int64N(int64(seg - d)))
			start := benchYear.Add(time.Duration(k)*seg + off)
			rows = append(rows, []any{fmt.Sprintf("seed-%d-%d", gi, k), id,
				start.UnixNano(), start.Add(d).UnixNano()})
		}
	}
	return rows
}

// BenchmarkAllocateConcurrent has benchClients goroutines share b.N
// iterations, each allocating a random 2-hour slot of the year for an
// owner of its own and releasing it at once (so the data does not
// drift), against benchGateways gateways holding
// benchGateways*benchPerGateway bookings. It reports the allocations per
// second (b.N over the wall time, releases included) and the p50 and p99
// latencies of Allocate.
func BenchmarkAllocateConcurrent(b *testing.B) {
	s := seedBench(b)
	ctx := context.Background()
	year := benchYear.AddDate(1, 0, 0).Sub(benchYear)
	minutes := int64((year - benchSlot) / time.Minute)

	var (
		next      atomic.Int64
		wg        sync.WaitGroup
		failed    atomic.Pointer[error]
		latencies = make([][]time.Duration, benchClients)
	)
	b.ReportAllocs()
	b.ResetTimer()
	began := time.Now()
	for c := 0; c < benchClients; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(c), 42))
			lat := make([]time.Duration, 0, b.N/benchClients+1)
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				start := benchYear.Add(time.Duration(rng.Int64N(minutes)) * time.Minute)
				req := gateway.Request{
					Owner: fmt.Sprintf("bench-%d-%d", c, i),
					Pool:  benchPool,
					Slot:  gateway.Slot{Start: start, End: start.Add(benchSlot)},
					Rule:  gateway.FirstFree,
				}
				t0 := time.Now()
				_, err := s.Allocate(ctx, req)
				lat = append(lat, time.Since(t0))
				if err == nil {
					_, err = s.Release(ctx, req.Owner)
				}
				if err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
			latencies[c] = lat
		}()
	}
	wg.Wait()
	elapsed := time.Since(began)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	reportLatencies(b, elapsed, slices.Concat(latencies...))
}

// reportLatencies reports allocs/s, p50-ms and p99-ms.
func reportLatencies(b *testing.B, elapsed time.Duration, all []time.Duration) {
	b.Helper()
	if len(all) == 0 {
		return
	}
	slices.Sort(all)
	q := func(p float64) float64 {
		i := int(p*float64(len(all))+0.5) - 1
		i = max(0, min(i, len(all)-1))
		return float64(all[i]) / float64(time.Millisecond)
	}
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "allocs/s")
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

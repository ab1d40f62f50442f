package storetest

import (
	"context"
	"fmt"
	mrand "math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
)

// The data set of BenchAllocateConcurrent: BenchGateways gateways in one
// pool, each holding BenchPerGateway bookings of 1 to 3 hours spread over
// the year from BenchYear, allocated to by BenchClients goroutines.
const (
	BenchPool       = "bench"
	BenchGateways   = 1000
	BenchPerGateway = 100
	BenchClients    = 8
	benchSlot       = 2 * time.Hour
)

// BenchYear is the start of the benchmark's year.
var BenchYear = time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)

// BenchCreateGateways creates the BenchGateways gateways of the pool
// through the store and returns their IDs in order.
func BenchCreateGateways(b *testing.B, s gateway.Store) []int64 {
	b.Helper()
	return BenchCreatePool(b, s, BenchPool, BenchGateways)
}

// BenchBookings returns the seed bookings as rows of (owner, gateway_id,
// start_ns, end_ns), for an adapter to bulk-insert: the year is cut into
// BenchPerGateway segments and each gateway has one booking of 1 to 3
// hours at a random place in each, so that no two of its bookings overlap.
func BenchBookings(ids []int64) [][]any { return benchBookings(ids, BenchPerGateway) }

// benchBookings is BenchBookings with perGateway bookings per gateway.
func benchBookings(ids []int64, perGateway int) [][]any {
	rng := mrand.New(mrand.NewPCG(1, 2))
	year := BenchYear.AddDate(1, 0, 0).Sub(BenchYear)
	seg := year / time.Duration(perGateway)
	rows := make([][]any, 0, len(ids)*perGateway)
	for gi, id := range ids {
		for k := range perGateway {
			d := time.Hour + time.Duration(rng.Int64N(int64(2*time.Hour)))
			off := time.Duration(rng.Int64N(int64(seg - d)))
			start := BenchYear.Add(time.Duration(k)*seg + off)
			rows = append(rows, []any{fmt.Sprintf("seed-%d-%d", gi, k), id,
				start.UnixNano(), start.Add(d).UnixNano()})
		}
	}
	return rows
}

// BenchAllocateConcurrent has BenchClients goroutines share b.N
// allocations against s, seeded with BenchCreateGateways and
// BenchBookings: each books a random 2-hour slot of the year for an owner
// of its own, and keeps it. It reports the allocations per second (b.N
// over the wall time) and the p50 and p99 latencies of Allocate. The
// bookings it adds (a few thousand on top of 100,000) change the data
// little.
func BenchAllocateConcurrent(b *testing.B, s gateway.Store) {
	benchAllocate(b, s, false)
}

// BenchAllocateReleaseConcurrent is BenchAllocateConcurrent where each
// allocation is released at once, so the data does not drift at all: its
// allocs/s counts allocate+release cycles, twice the store's work.
func BenchAllocateReleaseConcurrent(b *testing.B, s gateway.Store) {
	benchAllocate(b, s, true)
}

func benchAllocate(b *testing.B, s gateway.Store, release bool) {
	ctx := context.Background()
	year := BenchYear.AddDate(1, 0, 0).Sub(BenchYear)
	minutes := int64((year - benchSlot) / time.Minute)

	var (
		next      atomic.Int64
		wg        sync.WaitGroup
		failed    atomic.Pointer[error]
		latencies = make([][]time.Duration, BenchClients)
	)
	b.ReportAllocs()
	b.ResetTimer()
	began := time.Now()
	for c := range BenchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := mrand.New(mrand.NewPCG(uint64(c), 42))
			lat := make([]time.Duration, 0, b.N/BenchClients+1)
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				start := BenchYear.Add(time.Duration(rng.Int64N(minutes)) * time.Minute)
				req := gateway.Request{
					Owner: fmt.Sprintf("bench-%d-%d", c, i),
					Pool:  BenchPool,
					Slot:  gateway.Slot{Start: start, End: start.Add(benchSlot)},
					Rule:  gateway.FirstFree,
				}
				t0 := time.Now()
				_, err := s.Allocate(ctx, req)
				lat = append(lat, time.Since(t0))
				if err == nil && release {
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
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "allocs/s")
	b.ReportMetric(ms(quantile(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(quantile(all, 0.99)), "p99-ms")
}

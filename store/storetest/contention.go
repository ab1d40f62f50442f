package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// Contention is an allocation workload where clients compete for the same
// hours, as a campus books its lectures: every request asks for one of a
// few overlapping slots of one day, on a pool that is empty or nearly
// full. BenchContention runs it against any store, so that the three
// stores are compared on the same work.
type Contention struct {
	Name     string
	Gateways int // gateways in the pool
	// Background bookings per gateway, spread over BenchYear as
	// BenchBookings spreads them (the day of the slots is kept clear).
	Background int
	// Busy gateways are booked over the whole day of the slots before the
	// run, the first ones in order, so that a first-free search walks them.
	Busy     int
	Slots    int // overlapping slots asked for: 2 hours each, 15 minutes apart
	Clients  int
	Requests int // per client and round
	// Hold keeps each booking until the round ends (a rush: the pool
	// fills up, then refuses); otherwise a booking is released at once
	// (churn on a nearly full pool).
	Hold bool
}

// The scenarios of issue 15, recorded in BENCHMARKS.md.
var (
	// RushOneSlot: 8 clients, 5 requests each, all for one slot of a
	// 20-gateway pool: 20 bookings and 20 refusals per round.
	RushOneSlot = Contention{Name: "rush-one-slot", Gateways: 20, Slots: 1, Clients: 8, Requests: 5, Hold: true}
	// RushOverlapping: 8 clients, 175 requests each, over 4 overlapping
	// slots of a 1,000-gateway pool: 1,000 bookings, 400 refusals.
	RushOverlapping = Contention{Name: "rush-4-slots", Gateways: 1000, Slots: 4, Clients: 8, Requests: 175, Hold: true}
	// NearlyFull: 996 of 1,000 gateways busy; 8 clients, 25 requests
	// each, for one slot: 4 bookings and 196 refusals per round.
	NearlyFull = Contention{Name: "nearly-full", Gateways: 1000, Busy: 996, Slots: 1, Clients: 8, Requests: 25, Hold: true}
	// Busy90: 10,000 gateways with 100 bookings each over the year (1M),
	// 90 % of them busy on the day; 8 clients book and release.
	Busy90 = Contention{Name: "busy-90", Gateways: 10000, Background: 100, Busy: 9000, Slots: 1, Clients: 8, Requests: 100}
)

// contentionDay is the day of the slots: a Tuesday of BenchYear.
var contentionDay = time.Date(2031, 6, 3, 0, 0, 0, 0, time.UTC)

func (c Contention) pool() string { return "contention-" + c.Name }

// slot returns the i-th requested slot.
func (c Contention) slot(i int) gateway.Slot {
	start := contentionDay.Add(9*time.Hour + time.Duration(i%c.Slots)*15*time.Minute)
	return gateway.Slot{Start: start, End: start.Add(2 * time.Hour)}
}

// Seeder bulk-loads bookings rows (owner, gateway_id, start_ns, end_ns)
// into a store, as BenchBookings makes them; nil makes BenchContention
// book them one by one through the store.
type Seeder func(rows [][]any) error

// BenchCreatePool creates n gateways in pool through the store and
// returns their IDs in order.
func BenchCreatePool(tb testing.TB, s gateway.Store, pool string, n int) []int64 {
	tb.Helper()
	ids := make([]int64, n)
	for i := range ids {
		g, err := s.CreateGateway(context.Background(), gateway.Gateway{
			Name:    fmt.Sprintf("%s %d", pool, i),
			Pool:    pool,
			Order:   i,
			RTMPURL: gateway.NewSecret(fmt.Sprintf("rtmps://live.example.org/live/%s-key-%d", pool, i)),
			HLSURL:  fmt.Sprintf("https://live.example.org/hls/%s/%d/index.m3u8", pool, i),
			Server: gateway.Server{
				URL:      fmt.Sprintf("https://%s-%d.sip.example.org", pool, i),
				Token:    gateway.NewSecret(fmt.Sprintf("token-%d-0123456789", i)),
				Protocol: sipmediagw.V18,
			},
			Enabled: true,
		})
		if err != nil {
			tb.Fatal(err)
		}
		ids[i] = g.ID
	}
	return ids
}

// seedContention creates c's pool and its background and busy bookings.
func seedContention(b *testing.B, s gateway.Store, c Contention, seed Seeder) {
	b.Helper()
	ids := BenchCreatePool(b, s, c.pool(), c.Gateways)
	dayStart, dayEnd := contentionDay.UnixNano(), contentionDay.AddDate(0, 0, 1).UnixNano()
	var rows [][]any
	if c.Background > 0 {
		for _, r := range benchBookings(ids, c.Background) {
			if start, end := r[2].(int64), r[3].(int64); end > dayStart && start < dayEnd {
				continue // keep the day of the slots to Busy
			}
			r[0] = c.pool() + "-" + r[0].(string)
			rows = append(rows, r)
		}
	}
	for i := 0; i < c.Busy && i < len(ids); i++ {
		rows = append(rows, []any{fmt.Sprintf("%s-busy-%d", c.pool(), i), ids[i], dayStart, dayEnd})
	}
	if seed != nil {
		if err := seed(rows); err != nil {
			b.Fatal(err)
		}
		return
	}
	ctx := context.Background()
	for _, r := range rows {
		_, err := s.Allocate(ctx, gateway.Request{
			Owner: r[0].(string), Pool: c.pool(), GatewayID: r[1].(int64),
			Slot: gateway.Slot{Start: time.Unix(0, r[2].(int64)).UTC(), End: time.Unix(0, r[3].(int64)).UTC()},
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// outcome is what one request ended in.
type outcome struct {
	latency time.Duration
	booked  bool
	err     error // a refusal is not an error
}

// BenchContention runs c against s: b.N rounds, each of c.Clients
// goroutines sending c.Requests allocations (FirstFree) for c's slots.
// Between rounds the bookings a round kept are released, off the clock.
// It reports decisions/s (requests over the rounds' wall time), the p50,
// p99 and max latency of Allocate in ms, bookings and refusals per round,
// and fails on any other error (listed by kind) or on two bookings of a
// gateway that overlap, checked after every round. seed bulk-loads the
// setup, nil for through the store.
func BenchContention(b *testing.B, s gateway.Store, c Contention, seed Seeder) {
	ctx := context.Background()
	seedContention(b, s, c, seed)
	outcomes := make([][]outcome, c.Clients)
	// One round off the record first: the stores' connection pools fill
	// up, and the caches warm, as in a server that has been running.
	runContentionRound(ctx, s, c, -1, outcomes)
	releaseHeld(b, s, c, -1, outcomes)
	b.ReportAllocs()
	b.ResetTimer()

	var (
		all             []time.Duration
		booked, refused int
		errorsByKind    = map[string]int{}
		wall            time.Duration
	)
	for round := 0; round < b.N; round++ {
		wall += runContentionRound(ctx, s, c, round, outcomes)
		b.StopTimer()
		for _, out := range outcomes {
			for _, o := range out {
				all = append(all, o.latency)
				switch {
				case o.err != nil:
					errorsByKind[errorKind(o.err)]++
				case o.booked:
					booked++
				default:
					refused++
				}
			}
		}
		if err := checkNoOverlap(ctx, s, c.pool()); err != nil {
			b.Fatalf("round %d: %v", round, err)
		}
		releaseHeld(b, s, c, round, outcomes)
		b.StartTimer()
	}
	b.StopTimer()
	if len(errorsByKind) > 0 {
		kinds := make([]string, 0, len(errorsByKind))
		for k, n := range errorsByKind {
			kinds = append(kinds, fmt.Sprintf("%d × %s", n, k))
		}
		sort.Strings(kinds)
		b.Errorf("%s: errors other than bookings and refusals: %v", c.Name, kinds)
	}
	slices.Sort(all)
	b.ReportMetric(float64(len(all))/wall.Seconds(), "decisions/s")
	b.ReportMetric(ms(quantile(all, 0.50)), "p50-ms")
	b.ReportMetric(ms(quantile(all, 0.99)), "p99-ms")
	b.ReportMetric(ms(all[len(all)-1]), "max-ms")
	b.ReportMetric(float64(booked)/float64(b.N), "booked/round")
	b.ReportMetric(float64(refused)/float64(b.N), "refused/round")
	b.ReportMetric(float64(sumValues(errorsByKind)), "errors")
}

func contentionOwner(c Contention, round, client, i int) string {
	return fmt.Sprintf("%s-r%d-c%d-%d", c.pool(), round, client, i)
}

// runContentionRound has c.Clients goroutines send their requests of
// round, writes what each ended in to outcomes[client], and returns the
// round's wall time.
func runContentionRound(ctx context.Context, s gateway.Store, c Contention, round int, outcomes [][]outcome) time.Duration {
	var wg sync.WaitGroup
	began := time.Now()
	for cl := 0; cl < c.Clients; cl++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out := outcomes[cl][:0]
			for i := 0; i < c.Requests; i++ {
				owner := contentionOwner(c, round, cl, i)
				t0 := time.Now()
				_, err := s.Allocate(ctx, gateway.Request{Owner: owner, Pool: c.pool(), Slot: c.slot(cl*c.Requests + i), Rule: gateway.FirstFree})
				o := outcome{latency: time.Since(t0)}
				var none *gateway.NoGatewayFreeError
				switch {
				case err == nil:
					o.booked = true
					if !c.Hold {
						if _, rerr := s.Release(ctx, owner); rerr != nil {
							o.err = fmt.Errorf("release: %w", rerr)
						}
					}
				case errors.As(err, &none):
				default:
					o.err = err
				}
				out = append(out, o)
			}
			outcomes[cl] = out
		}()
	}
	wg.Wait()
	return time.Since(began)
}

// releaseHeld releases the bookings round kept.
func releaseHeld(b *testing.B, s gateway.Store, c Contention, round int, outcomes [][]outcome) {
	b.Helper()
	if !c.Hold {
		return
	}
	for cl, out := range outcomes {
		for i, o := range out {
			if o.booked && o.err == nil {
				if _, err := s.Release(context.Background(), contentionOwner(c, round, cl, i)); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

func errorKind(err error) string {
	msg := err.Error()
	if len(msg) > 80 {
		msg = msg[:80]
	}
	return fmt.Sprintf("%T: %s", err, msg)
}

func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// quantile returns the p-quantile of sorted.
func quantile(sorted []time.Duration, p float64) time.Duration {
	i := int(p*float64(len(sorted))+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// checkNoOverlap reads every booking of pool on the contention day and
// fails when two of one gateway overlap.
func checkNoOverlap(ctx context.Context, s gateway.Store, pool string) error {
	list, err := s.Bookings(ctx, gateway.BookingQuery{Pool: pool, Window: gateway.Slot{
		Start: contentionDay.Add(-24 * time.Hour), End: contentionDay.Add(48 * time.Hour),
	}})
	if err != nil {
		return err
	}
	byGateway := map[int64][]gateway.Booking{}
	for _, bk := range list {
		byGateway[bk.GatewayID] = append(byGateway[bk.GatewayID], bk)
	}
	for id, bks := range byGateway {
		slices.SortFunc(bks, func(a, b gateway.Booking) int { return a.Slot.Start.Compare(b.Slot.Start) })
		for i := 1; i < len(bks); i++ {
			if bks[i].Slot.Start.Before(bks[i-1].Slot.End) {
				return fmt.Errorf("double booking on gateway %d: %s [%s, %s) and %s [%s, %s)", id,
					bks[i-1].Owner, bks[i-1].Slot.Start, bks[i-1].Slot.End, bks[i].Owner, bks[i].Slot.Start, bks[i].Slot.End)
			}
		}
	}
	return nil
}

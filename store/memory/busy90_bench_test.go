package memory_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/store/storetest"
)

// The data of BenchmarkAllocateBusy90, the target of issue 15 for one
// client: 10,000 gateways in one pool, 1,000,000 background bookings of 1
// to 3 hours over the year (storetest.BenchBookings), none on the day of
// the slot, and the first 9,000 gateways in order busy during the slot.
const (
	busy90Gateways = 10000
	busy90Busy     = 9000
	busy90Pool     = "busy-90"
)

// busy90Day is the day of the slot, as in the storetest contention
// scenarios.
var busy90Day = time.Date(2031, 6, 3, 0, 0, 0, 0, time.UTC)

// busy90Data is one seeded store and what brute force says of its slot.
type busy90Data struct {
	store     *memory.Store
	slot      gateway.Slot
	firstFree int64 // the gateway FirstFree must choose
	bookings  int
	seed      time.Duration // creating the gateways and booking the rows
	index     time.Duration // the first FirstFree allocation after the seeding
	// Heap growth per booking: the seeded store, and what the first
	// FirstFree allocation adds (the index, built then).
	storeBytes, indexBytes float64
}

// A busy90 variant says how the 9,000 busy gateways are busy.
type busy90Variant struct {
	name string
	slot gateway.Slot
	// busy returns the bookings of the i-th busy gateway on the day.
	busy func(i int) []gateway.Slot
}

var busy90Variants = []busy90Variant{
	// day: each busy gateway is booked for the whole day, as in
	// storetest.Busy90, and the slot starts on the hour.
	{
		name: "day",
		slot: gateway.Slot{Start: busy90Day.Add(9 * time.Hour), End: busy90Day.Add(11 * time.Hour)},
		busy: func(int) []gateway.Slot {
			return []gateway.Slot{{Start: busy90Day, End: busy90Day.AddDate(0, 0, 1)}}
		},
	},
	// partial: each busy gateway holds 1- to 3-hour bookings starting on
	// quarter hours, one of them overlapping the slot by 15 minutes to
	// its whole length; the slot starts at a quarter past: no booking
	// covers the slot, many end or start inside it.
	{
		name: "partial",
		slot: gateway.Slot{Start: busy90Day.Add(9*time.Hour + 15*time.Minute), End: busy90Day.Add(11*time.Hour + 15*time.Minute)},
		busy: func(i int) []gateway.Slot {
			slotStart := busy90Day.Add(9*time.Hour + 15*time.Minute)
			d := time.Hour + time.Duration(i*7%9)*15*time.Minute               // 1 to 3 hours
			start := slotStart.Add(time.Duration(i*5%11-3) * 15 * time.Minute) // 45 minutes before to 1h45 after
			out := []gateway.Slot{{Start: start, End: start.Add(d)}}
			// A morning and an evening booking besides.
			if m := start.Add(-4 * time.Hour); i%3 == 0 {
				out = append([]gateway.Slot{{Start: m, End: m.Add(d)}}, out...)
			}
			if ev := start.Add(d + 90*time.Minute); i%2 == 0 {
				out = append(out, gateway.Slot{Start: ev, End: ev.Add(time.Hour)})
			}
			return out
		},
	},
}

var (
	busy90Once  [2]sync.Once
	busy90Built [2]*busy90Data
)

func loadBusy90(b *testing.B, v int) *busy90Data {
	b.Helper()
	busy90Once[v].Do(func() {
		d, err := buildBusy90(b, busy90Variants[v])
		if err != nil {
			panic(err)
		}
		busy90Built[v] = d
	})
	if busy90Built[v] == nil {
		b.Fatal("the data could not be built")
	}
	return busy90Built[v]
}

func buildBusy90(b *testing.B, v busy90Variant) (*busy90Data, error) {
	ctx := context.Background()
	st := memory.New()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	began := time.Now()
	ids := storetest.BenchCreatePool(b, st, busy90Pool, busy90Gateways)
	dayStart, dayEnd := busy90Day.UnixNano(), busy90Day.AddDate(0, 0, 1).UnixNano()
	busyAtSlot := make([]bool, len(ids)) // by gateway, for brute force
	n := 0
	book := func(owner string, gi int, s gateway.Slot) error {
		n++
		busyAtSlot[gi] = busyAtSlot[gi] || s.Overlaps(v.slot)
		_, err := st.Allocate(ctx, gateway.Request{Owner: owner, Pool: busy90Pool, GatewayID: ids[gi], Slot: s})
		return err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	for _, r := range storetest.BenchBookings(ids) {
		start, end := r[2].(int64), r[3].(int64)
		if end > dayStart && start < dayEnd {
			continue // the day is the busy gateways'
		}
		s := gateway.Slot{Start: time.Unix(0, start).UTC(), End: time.Unix(0, end).UTC()}
		if err := book(r[0].(string), pos[r[1].(int64)], s); err != nil {
			return nil, err
		}
	}
	for i := range busy90Busy {
		for k, s := range v.busy(i) {
			if err := book(fmt.Sprintf("busy-%d-%d", i, k), i, s); err != nil {
				return nil, err
			}
		}
	}
	d := &busy90Data{store: st, slot: v.slot, bookings: n, seed: time.Since(began)}
	runtime.GC()
	runtime.ReadMemStats(&after)
	d.storeBytes = float64(after.HeapAlloc-before.HeapAlloc) / float64(n)

	// Brute force.
	for gi, busy := range busyAtSlot {
		if !busy {
			d.firstFree = ids[gi]
			break
		}
	}
	// The first allocation by rule, which may build an index.
	before = after
	t0 := time.Now()
	got, err := st.Allocate(ctx, gateway.Request{Owner: "check", Pool: busy90Pool, Slot: v.slot})
	d.index = time.Since(t0)
	if err != nil {
		return nil, err
	}
	if _, err := st.Release(ctx, "check"); err != nil {
		return nil, err
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	d.indexBytes = (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(n)
	runtime.KeepAlive(st)
	if got.GatewayID != d.firstFree {
		return nil, fmt.Errorf("slot %s: brute force says gateway %d, the store %d", v.slot, d.firstFree, got.GatewayID)
	}
	return d, nil
}

// BenchmarkAllocateBusy90 books then releases a gateway (FirstFree) for
// one 2-hour slot in a pool of 10,000 gateways holding 1,000,000
// bookings, 9,000 of the gateways busy during the slot: one client, each
// iteration leaving the store as it found it. It reports the seeding time
// (10,000 CreateGateway and 1,000,000 pinned Allocate), the first
// allocation by rule after it (which builds the index) and the heap each
// costs per booking.
func BenchmarkAllocateBusy90(b *testing.B) {
	for v, variant := range busy90Variants {
		b.Run(variant.name, func(b *testing.B) {
			d := loadBusy90(b, v)
			ctx := context.Background()
			req := gateway.Request{Owner: "bench", Pool: busy90Pool, Slot: d.slot, Rule: gateway.FirstFree}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				bk, err := d.store.Allocate(ctx, req)
				if err != nil {
					b.Fatal(err)
				}
				if bk.GatewayID != d.firstFree {
					b.Fatalf("gateway %d, want %d", bk.GatewayID, d.firstFree)
				}
				if _, err := d.store.Release(ctx, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(d.seed.Seconds(), "seed-s")
			b.ReportMetric(float64(d.index.Microseconds())/1000, "first-ms")
			b.ReportMetric(d.storeBytes, "B/booking")
			b.ReportMetric(d.indexBytes, "index-B/booking")
			b.ReportMetric(float64(d.bookings), "bookings")
		})
	}
}

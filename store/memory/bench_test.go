package memory_test

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/store/storetest"
)

// The benchmarks' data: one pool of 1,000 gateways, each with 100
// bookings of 1 to 3 hours spread over a year (one in each 87.6-hour
// stretch, starting on a quarter hour), so 100,000 bookings in all; a
// gateway is busy about 2.3 % of the time, and a random 2-hour slot finds
// a given gateway busy about 4.6 % of the time.
//
// At 16 "hot" 2-hour slots the first 900 gateways all hold a booking
// overlapping the slot: the worst realistic case for FirstFree, which
// checks the busy gateways one by one before the first free one. The
// random slots of the realistic case keep 6 hours away from them.
const (
	benchGateways   = 1000
	benchPerGateway = 100
	benchBookings   = benchGateways * benchPerGateway
	benchHotBusy    = 900
	benchHotSlots   = 16
	benchSlots      = 4096 // random 2-hour slots the realistic benchmark cycles through
	benchPool       = "campus"
	podLookBack     = 5 * time.Hour // Esup-Pod looks back 5 hours for overlapping webinars
)

var (
	benchStart   = time.Date(2031, time.January, 1, 0, 0, 0, 0, time.UTC)
	benchStretch = 365 * 24 * time.Hour / benchPerGateway
)

// benchData is the data, the store holding it and the Pod-like baseline.
type benchData struct {
	store           *memory.Store
	pod             *podIndex
	bytesPerBooking float64
	indexPerBooking float64 // what the pool's index adds
	realistic       slotSet
	hot             slotSet
}

// slotSet is a set of slots to allocate and what the data says of them.
type slotSet struct {
	slots      []gateway.Slot
	firstFree  []int64 // the gateway FirstFree must choose
	busyBefore float64 // mean number of busy gateways before the first free one
	firstBusy  float64 // fraction of the slots where gateway 1 is busy
	poolBusy   float64 // mean fraction of the pool busy during the slot
}

var (
	benchOnce sync.Once
	bench     *benchData
)

// quarter rounds d down to a quarter hour.
func quarter(d time.Duration) time.Duration { return d.Truncate(15 * time.Minute) }

func hotSlot(j int) gateway.Slot {
	stretch := j*(benchPerGateway/benchHotSlots) + 3
	start := benchStart.Add(time.Duration(stretch)*benchStretch + quarter(benchStretch/2))
	return gateway.Slot{Start: start, End: start.Add(2 * time.Hour)}
}

// generate makes every gateway's bookings, sorted by start.
func generate(rng *rand.Rand) [][]gateway.Slot {
	hotStretch := map[int]int{} // stretch → hot slot
	for j := range benchHotSlots {
		hotStretch[j*(benchPerGateway/benchHotSlots)+3] = j
	}
	out := make([][]gateway.Slot, benchGateways)
	for g := range out {
		for k := range benchPerGateway {
			from := benchStart.Add(time.Duration(k) * benchStretch)
			d := time.Hour + time.Duration(rng.Intn(9))*15*time.Minute // 1 to 3 hours
			start := from.Add(quarter(time.Duration(rng.Int63n(int64(benchStretch - d)))))
			if j, ok := hotStretch[k]; ok && g < benchHotBusy {
				// Overlap the hot slot: start from 45 minutes before it
				// to 15 minutes before its end.
				start = hotSlot(j).Start.Add(time.Duration(rng.Intn(8)-3) * 15 * time.Minute)
			}
			out[g] = append(out[g], gateway.Slot{Start: start, End: start.Add(d)})
		}
	}
	return out
}

func loadBench(b *testing.B) *benchData {
	b.Helper()
	benchOnce.Do(func() {
		var err error
		bench, err = buildBench()
		if err != nil {
			panic(err)
		}
	})
	return bench
}

func buildBench() (*benchData, error) {
	ctx := context.Background()
	rng := rand.New(rand.NewSource(2031))
	data := generate(rng)
	st := memory.New()
	gws := make([]gateway.Gateway, benchGateways)
	for i := range gws {
		// Each gateway starts in a pool of its own, so that its bookings
		// land on it; all join the pool afterwards.
		g, err := st.CreateGateway(ctx, gateway.Gateway{
			Name: fmt.Sprint("gateway ", i+1), Pool: "setup-" + strconv.Itoa(i),
			RTMPURL: gateway.NewSecret(fmt.Sprintf("rtmps://live.example.org/live/key-%d", i+1)),
			HLSURL:  fmt.Sprintf("https://live.example.org/hls/%d.m3u8", i+1),
			Server: gateway.Server{URL: fmt.Sprintf("https://sip%d.example.org", i+1), Token: gateway.NewSecret("a-long-random-token"),
				Protocol: sipmediagw.V18},
			Enabled: true,
		})
		if err != nil {
			return nil, err
		}
		gws[i] = g
	}

	// What 100,000 bookings cost: the heap before and after storing them,
	// owners' names included (the store keeps them).
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	for i, slots := range data {
		for _, s := range slots {
			n++
			owner := "webinar-" + strconv.Itoa(100000+n)
			if _, err := st.Allocate(ctx, gateway.Request{Owner: owner, Pool: gws[i].Pool, Slot: s}); err != nil {
				return nil, fmt.Errorf("booking %d on gateway %d %s: %w", n, gws[i].ID, s, err)
			}
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(st)

	for i := range gws {
		gws[i].Pool = benchPool
		if err := st.UpdateGateway(ctx, gws[i]); err != nil {
			return nil, err
		}
	}
	d := &benchData{
		store:           st,
		pod:             newPodIndex(data, gws),
		bytesPerBooking: float64(after.HeapAlloc-before.HeapAlloc) / benchBookings,
	}

	// The first allocation by rule in the pool builds its index.
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := st.Allocate(ctx, gateway.Request{Owner: "index", Pool: benchPool, Slot: hotSlot(0)}); err != nil {
		return nil, err
	}
	if _, err := st.Release(ctx, "index"); err != nil {
		return nil, err
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	d.indexPerBooking = (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / benchBookings

	// The slots, and what brute force says of them.
	var realistic, hot []gateway.Slot
	for j := range benchHotSlots {
		hot = append(hot, hotSlot(j))
	}
	for len(realistic) < benchSlots {
		start := benchStart.Add(quarter(time.Duration(rng.Int63n(int64(365*24*time.Hour - 2*time.Hour)))))
		s := gateway.Slot{Start: start, End: start.Add(2 * time.Hour)}
		// Away from the hot slots, which have their own benchmark.
		near := gateway.Slot{Start: start.Add(-6 * time.Hour), End: s.End.Add(6 * time.Hour)}
		if !slices.ContainsFunc(hot, near.Overlaps) {
			realistic = append(realistic, s)
		}
	}
	d.realistic = describe(realistic, data, gws)
	d.hot = describe(hot, data, gws)

	// The store and the baseline agree with brute force on every slot.
	for _, set := range []slotSet{d.realistic, d.hot} {
		for i, s := range set.slots {
			b, err := st.Allocate(ctx, gateway.Request{Owner: "check", Pool: benchPool, Slot: s})
			if err != nil {
				return nil, err
			}
			if _, err := st.Release(ctx, "check"); err != nil {
				return nil, err
			}
			full := set.firstFree[i]
			if i < 256 {
				full = d.pod.chooseFullScan(s)
			}
			if b.GatewayID != set.firstFree[i] || d.pod.choose(s) != set.firstFree[i] || full != set.firstFree[i] {
				return nil, fmt.Errorf("slot %s: brute force says gateway %d, the store %d, the baseline %d and %d",
					s, set.firstFree[i], b.GatewayID, d.pod.choose(s), full)
			}
		}
	}
	return d, nil
}

// busy reports whether any of booked, sorted and not overlapping, overlaps s.
func busy(booked []gateway.Slot, s gateway.Slot) bool {
	i := sort.Search(len(booked), func(i int) bool { return booked[i].End.After(s.Start) })
	return i < len(booked) && booked[i].Start.Before(s.End)
}

func describe(slots []gateway.Slot, data [][]gateway.Slot, gws []gateway.Gateway) slotSet {
	set := slotSet{slots: slots}
	for _, s := range slots {
		first, busyCount := int64(0), 0
		for i, booked := range data {
			if busy(booked, s) {
				busyCount++
				continue
			}
			if first == 0 {
				first = gws[i].ID
				set.busyBefore += float64(i)
				if i > 0 {
					set.firstBusy++
				}
			}
		}
		set.firstFree = append(set.firstFree, first)
		set.poolBusy += float64(busyCount) / benchGateways
	}
	n := float64(len(slots))
	set.busyBefore /= n
	set.firstBusy /= n
	set.poolBusy /= n
	return set
}

// podIndex is what Esup-Pod does, at its best: every booking in one list
// sorted by start (a database index on the start), and for each
// allocation a scan of the bookings starting from 5 hours before the
// slot to its end, marking the gateways of those that overlap, then the
// lowest gateway ID not marked. It only decides: recording the booking
// is not counted, which favours it.
type podIndex struct {
	byStart []podBooking
	ids     []int64 // gateway IDs, ascending
	used    []bool  // by gateway index, scratch
	marked  []int32 // the indexes set in used, scratch
}

type podBooking struct {
	start, end int64 // Unix nanoseconds
	gateway    int32 // index into ids
}

func newPodIndex(data [][]gateway.Slot, gws []gateway.Gateway) *podIndex {
	p := &podIndex{used: make([]bool, len(gws))}
	for i, g := range gws {
		p.ids = append(p.ids, g.ID)
		for _, s := range data[i] {
			p.byStart = append(p.byStart, podBooking{start: s.Start.UnixNano(), end: s.End.UnixNano(), gateway: int32(i)})
		}
	}
	slices.SortFunc(p.byStart, func(a, b podBooking) int { return int(a.start - b.start) })
	return p
}

func (p *podIndex) choose(s gateway.Slot) int64 {
	start, end := s.Start.UnixNano(), s.End.UnixNano()
	from := start - int64(podLookBack)
	i, _ := slices.BinarySearchFunc(p.byStart, from, func(b podBooking, t int64) int { return int(b.start - t) })
	for ; i < len(p.byStart) && p.byStart[i].start < end; i++ {
		if b := p.byStart[i]; b.end > start {
			p.mark(b.gateway)
		}
	}
	return p.firstUnused()
}

// chooseFullScan is the same without an index: every booking is read.
func (p *podIndex) chooseFullScan(s gateway.Slot) int64 {
	start, end := s.Start.UnixNano(), s.End.UnixNano()
	for _, b := range p.byStart {
		if b.start < end && b.end > start {
			p.mark(b.gateway)
		}
	}
	return p.firstUnused()
}

func (p *podIndex) mark(g int32) {
	if !p.used[g] {
		p.used[g] = true
		p.marked = append(p.marked, g)
	}
}

// firstUnused is the lowest ID not marked; it clears the marks.
func (p *podIndex) firstUnused() int64 {
	chosen := int64(0)
	for i, u := range p.used {
		if !u {
			chosen = p.ids[i]
			break
		}
	}
	for _, g := range p.marked {
		p.used[g] = false
	}
	p.marked = p.marked[:0]
	return chosen
}

func (set slotSet) report(b *testing.B) {
	b.ReportMetric(set.busyBefore, "busy-before")
	b.ReportMetric(set.firstBusy, "first-busy-frac")
	b.ReportMetric(set.poolBusy, "pool-busy-frac")
}

// BenchmarkAllocate books then releases a gateway for a 2-hour slot in a
// pool of 1,000 gateways holding 100,000 bookings: each iteration leaves
// the store as it found it.
func BenchmarkAllocate(b *testing.B) {
	d := loadBench(b)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		set  slotSet
		rule gateway.Rule
	}{
		{"realistic", d.realistic, gateway.FirstFree},
		{"worst900", d.hot, gateway.FirstFree},
		{"realistic-LeastRecentlyUsed", d.realistic, gateway.LeastRecentlyUsed},
		{"realistic-SpreadLoad", d.realistic, gateway.SpreadLoad},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := gateway.Request{Owner: "bench", Pool: benchPool, Rule: tc.rule}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req.Slot = tc.set.slots[i%len(tc.set.slots)]
				if _, err := d.store.Allocate(ctx, req); err != nil {
					b.Fatal(err)
				}
				if _, err := d.store.Release(ctx, "bench"); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			b.ReportMetric(d.bytesPerBooking, "B/booking")
			b.ReportMetric(d.indexPerBooking, "index-B/booking")
			tc.set.report(b)
		})
	}
}

// BenchmarkPod is the baseline: Esup-Pod's choice over the same data and
// slots, scanning the bookings of the window (indexed by start) or every
// booking (no index).
func BenchmarkPod(b *testing.B) {
	d := loadBench(b)
	for _, tc := range []struct {
		name   string
		set    slotSet
		choose func(gateway.Slot) int64
	}{
		{"realistic", d.realistic, d.pod.choose},
		{"worst900", d.hot, d.pod.choose},
		{"realistic-fullscan", d.realistic, d.pod.chooseFullScan},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.ResetTimer()
			var sink int64
			for i := 0; i < b.N; i++ {
				sink += tc.choose(tc.set.slots[i%len(tc.set.slots)])
			}
			b.StopTimer()
			if sink == 0 {
				b.Fatal("no gateway chosen")
			}
			tc.set.report(b)
		})
	}
}

// BenchmarkContention runs the storetest contention scenarios (issue 15):
// go test -run='^$' -bench=Contention -benchtime=20x ./store/memory/
func BenchmarkContention(b *testing.B) {
	for _, c := range []storetest.Contention{storetest.RushOneSlot, storetest.RushOverlapping, storetest.NearlyFull, storetest.Busy90} {
		b.Run(c.Name, func(b *testing.B) {
			storetest.BenchContention(b, memory.New(), c, nil)
		})
	}
}

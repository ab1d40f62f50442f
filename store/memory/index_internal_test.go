package memory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/storekit"
	"github.com/bbbcast/bbbcast/store/storetest"
)

// TestIndexMatchesLinearScan runs the same random operations against a
// store that allocates with its pools' indexes and one that checks every
// gateway, and wants the same answer to each: the same gateway chosen by
// every rule, the same errors with the same conflicts. Between them it
// checks the indexes against the bookings, slot by slot.
func TestIndexMatchesLinearScan(t *testing.T) {
	t.Parallel()
	const seeds, steps = 12, 2500
	var (
		mu     sync.Mutex
		totals = map[string]int{}
	)
	t.Cleanup(func() { // after the runs
		t.Logf("outcomes %v", totals)
		for _, kind := range []string{"booked", "refused", "booked past 64 busy", "dense covers", "dense heads", "dense tails"} {
			if totals[kind] < seeds*steps/100 {
				t.Errorf("only %d %s in %d steps: the runs test too little", totals[kind], kind, seeds*steps)
			}
		}
	})
	for seed := range seeds {
		t.Run(fmt.Sprint("seed-", seed), func(t *testing.T) {
			t.Parallel()
			r := newDiffRun(t, uint64(seed))
			r.run(steps)
			mu.Lock()
			defer mu.Unlock()
			for k, n := range r.outcomes {
				totals[k] += n
			}
		})
	}
}

// diffRun is one random run against two stores.
type diffRun struct {
	t        *testing.T
	rng      *rand.Rand
	indexed  *Store
	linear   *Store
	ids      []int64 // gateways created, deleted ones included
	servers  int
	owners   []string
	pools    []string
	base     time.Time
	ops      map[string]int // operations run, by kind
	outcomes map[string]int // results, by kind
}

func newDiffRun(t *testing.T, seed uint64) *diffRun {
	r := &diffRun{
		t:        t,
		rng:      rand.New(rand.NewPCG(seed, 15)),
		indexed:  New(),
		linear:   New(),
		pools:    []string{"a", "b", "c"},
		base:     time.Date(2031, 3, 3, 0, 0, 0, 0, time.UTC),
		ops:      map[string]int{},
		outcomes: map[string]int{},
	}
	r.linear.noIndex = true
	r.indexed.indexMin = 1 // index the small pools too
	for i := range 1000 {
		r.owners = append(r.owners, fmt.Sprint("owner-", i))
	}
	return r
}

func (r *diffRun) run(steps int) {
	// Enough gateways in pool a for several words of bits.
	for range 70 + r.rng.IntN(90) {
		r.createGateway("a")
	}
	for range 20 {
		r.createGateway(r.pools[1+r.rng.IntN(2)])
	}
	for step := range steps {
		switch n := r.rng.IntN(100); {
		case n < 3:
			r.createGateway(r.pools[r.rng.IntN(len(r.pools))])
		case n < 7:
			r.updateGateway()
		case n < 8:
			r.deleteGateway()
		case n < 55:
			r.allocate(false)
		case n < 65:
			r.allocate(true)
		case n < 78:
			r.extend()
		default:
			r.release()
		}
		if step%40 == 0 {
			r.checkIndexes()
		}
		if r.t.Failed() {
			r.t.Fatalf("step %d", step)
		}
	}
	r.checkIndexes()
	r.compareListings()
	r.t.Logf("operations %v, outcomes %v", r.ops, r.outcomes)
}

// same runs op on both stores and wants the same result.
func same[T any](r *diffRun, what string, op func(s *Store) (T, error)) (T, error) {
	r.t.Helper()
	r.ops[what]++
	got, gotErr := op(r.indexed)
	want, wantErr := op(r.linear)
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(gotErr, wantErr) {
		r.t.Errorf("%s: indexed store gives %+v, %v; linear scan %+v, %v", what, got, gotErr, want, wantErr)
	}
	switch {
	case gotErr == nil:
		r.outcomes["ok"]++
	case errorsAsNoGatewayFree(gotErr):
		r.outcomes["refused"]++
	default:
		r.outcomes["error"]++
	}
	return got, gotErr
}

func errorsAsNoGatewayFree(err error) bool {
	_, ok := err.(*gateway.NoGatewayFreeError)
	return ok
}

func (r *diffRun) createGateway(pool string) {
	r.servers++
	g := gateway.Gateway{
		Name:    fmt.Sprint("gw ", r.servers),
		Pool:    pool,
		Order:   r.rng.IntN(4),
		RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/key"),
		HLSURL:  "https://live.example.org/hls/index.m3u8",
		Server:  gateway.Server{URL: fmt.Sprintf("https://gw%d.example.org", r.servers), Token: gateway.NewSecret("a-long-random-token")},
		Enabled: r.rng.IntN(8) != 0,
	}
	got, err := same(r, "create", func(s *Store) (gateway.Gateway, error) { return s.CreateGateway(context.Background(), g) })
	if err != nil {
		r.t.Fatal(err)
	}
	r.ids = append(r.ids, got.ID)
}

func (r *diffRun) anyID() int64 {
	if r.rng.IntN(50) == 0 {
		return 1 << 40 // unknown
	}
	return r.ids[r.rng.IntN(len(r.ids))]
}

func (r *diffRun) updateGateway() {
	id := r.anyID()
	g, err := r.linear.Gateway(context.Background(), id)
	if err != nil {
		return
	}
	switch r.rng.IntN(4) {
	case 0:
		g.Pool = r.pools[r.rng.IntN(len(r.pools))]
	case 1:
		g.Order = r.rng.IntN(4)
	default:
		g.Enabled = !g.Enabled
	}
	same(r, "update", func(s *Store) (struct{}, error) {
		return struct{}{}, s.UpdateGateway(context.Background(), g)
	})
}

func (r *diffRun) deleteGateway() {
	id := r.anyID()
	now := r.base.Add(time.Duration(r.rng.IntN(24*8)) * time.Hour)
	same(r, "delete", func(s *Store) (struct{}, error) {
		return struct{}{}, s.DeleteGateway(context.Background(), id, now)
	})
}

// instant is a time of the test's week or so, often on or next to an hour.
func (r *diffRun) instant() time.Time {
	t := r.base.Add(time.Duration(r.rng.IntN(24*3)) * time.Hour)
	if r.rng.IntN(3) == 0 { // a rush on a few hours: nodes grow dense
		t = r.base.Add(time.Duration(30+r.rng.IntN(3)) * time.Hour)
	}
	switch r.rng.IntN(6) {
	case 0: // on the hour: a leaf boundary
	case 1:
		t = t.Add(time.Duration(r.rng.IntN(4)) * 15 * time.Minute)
	case 2:
		t = t.Add(time.Duration(r.rng.Int64N(int64(time.Hour))))
	case 3:
		t = t.Add(-time.Nanosecond)
	case 4:
		t = t.Add(time.Nanosecond)
	default:
		t = t.Add(time.Duration(r.rng.IntN(60)) * time.Minute)
	}
	return t
}

// length is a booking's length: from a nanosecond to weeks, often a
// leaf's length or next to it.
func (r *diffRun) length() time.Duration {
	switch r.rng.IntN(12) {
	case 0:
		return time.Duration(1 + r.rng.IntN(3))
	case 1:
		return time.Hour
	case 2:
		return time.Hour - time.Nanosecond
	case 3:
		return time.Hour + time.Nanosecond
	case 4:
		return time.Duration(1+r.rng.IntN(4)) * 24 * time.Hour // days
	case 5:
		return time.Duration(r.rng.Int64N(int64(60 * 24 * time.Hour))) // up to two months
	case 6:
		return time.Duration(1+r.rng.Int64N(int64(5*time.Hour))) + time.Nanosecond
	default:
		return time.Duration(1+r.rng.IntN(12)) * 15 * time.Minute
	}
}

func (r *diffRun) slot() gateway.Slot {
	switch r.rng.IntN(20) {
	case 0: // empty: refused alike
		t := r.instant()
		return gateway.Slot{Start: t, End: t}
	case 1, 2, 3: // next to a booking, before or after it
		if b, ok := r.someBooking(); ok {
			if r.rng.IntN(2) == 0 {
				return gateway.Slot{Start: b.Slot.End, End: b.Slot.End.Add(r.length())}
			}
			return gateway.Slot{Start: b.Slot.Start.Add(-r.length()), End: b.Slot.Start}
		}
	}
	start := r.instant()
	return gateway.Slot{Start: start, End: start.Add(r.length())}
}

func (r *diffRun) someBooking() (gateway.Booking, bool) {
	b, err := r.linear.Booking(context.Background(), r.owners[r.rng.IntN(len(r.owners))])
	return b, err == nil
}

func (r *diffRun) rule() gateway.Rule {
	return []gateway.Rule{nil, gateway.FirstFree, gateway.LeastRecentlyUsed, gateway.SpreadLoad}[r.rng.IntN(4)]
}

func (r *diffRun) allocate(pinned bool) {
	req := gateway.Request{
		Owner: r.owners[r.rng.IntN(len(r.owners))],
		Pool:  r.pools[r.rng.IntN(len(r.pools))],
		Slot:  r.slot(),
		Rule:  r.rule(),
	}
	if r.rng.IntN(3) > 0 {
		req.Pool = "a"
	}
	what := "allocate"
	if pinned {
		req.GatewayID = r.anyID()
		what = "allocate pinned"
	}
	r.book(what, req)
}

// extend moves an owner's booking: longer, shorter or elsewhere in time,
// pinned to its gateway or not.
func (r *diffRun) extend() {
	b, ok := r.someBooking()
	if !ok {
		return
	}
	req := gateway.Request{Owner: b.Owner, Pool: b.Pool, Slot: b.Slot, Rule: r.rule()}
	switch r.rng.IntN(4) {
	case 0:
		req.Slot.End = req.Slot.End.Add(r.length())
	case 1:
		req.Slot.Start = req.Slot.Start.Add(-r.length())
	case 2:
		req.Slot.End = req.Slot.Start.Add(time.Duration(1 + r.rng.Int64N(int64(req.Slot.Duration()))))
	default:
		req.Slot = r.slot()
	}
	if r.rng.IntN(2) == 0 {
		req.GatewayID = b.GatewayID
	}
	r.book("extend", req)
}

func (r *diffRun) book(what string, req gateway.Request) {
	b, err := same(r, what, func(s *Store) (gateway.Booking, error) { return s.Allocate(context.Background(), req) })
	if err == nil {
		r.outcomes["booked"]++
		if r.indexed.gateways[b.GatewayID].pos >= 64 {
			r.outcomes["booked past 64 busy"]++
		}
	}
}

func (r *diffRun) release() {
	owner := r.owners[r.rng.IntN(len(r.owners))]
	same(r, "release", func(s *Store) (gateway.Booking, error) { return s.Release(context.Background(), owner) })
}

// checkIndexes checks the indexed store's pools: positions, and each
// index against the bookings for random slots (every gateway, not only
// the first free) and against an index built afresh.
func (r *diffRun) checkIndexes() {
	r.t.Helper()
	s := r.indexed
	for pool, list := range s.pools {
		for i, g := range list {
			if g.pos != i || g.g.Pool != pool || (i > 0 && storekit.CompareGateways(&list[i-1].g, &g.g) >= 0) {
				r.t.Fatalf("pool %s: gateway %d at %d has pos %d, pool %q", pool, g.g.ID, i, g.pos, g.g.Pool)
			}
		}
		ix := s.indexes[pool]
		if ix == nil {
			continue
		}
		fresh := newPoolIndex(list)
		if ix.n != fresh.n || !slices.Equal(ix.enabled, fresh.enabled) {
			r.t.Fatalf("pool %s: %d gateways, enabled %b; afresh %d, %b", pool, ix.n, ix.enabled, fresh.n, fresh.enabled)
		}
		for _, lv := range ix.levels {
			for _, nd := range lv {
				for kind, name := range []string{"covers", "heads", "tails"} {
					if nd.dense.has(uint64(kind)) {
						r.outcomes["dense "+name]++
					}
				}
			}
		}
		if a, b := ix.dump(), fresh.dump(); !reflect.DeepEqual(a, b) {
			for k := range a {
				if a[k] != b[k] {
					r.t.Errorf("pool %s, node %s: kept up to date %s, built afresh %s", pool, k, a[k], b[k])
				}
			}
			for k := range b {
				if _, ok := a[k]; !ok {
					r.t.Errorf("pool %s, node %s: kept up to date none, built afresh %s", pool, k, b[k])
				}
			}
			r.t.FailNow()
		}
		for range 20 {
			slot := r.slot()
			if !slot.Start.Before(slot.End) {
				continue
			}
			start, end := slot.Start.UnixNano(), slot.End.UnixNano()
			busy := ix.busyDuring(start, end)
			for i, g := range list {
				got := busy[i>>6]&(1<<(i&63)) != 0
				if want := !g.free(start, end, ""); got != want {
					r.t.Fatalf("pool %s, slot %s: gateway %d (position %d) busy %v, its bookings say %v: %v",
						pool, slot, g.g.ID, i, got, want, g.bookings)
				}
			}
			for i := len(list); i < len(busy)*64; i++ {
				if busy[i>>6]&(1<<(i&63)) != 0 {
					r.t.Fatalf("pool %s, slot %s: bit %d set past the %d gateways", pool, slot, i, len(list))
				}
			}
		}
	}
	for pool := range s.indexes {
		if len(s.pools[pool]) == 0 {
			r.t.Fatalf("index of the empty pool %q kept", pool)
		}
	}
}

// dump lists an index's nodes, comparably whether sparse or dense:
// level/block → "[covers] [heads] [tails] [inner pieces]", each sorted,
// positions and offsets. A dense node whose bitsets or counts disagree
// with its items shows "inconsistent".
func (ix *poolIndex) dump() map[string]string {
	out := map[string]string{}
	for l, lv := range ix.levels {
		for k, nd := range lv {
			var covers []uint64
			var heads, tails, inners [][2]uint64
			bad := false
			add := func(items []uint64) {
				for j := 0; j < len(items); j++ {
					x := items[j]
					switch x >> kindShift {
					case kindCover:
						covers = append(covers, itemPos(x))
					case kindHead:
						heads = append(heads, [2]uint64{itemPos(x), x & offsetMask})
					case kindTail:
						tails = append(tails, [2]uint64{itemPos(x), x & offsetMask})
					case kindInner:
						j++
						if j == len(items) || items[j]>>kindShift != kindInnerEnd || itemPos(items[j]) != itemPos(x) {
							bad = true
							continue
						}
						inners = append(inners, [2]uint64{x & (1<<kindShift - 1), items[j] & offsetMask})
					default:
						bad = true
					}
				}
			}
			add(nd.items)
			var counts [kindTail + 1]uint16
			for _, x := range nd.items {
				if k := x >> kindShift; k <= kindTail {
					counts[k]++
				}
			}
			bad = bad || counts != nd.counts
			for j := 1; j < len(nd.items); j++ { // by kind, inner pieces last
				bad = bad || nd.items[j]>>kindShift < nd.items[j-1]>>kindShift && nd.items[j]>>kindShift != kindInner
			}
			if d := nd.dense; d != nil {
				for _, x := range nd.items {
					bad = bad || d.has(x>>kindShift)
				}
				set := func(bs []uint64) []uint64 {
					var pos []uint64
					for i := range len(bs) * 64 {
						if bs[i>>6]&(1<<(i&63)) != 0 {
							pos = append(pos, uint64(i))
						}
					}
					return pos
				}
				dc := set(d.covers)
				covers = append(covers, dc...)
				bad = bad || len(dc) != d.nCovers
				for _, list := range []struct{ items, bits []uint64 }{{d.heads, d.headBits}, {d.tails, d.tailBits}} {
					var pos []uint64
					for _, x := range list.items {
						pos = append(pos, itemPos(x))
					}
					slices.Sort(pos)
					bad = bad || !slices.Equal(pos, set(list.bits))
				}
				add(d.heads)
				add(d.tails)
			}
			slices.Sort(covers)
			for _, list := range [][][2]uint64{heads, tails, inners} {
				slices.SortFunc(list, func(a, b [2]uint64) int {
					if c := cmpUint(a[0], b[0]); c != 0 {
						return c
					}
					return cmpUint(a[1], b[1])
				})
			}
			v := fmt.Sprint(covers, heads, tails, inners)
			if bad {
				v += " inconsistent"
			}
			out[fmt.Sprint(l, "/", k)] = v
		}
	}
	return out
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// compareListings wants the same gateways and bookings in both stores.
func (r *diffRun) compareListings() {
	ctx := context.Background()
	same(r, "gateways", func(s *Store) ([]gateway.Gateway, error) { return s.Gateways(ctx) })
	window := gateway.Slot{Start: r.base.AddDate(0, -3, 0), End: r.base.AddDate(0, 4, 0)}
	for _, pool := range r.pools {
		same(r, "bookings", func(s *Store) ([]gateway.Booking, error) {
			return s.Bookings(ctx, gateway.BookingQuery{Pool: pool, Window: window})
		})
	}
}

// TestIndexLeaves checks the leaves and blocks a booking lands in.
func TestIndexLeaves(t *testing.T) {
	t.Parallel()
	h := leafWidth
	base := int64(1000) * h // leaf 1000, aligned on 8 leaves
	for _, tc := range []struct {
		name       string
		start, end int64
		want       map[string]string
	}{
		// node: "[covers] [heads] [tails] [inner pieces]"
		{"one leaf exactly", base, base + h, map[string]string{"0/1000": "[0] [] [] []"}},
		{"inside a leaf", base + 1, base + h - 1, map[string]string{"0/1000": "[] [] [] [[1 3599999999999]]"}},
		{"a nanosecond", base + h - 1, base + h, map[string]string{"0/1000": "[] [[0 3599999999999]] [] []"}},
		{"over a boundary", base + h/2, base + 3*h/2, map[string]string{
			"0/1000": "[] [[0 1800000000000]] [] []", "0/1001": "[] [] [[0 1800000000000]] []"}},
		{"eight leaves aligned", base, base + 8*h, map[string]string{"3/125": "[0] [] [] []"}},
		{"ten leaves and a bit", base - 1, base + 10*h + 1, map[string]string{
			"0/999": "[] [[0 3599999999999]] [] []", "3/125": "[0] [] [] []", "1/504": "[0] [] [] []",
			"0/1010": "[] [] [[0 1]] []"}},
	} {
		ix := &poolIndex{}
		ix.appendGateway(&gw{g: gateway.Gateway{Enabled: true}, bookings: []entry{{start: tc.start, end: tc.end}}})
		if got := ix.dump(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		ix.update(0, tc.start, tc.end, false)
		if got := ix.dump(); len(got) != 0 {
			t.Errorf("%s: removed, leaves %v", tc.name, got)
		}
	}
}

// TestConformanceIndexed runs the conformance suite with every pool
// indexed, however small (the suite's pools are below minIndexed).
func TestConformanceIndexed(t *testing.T) {
	storetest.RunGateway(t, func(*testing.T) gateway.Store {
		s := New()
		s.indexMin = 1
		return s
	})
}

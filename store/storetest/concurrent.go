package storetest

import (
	"fmt"
	"math/rand"
	"sync"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
)

// Sizes of the concurrency test.
const (
	concurrentWorkers     = 32
	concurrentAllocations = 1000 // in all
	concurrentOwners      = 8    // per worker
	concurrentGateways    = 8
)

// concurrentResult is what one worker saw.
type concurrentResult struct {
	last                             map[string]*gateway.Booking // owner → last success, nil once released
	booked, moved, refused, released int
}

// testConcurrent: 32 goroutines make 1,000 allocations in all, at random
// slots over four days and by every rule, each for owners of its own (so
// that an owner's last success is known) and often for an owner that
// already holds a booking, a quarter of those pinned to its gateway as a
// running stream's extension does; some owners release theirs. Afterwards no two bookings of any
// gateway overlap, every owner holds exactly its last success, and the
// disabled gateway and the other pool's were never chosen.
func testConcurrent(x *harness) {
	pool := x.gws("c", concurrentGateways)
	off := x.setEnabled(x.gw("c", -1), false)
	elsewhere := x.gw("d", -1)
	inPool := map[int64]bool{}
	for _, g := range pool {
		inPool[g.ID] = true
	}
	rules := []gateway.Rule{nil, gateway.FirstFree, gateway.LeastRecentlyUsed, gateway.SpreadLoad}

	results := make([]concurrentResult, concurrentWorkers)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for w := range results {
		n := concurrentAllocations / concurrentWorkers
		if w < concurrentAllocations%concurrentWorkers {
			n++
		}
		wg.Add(1)
		go func(w, n int) {
			defer wg.Done()
			t := x.t
			rng := rand.New(rand.NewSource(int64(w) + 1))
			res := &results[w]
			res.last = map[string]*gateway.Booking{}
			<-start
			for range n {
				owner := fmt.Sprintf("w%02d-o%d", w, rng.Intn(concurrentOwners))
				prev := res.last[owner]
				if prev != nil && rng.Intn(8) == 0 {
					got, err := x.store.Release(x.ctx, owner)
					if assert.NoError(t, err, "release %s", owner) {
						assert.Equal(t, norm(*prev), norm(got), "release returns the booking")
					}
					res.last[owner], prev = nil, nil
					res.released++
				}
				from := time.Duration(rng.Intn(4*24*4))*15*time.Minute + time.Duration(rng.Intn(3600))*time.Second
				s := slot(from, from+time.Hour+time.Duration(rng.Intn(9))*15*time.Minute)
				req := gateway.Request{Owner: owner, Pool: "c", Slot: s, Rule: rules[rng.Intn(len(rules))]}
				if prev != nil && rng.Intn(4) == 0 {
					// A stream extending its booking: pinned.
					req.GatewayID = prev.GatewayID
				}
				b, err := x.store.Allocate(x.ctx, req)
				if err == nil {
					assert.True(t, inPool[b.GatewayID], "gateway %d is not an enabled gateway of the pool", b.GatewayID)
					if req.GatewayID != 0 {
						assert.Equal(t, req.GatewayID, b.GatewayID, "a pinned request books its gateway")
					}
					assert.Equal(t, norm(gateway.Booking{Owner: owner, GatewayID: b.GatewayID, Pool: "c", Slot: s}), norm(b))
					if prev != nil && prev.GatewayID != b.GatewayID {
						res.moved++
					}
					res.last[owner] = &b
					res.booked++
					continue
				}
				var full *gateway.NoGatewayFreeError
				if !assert.ErrorAs(t, err, &full, "allocate %s %s", owner, s) {
					continue
				}
				res.refused++
				if req.GatewayID != 0 {
					assert.Equal(t, req.GatewayID, full.GatewayID)
					assert.Equal(t, 1, full.Gateways)
				} else {
					assert.Equal(t, concurrentGateways, full.Gateways)
				}
				assert.NotEmpty(t, full.Conflicts)
				for _, c := range full.Conflicts {
					assert.True(t, c.Slot.Overlaps(s), "conflict %s does not overlap %s", c.Slot, s)
					assert.NotEqual(t, owner, c.Owner, "its own booking is no conflict")
					assert.True(t, inPool[c.GatewayID], "conflict on gateway %d", c.GatewayID)
				}
			}
		}(w, n)
	}
	close(start)
	wg.Wait()

	// No overlap on any gateway; nothing on the disabled or other gateways.
	stored := map[string]gateway.Booking{}
	for _, g := range append(pool, off, elsewhere) {
		list := x.bookingsOf(g.ID, everything)
		if !inPool[g.ID] {
			assert.Empty(x.t, list, "gateway %d was never allocatable", g.ID)
		}
		assert.True(x.t, sortedByStart(list), "gateway %d's bookings by start", g.ID)
		for i := 1; i < len(list); i++ {
			assert.False(x.t, list[i-1].Slot.Overlaps(list[i].Slot), "gateway %d double-booked: %s %s and %s %s",
				g.ID, list[i-1].Owner, list[i-1].Slot, list[i].Owner, list[i].Slot)
		}
		for _, b := range list {
			_, dup := stored[b.Owner]
			assert.False(x.t, dup, "%s holds two bookings", b.Owner)
			stored[b.Owner] = norm(b)
		}
	}
	// Every owner holds exactly its last success.
	var sum concurrentResult
	want := map[string]gateway.Booking{}
	for _, r := range results {
		sum.booked += r.booked
		sum.moved += r.moved
		sum.refused += r.refused
		sum.released += r.released
		for owner, b := range r.last {
			if b != nil {
				want[owner] = norm(*b)
				requireBooking(x.t, *b, x.booking(owner))
			} else {
				_, err := x.store.Booking(x.ctx, owner)
				assert.ErrorIs(x.t, err, gateway.ErrNotFound, "%s released", owner)
			}
		}
	}
	assert.Equal(x.t, want, stored)
	require.Equal(x.t, concurrentAllocations, sum.booked+sum.refused)
	x.t.Logf("%d allocations by %d goroutines: %d booked (%d moved to another gateway), %d refused; %d releases; %d bookings stored",
		concurrentAllocations, concurrentWorkers, sum.booked, sum.moved, sum.refused, sum.released, len(stored))
}

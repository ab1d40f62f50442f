package storetest

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
)

// ---- Release ----

var releaseTests = []gatewayTest{
	{"UnknownOwner", func(x *harness) {
		x.gws("p", 1)
		_, err := x.store.Release(x.ctx, "nobody")
		assert.ErrorIs(x.t, err, gateway.ErrNotFound)
		_, err = x.store.Booking(x.ctx, "nobody")
		assert.ErrorIs(x.t, err, gateway.ErrNotFound)
	}},
	{"FreesTheSlot", func(x *harness) {
		g := x.gws("p", 2)
		a := x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		x.book("b", "p", slot(9*h, 10*h), g[1].ID)
		_ = x.refused("c", "p", slot(9*h, 10*h))
		got, err := x.store.Release(x.ctx, "a")
		require.NoError(x.t, err)
		requireBooking(x.t, a, got)
		_, err = x.store.Booking(x.ctx, "a")
		assert.ErrorIs(x.t, err, gateway.ErrNotFound)
		_, err = x.store.Release(x.ctx, "a")
		assert.ErrorIs(x.t, err, gateway.ErrNotFound, "released twice")
		x.book("c", "p", slot(9*h, 10*h), g[0].ID)
		// A released owner allocates like a new one.
		x.book("a", "p", slot(10*h, 11*h), g[0].ID)
	}},
	{"ReturnsTheCurrentPool", func(x *harness) {
		g := x.gw("p", 0)
		x.book("a", "p", slot(9*h, 10*h), g.ID)
		g.Pool = "q"
		x.update(g)
		got, err := x.store.Release(x.ctx, "a")
		require.NoError(x.t, err)
		requireBooking(x.t, gateway.Booking{Owner: "a", GatewayID: g.ID, Pool: "q", Slot: slot(9*h, 10*h)}, got)
	}},
}

// ---- Booking and Bookings ----

var bookingsTests = []gatewayTest{
	{"HalfOpenWindows", func(x *harness) {
		g := x.gw("p", 0)
		a := x.book("a", "p", slot(9*h, 10*h), g.ID)
		b := x.book("b", "p", slot(10*h, 11*h), g.ID)
		c := x.book("c", "p", slot(11*h, 12*h), g.ID)
		for _, tc := range []struct {
			w    gateway.Slot
			want []gateway.Booking
		}{
			{slot(10*h, 11*h), []gateway.Booking{b}},
			{slot(10*h-ns, 11*h), []gateway.Booking{a, b}},
			{slot(10*h, 11*h+ns), []gateway.Booking{b, c}},
			{slot(9*h+30*time.Minute, 9*h+31*time.Minute), []gateway.Booking{a}},
			{slot(12*h, 13*h), nil},
			{slot(8*h, 9*h), nil},
			{slot(8*h, 9*h+ns), []gateway.Booking{a}},
			{slot(11*h+59*time.Minute, 12*h+time.Minute), []gateway.Booking{c}},
			{everything, []gateway.Booking{a, b, c}},
		} {
			assertBookings(x.t, tc.want, x.bookingsOf(g.ID, tc.w), "window %s", tc.w)
		}
		requireBooking(x.t, b, x.booking("b"))
	}},
	{"ByPool", func(x *harness) {
		g1 := x.gw("p", 1)
		q := x.gw("q", 0)
		g2 := x.gw("p", 0)
		off := x.gw("p", 2)
		x.book("q1", "q", slot(9*h, 10*h), q.ID)
		a := x.book("a", "p", slot(10*h, 11*h), g2.ID)
		b := x.book("b", "p", slot(9*h, 10*h), g2.ID)
		c := x.book("c", "p", slot(9*h, 12*h), g1.ID)
		d := x.bookOn("d", "p", slot(9*h, 12*h), off.ID)
		x.setEnabled(off, false)
		list := x.bookingsIn("p", slot(9*h, 12*h))
		assertBookings(x.t, []gateway.Booking{b, a, c, d}, list, "by gateway in allocation order, then start; disabled gateways included")
		assertBookings(x.t, []gateway.Booking{b, c, d}, x.bookingsIn("p", slot(8*h, 10*h)))
		assert.Empty(x.t, x.bookingsIn("p", slot(12*h, 13*h)))
		assert.Empty(x.t, x.bookingsIn("nowhere", everything), "an unknown pool has no bookings")
		assert.NotNil(x.t, x.bookingsIn("nowhere", everything), "an empty list, not nil")
		// Bookings follow their gateway to another pool.
		g1.Pool = "q"
		x.update(g1)
		c.Pool = "q"
		assertBookings(x.t, []gateway.Booking{b, a, d}, x.bookingsIn("p", everything))
		q1 := x.booking("q1")
		assertBookings(x.t, []gateway.Booking{q1, c}, x.bookingsIn("q", everything))
		requireBooking(x.t, c, x.booking("c"))
	}},
	{"UnknownGateway", func(x *harness) {
		g := x.gw("p", 0)
		_, err := x.store.Bookings(x.ctx, gateway.BookingQuery{GatewayID: g.ID + 1000, Window: everything})
		assert.ErrorIs(x.t, err, gateway.ErrNotFound)
	}},
	{"InvalidWindow", func(x *harness) {
		g := x.gw("p", 0)
		for _, w := range []gateway.Slot{{}, slot(9*h, 9*h), slot(10*h, 9*h)} {
			_, err := x.store.Bookings(x.ctx, gateway.BookingQuery{GatewayID: g.ID, Window: w})
			assert.ErrorIs(x.t, err, gateway.ErrInvalidSlot, "%s", w)
			_, err = x.store.Bookings(x.ctx, gateway.BookingQuery{Pool: "p", Window: w})
			assert.ErrorIs(x.t, err, gateway.ErrInvalidSlot, "%s", w)
		}
	}},
	{"InstantsComeBackEqual", func(x *harness) {
		g := x.gws("p", 1)[0]
		paris := time.FixedZone("CET", 3600)
		start := time.Now().Add(400 * 24 * time.Hour) // with a monotonic reading
		s := gateway.Slot{Start: start, End: start.Add(90*time.Minute + 7*ns).In(paris)}
		b, err := x.alloc("a", "p", s, nil)
		require.NoError(x.t, err)
		assertSlot(x.t, s, b.Slot)
		assertSlot(x.t, s, x.booking("a").Slot)
		list := x.bookingsOf(g.ID, s)
		require.Len(x.t, list, 1)
		assertSlot(x.t, s, list[0].Slot)
		// Nanoseconds matter: the slot's last nanosecond overlaps.
		full := x.refused("b", "p", gateway.Slot{Start: s.End.Add(-ns), End: s.End.Add(h)})
		require.Len(x.t, full.Conflicts, 1)
		assertSlot(x.t, s, full.Conflicts[0].Slot)
		x.book("c", "p", gateway.Slot{Start: s.End, End: s.End.Add(h)}, g.ID)
		got, err := x.store.Release(x.ctx, "a")
		require.NoError(x.t, err)
		assertSlot(x.t, s, got.Slot)
	}},
	{"FarDates", func(x *harness) {
		// A store either keeps a slot exactly or refuses it with
		// ErrInvalidSlot; it never stores an altered slot.
		g := x.gws("p", 1)[0]
		for i, s := range []gateway.Slot{
			{Start: time.Date(1600, 1, 1, 9, 0, 0, 0, time.UTC), End: time.Date(1600, 1, 1, 10, 0, 0, 0, time.UTC)},
			{Start: time.Date(2300, 1, 1, 9, 0, 0, 0, time.UTC), End: time.Date(2300, 1, 1, 10, 0, 0, 0, time.UTC)},
			{Start: time.Date(2262, 4, 11, 23, 0, 0, 0, time.UTC), End: time.Date(2262, 4, 12, 1, 0, 0, 0, time.UTC)},
			{Start: time.Date(1677, 9, 21, 0, 0, 0, 0, time.UTC), End: time.Date(1677, 9, 21, 1, 0, 0, 0, time.UTC)},
		} {
			owner := string(rune('a' + i))
			b, err := x.alloc(owner, "p", s, nil)
			if err != nil {
				assert.ErrorIs(x.t, err, gateway.ErrInvalidSlot, "slot %s", s)
				continue
			}
			assertSlot(x.t, s, b.Slot)
			stored, err := x.store.Booking(x.ctx, owner)
			require.NoError(x.t, err)
			assertSlot(x.t, s, stored.Slot)
			list, err := x.store.Bookings(x.ctx, gateway.BookingQuery{GatewayID: g.ID, Window: s})
			require.NoError(x.t, err)
			assert.Equal(x.t, []string{owner}, owners(list), "slot %s", s)
		}
	}},
}

// ---- Rules ----

// recorder is a Rule that records what it is given and picks with pick.
type recorder struct {
	pick  func([]gateway.Candidate) int
	mu    sync.Mutex
	slots []gateway.Slot
	calls [][]gateway.Candidate
}

func (r *recorder) Pick(s gateway.Slot, free []gateway.Candidate) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.slots = append(r.slots, s)
	r.calls = append(r.calls, append([]gateway.Candidate(nil), free...))
	return r.pick(free)
}

var ruleTests = []gatewayTest{
	{"LeastRecentlyUsed", func(x *harness) {
		g := x.gws("p", 4)
		s := slot(48*h, 50*h)
		x.bookOn("a0", "p", slot(40*h, 46*h), g[0].ID) // rested 2 h
		x.bookOn("a1", "p", slot(10*h, 12*h), g[1].ID) // rested 36 h
		x.bookOn("b1", "p", slot(60*h, 61*h), g[1].ID) // after the slot: no matter
		x.bookOn("a2", "p", slot(47*h, 48*h), g[2].ID) // back to back: rested 0
		x.bookOn("a3", "p", slot(49*h, 51*h), g[3].ID) // busy
		x.bookRule("w", "p", s, gateway.LeastRecentlyUsed, g[1].ID)
		_, err := x.store.Release(x.ctx, "w")
		require.NoError(x.t, err)
		// Never used before the slot comes first, even if used after.
		fresh := x.gw("p", 0)
		x.bookOn("later", "p", slot(70*h, 71*h), fresh.ID)
		x.bookRule("w", "p", s, gateway.LeastRecentlyUsed, fresh.ID)
		// Ties go to the first in allocation order.
		x.setEnabled(fresh, false)
		_, err = x.store.Release(x.ctx, "a1")
		require.NoError(x.t, err)
		early := x.gw("p", -1)
		x.bookRule("v", "p", s, gateway.LeastRecentlyUsed, early.ID) // early and g1 never used: early first
		x.bookRule("u", "p", s, gateway.LeastRecentlyUsed, g[1].ID)
	}},
	{"SpreadLoad", func(x *harness) {
		g := x.gws("p", 4)
		s := slot(48*h, 50*h) // load window [24h, 74h)
		for i, b := range []struct {
			gw       int
			from, to time.Duration
		}{
			{0, 30 * h, 31 * h}, {0, 52 * h, 53 * h}, {0, 70 * h, 71 * h}, // 3
			{1, 25 * h, 26 * h}, {1, 10 * h, 24 * h}, {1, 74 * h, 75 * h}, // 1: the others touch the window's edges
			{2, 40 * h, 41 * h}, {2, 60 * h, 61 * h}, // 2
			{3, 23 * h, 24*h + ns}, // 1, by a nanosecond
		} {
			x.bookOn(fmt.Sprint("x", i), "p", slot(b.from, b.to), g[b.gw].ID)
		}
		x.bookRule("w", "p", s, gateway.SpreadLoad, g[1].ID)
	}},
	{"CustomRuleSeesTheCandidates", func(x *harness) {
		a := x.gw("p", 2)
		b := x.gw("p", 1)
		off := x.gw("p", 1)
		d := x.gw("p", 5)
		other := x.gw("q", 0)
		busy := x.gw("p", 0)
		s := slot(48*h, 50*h)
		x.bookOn("busy", "p", slot(49*h, 49*h+ns), busy.ID)
		x.bookOn("a-old", "p", slot(20*h, 25*h), a.ID)     // load 1, last end 25h
		x.bookOn("a-new", "p", slot(73*h, 80*h), a.ID)     // load 2
		x.bookOn("b-edge", "p", slot(46*h, 48*h), b.ID)    // load 1, last end 48h
		x.bookOn("d-far", "p", slot(1*h, 2*h), d.ID)       // load 0, last end 2h
		x.bookOn("d-out", "p", slot(74*h, 75*h), d.ID)     // outside the load window
		x.bookOn("off-old", "p", slot(47*h, 48*h), off.ID) // disabled below
		x.setEnabled(off, false)
		x.bookOn("q", "q", s, other.ID)

		r := &recorder{pick: func([]gateway.Candidate) int { return 2 }}
		x.bookRule("w", "p", s, r, d.ID)
		require.Len(x.t, r.calls, 1)
		assertSlot(x.t, s, r.slots[0])
		got := r.calls[0]
		gotIDs := make([]int64, len(got))
		for i, c := range got {
			gotIDs[i] = c.Gateway.ID
		}
		require.Equal(x.t, []int64{b.ID, a.ID, d.ID}, gotIDs, "the free, enabled gateways of the pool in allocation order")
		assert.Equal(x.t, b, got[0].Gateway, "the candidate carries the stored gateway")
		for i, want := range []struct {
			lastEnd time.Time
			load    int
		}{
			{base.Add(48 * h), 1},
			{base.Add(25 * h), 2},
			{base.Add(2 * h), 0},
		} {
			assert.True(x.t, want.lastEnd.Equal(got[i].LastEnd), "candidate %d LastEnd: want %s, got %s", i, want.lastEnd, got[i].LastEnd)
			assert.Equal(x.t, want.load, got[i].Load, "candidate %d Load", i)
		}
		// A gateway with no booking before the slot has a zero LastEnd.
		fresh := x.gw("p", 9)
		r2 := &recorder{pick: func(free []gateway.Candidate) int { return len(free) - 1 }}
		x.bookRule("v", "p", slot(0, h), r2, fresh.ID)
		require.Len(x.t, r2.calls, 1)
		last := r2.calls[0][len(r2.calls[0])-1]
		assert.True(x.t, last.LastEnd.IsZero(), "LastEnd %s", last.LastEnd)
		assert.Equal(x.t, 0, last.Load)
	}},
	{"RuleNotCalledWhenNoneFree", func(x *harness) {
		g := x.gws("p", 2)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		x.book("b", "p", slot(9*h, 10*h), g[1].ID)
		r := &recorder{pick: func([]gateway.Candidate) int { return 0 }}
		_, err := x.alloc("c", "p", slot(9*h, 10*h), r)
		assert.ErrorIs(x.t, err, gateway.ErrNoGatewayFree)
		assert.Empty(x.t, r.calls)
	}},
}

// ---- Cancelled contexts ----

var contextTests = []gatewayTest{
	{"CancelledChangesNothing", func(x *harness) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		refusedContext(x, ctx, context.Canceled)
	}},
	{"NilChangesNothing", func(x *harness) {
		var none context.Context
		refusedContext(x, none, gateway.ErrNilContext)
	}},
}

// refusedContext requires every method given ctx to fail with want and
// change nothing.
func refusedContext(x *harness, ctx context.Context, want error) {
	g := x.gws("p", 2)
	x.book("a", "p", slot(9*h, 10*h), g[0].ID)
	before := x.state()
	check := func(what string, err error) {
		x.t.Helper()
		assert.ErrorIs(x.t, err, want, what)
	}
	_, err := x.store.CreateGateway(ctx, x.newGateway("p", 0))
	check("CreateGateway", err)
	off := g[0]
	off.Enabled = false
	check("UpdateGateway", x.store.UpdateGateway(ctx, off))
	check("DeleteGateway", x.store.DeleteGateway(ctx, g[1].ID, base.AddDate(10, 0, 0)))
	_, err = x.store.Allocate(ctx, gateway.Request{Owner: "b", Pool: "p", Slot: slot(9*h, 10*h)})
	check("Allocate", err)
	_, err = x.store.Allocate(ctx, gateway.Request{Owner: "a", Pool: "p", Slot: slot(20*h, 21*h)})
	check("Allocate (reallocation)", err)
	_, err = x.store.Release(ctx, "a")
	check("Release", err)
	_, err = x.store.Booking(ctx, "a")
	check("Booking", err)
	_, err = x.store.Bookings(ctx, gateway.BookingQuery{GatewayID: g[0].ID, Window: everything})
	check("Bookings", err)
	_, err = x.store.Gateway(ctx, g[0].ID)
	check("Gateway", err)
	_, err = x.store.Gateways(ctx)
	check("Gateways", err)
	assert.Equal(x.t, before, x.state())
	requireBooking(x.t, gateway.Booking{Owner: "a", GatewayID: g[0].ID, Pool: "p", Slot: slot(9*h, 10*h)}, x.booking("a"))
}

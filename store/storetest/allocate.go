package storetest

import (
	"fmt"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
)

// ---- Allocate with FirstFree: the overlap edge cases ----

var overlapTests = []gatewayTest{
	{"BackToBackShareAGateway", func(x *harness) {
		g := x.gws("p", 2)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		x.book("b", "p", slot(10*h, 11*h), g[0].ID) // starts when a ends
		x.book("c", "p", slot(8*h, 9*h), g[0].ID)   // ends when a starts
		x.book("d", "p", slot(11*h, 11*h+ns), g[0].ID)
		assertBookings(x.t, nil, x.bookingsOf(g[1].ID, everything), "the second gateway was never needed")
	}},
	{"OneNanosecondOverlaps", func(x *harness) {
		g := x.gws("p", 2)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		x.book("b", "p", slot(10*h-ns, 11*h), g[1].ID) // overlaps a's last nanosecond
		x.book("c", "p", slot(8*h, 9*h+ns), g[1].ID)   // overlaps a's first nanosecond
		full := x.refused("d", "p", slot(9*h, 9*h+ns))
		assert.Equal(x.t, 2, full.Gateways)
		assert.Equal(x.t, []string{"a", "c"}, owners(full.Conflicts))
		full = x.refused("e", "p", slot(10*h-ns, 10*h))
		assert.Equal(x.t, []string{"a", "b"}, owners(full.Conflicts))
		x.book("f", "p", slot(10*h, 10*h+ns), g[0].ID)
	}},
	{"Containment", func(x *harness) {
		g := x.gws("p", 3)
		x.book("outer", "p", slot(9*h, 12*h), g[0].ID)
		x.book("inner", "p", slot(10*h, 11*h), g[1].ID)
		x.book("around", "p", slot(8*h, 13*h), g[2].ID)
		full := x.refused("x", "p", slot(10*h+30*time.Minute, 10*h+31*time.Minute))
		assert.Equal(x.t, []string{"outer", "inner", "around"}, owners(full.Conflicts))
	}},
	{"IdenticalSlots", func(x *harness) {
		g := x.gws("p", 3)
		s := slot(9*h, 10*h)
		var booked []gateway.Booking
		for i, gw := range g {
			booked = append(booked, x.book(fmt.Sprint("w", i), "p", s, gw.ID))
		}
		full := x.refused("late", "p", s)
		assert.Equal(x.t, 3, full.Gateways)
		assertBookings(x.t, booked, full.Conflicts, "exactly the conflicting bookings, by gateway")
		_, err := x.store.Booking(x.ctx, "late")
		assert.ErrorIs(x.t, err, gateway.ErrNotFound, "a refusal books nothing")
	}},
	{"ManyGateways", func(x *harness) {
		const n = 40
		g := x.gws("p", n)
		// A staircase: gateway i busy from i h to i+2 h.
		var stairs []gateway.Booking
		for i := range g {
			stairs = append(stairs, x.bookOn(fmt.Sprint("s", i), "p", slot(time.Duration(i)*h, time.Duration(i+2)*h), g[i].ID))
		}
		// At [10h, 11h) gateways 9 and 10 are busy: the first free is 0.
		x.book("q0", "p", slot(10*h, 11*h), g[0].ID)
		// Every slot [k h, k h + 1 h) now finds 0 .. k busy up to the
		// staircase, and the first gateway past the busy ones.
		x.book("q1", "p", slot(0, 30*time.Minute), g[1].ID)   // 0 busy by s0
		x.book("q2", "p", slot(1*h, 90*time.Minute), g[2].ID) // 0 by s0, 1 by s1
		// Fill every gateway at one instant; the last is refused with
		// every conflict, in allocation order.
		s := slot(100*h, 101*h)
		var booked []gateway.Booking
		for i := range g {
			booked = append(booked, x.book(fmt.Sprint("f", i), "p", s, g[i].ID))
		}
		full := x.refused("late", "p", slot(100*h+30*time.Minute, 102*h))
		assert.Equal(x.t, n, full.Gateways)
		assertBookings(x.t, booked, full.Conflicts)
		// Nested slots take a prefix of the gateways; the next finds the
		// first 30 busy.
		for i := range 30 {
			d := time.Duration(i) * time.Minute
			x.book(fmt.Sprint("n", i), "p", slot(200*h+d, 210*h-d), g[i].ID)
		}
		x.book("after30", "p", slot(205*h, 206*h), g[30].ID)
		assert.Equal(x.t, []string{"s0", "q1", "s1", "q2"}, owners(x.bookingsIn("p", slot(0, 2*h))), "by gateway, then start")
		assertBookings(x.t, stairs[39:], x.bookingsOf(g[39].ID, slot(0, 99*h)))
	}},
	{"DisabledAndOtherPoolsNeverChosen", func(x *harness) {
		off := x.gw("p", 0)
		other := x.gw("q", 0)
		on := x.gw("p", 1)
		x.book("held", "p", slot(9*h, 10*h), off.ID)
		off = x.setEnabled(off, false)
		s := slot(8*h, 11*h)
		x.book("a", "p", s, on.ID)
		full := x.refused("b", "p", s)
		assert.Equal(x.t, 1, full.Gateways, "only enabled gateways count")
		assert.Equal(x.t, []string{"a"}, owners(full.Conflicts), "a disabled gateway's bookings are not conflicts")
		x.book("c", "q", s, other.ID)
		_ = x.refused("d", "q", s)
		// Enabled again, it is first in order again.
		x.setEnabled(off, true)
		x.book("e", "p", slot(10*h, 11*h), off.ID)
	}},
	{"EmptyPool", func(x *harness) {
		x.gw("p", 0)
		off := x.gw("q", 0)
		x.setEnabled(off, false)
		for _, pool := range []string{"q", "nowhere", ""} {
			full := x.refused("a", pool, slot(9*h, 10*h))
			assert.Equal(x.t, 0, full.Gateways, pool)
			assert.Empty(x.t, full.Conflicts, pool)
		}
	}},
	{"OrderRespected", func(x *harness) {
		a := x.gw("p", 2)
		b := x.gw("p", 1)
		c := x.gw("p", 1)
		d := x.gw("p", -5)
		s := slot(9*h, 10*h)
		x.book("1", "p", s, d.ID)
		x.book("2", "p", s, b.ID)
		x.book("3", "p", s, c.ID)
		x.book("4", "p", s, a.ID)
		full := x.refused("5", "p", s)
		assert.Equal(x.t, []string{"1", "2", "3", "4"}, owners(full.Conflicts), "conflicts in allocation order")
		// Reorder: a first.
		a.Order = -10
		x.update(a)
		x.book("6", "p", slot(10*h, 11*h), a.ID)
	}},
	{"ConflictsBounded", func(x *harness) {
		// A pool-wide refusal lists the first MaxConflicts conflicts in
		// the pool's order and says there were more; a pinned one lists
		// all of its gateway's.
		s := slot(9*h, 10*h)
		var gws []gateway.Gateway
		for i := 0; i <= gateway.MaxConflicts; i++ {
			gws = append(gws, x.gw("p", i))
		}
		for i, g := range gws[:gateway.MaxConflicts] {
			x.book(fmt.Sprint("b", i), "p", s, g.ID)
		}
		last := gws[gateway.MaxConflicts]
		x.book("quarter1", "p", slot(9*h, 9*h+15*time.Minute), last.ID)
		x.book("quarter2", "p", slot(9*h+30*time.Minute, 9*h+45*time.Minute), last.ID)
		full := x.refused("late", "p", s)
		assert.Len(x.t, full.Conflicts, gateway.MaxConflicts)
		assert.True(x.t, full.Truncated, "52 conflicts, 50 listed")
		assert.Equal(x.t, "b0", full.Conflicts[0].Owner)
		assert.Equal(x.t, fmt.Sprint("b", gateway.MaxConflicts-1), full.Conflicts[gateway.MaxConflicts-1].Owner)
		_, err := x.store.Release(x.ctx, "quarter2")
		require.NoError(x.t, err)
		full = x.refused("late", "p", s)
		assert.Len(x.t, full.Conflicts, gateway.MaxConflicts)
		assert.True(x.t, full.Truncated, "51 conflicts, 50 listed")
		x.setEnabled(last, false)
		full = x.refused("late", "p", s)
		assert.Len(x.t, full.Conflicts, gateway.MaxConflicts)
		assert.False(x.t, full.Truncated, "exactly 50 conflicts on the enabled gateways")
		full = x.pinnedRefused("late", "p", s, gws[1].ID)
		assert.Equal(x.t, []string{"b1"}, owners(full.Conflicts))
		assert.False(x.t, full.Truncated)
	}},
	{"InvalidSlot", func(x *harness) {
		x.gws("p", 2)
		before := x.state()
		for _, s := range []gateway.Slot{
			{},
			{Start: base},
			{End: base},
			slot(10*h, 10*h),
			slot(10*h, 9*h),
			slot(10*h, 10*h-ns),
		} {
			_, err := x.alloc("a", "p", s, nil)
			assert.ErrorIs(x.t, err, gateway.ErrInvalidSlot, "%s", s)
		}
		assert.Equal(x.t, before, x.state())
	}},
}

// ---- Reallocation: the same owner, a new slot ----

var reallocateTests = []gatewayTest{
	{"KeepsItsGatewayWhenFree", func(x *harness) {
		g := x.gws("p", 2)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		x.book("b", "p", slot(11*h, 12*h), g[0].ID)
		// Overlapping its own old slot is no conflict.
		x.book("a", "p", slot(9*h+30*time.Minute, 11*h), g[0].ID)
		x.book("a", "p", slot(8*h, 11*h), g[0].ID)
		assertBookings(x.t, []gateway.Booking{
			{Owner: "a", GatewayID: g[0].ID, Pool: "p", Slot: slot(8*h, 11*h)},
			{Owner: "b", GatewayID: g[0].ID, Pool: "p", Slot: slot(11*h, 12*h)},
		}, x.bookingsOf(g[0].ID, everything), "one booking per owner: the old slot is gone")
		// Kept even when a rule would prefer another gateway.
		x.bookRule("a", "p", slot(7*h, 8*h), gateway.LeastRecentlyUsed, g[0].ID)
		x.bookRule("a", "p", slot(7*h, 8*h), gateway.SpreadLoad, g[0].ID)
		x.bookRule("a", "p", slot(7*h, 8*h), pickID(g[1].ID), g[0].ID)
	}},
	{"KeepsItsGatewayWhenAnEarlierOneIsFree", func(x *harness) {
		g := x.gws("p", 2)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		x.book("b", "p", slot(9*h, 10*h), g[1].ID)
		_, err := x.store.Release(x.ctx, "a")
		require.NoError(x.t, err)
		x.book("b", "p", slot(15*h, 16*h), g[1].ID)
	}},
	{"MovesWhenBusy", func(x *harness) {
		g := x.gws("p", 3)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		x.book("x", "p", slot(11*h, 12*h), g[0].ID)
		x.book("y", "p", slot(11*h, 12*h), g[1].ID)
		x.book("a", "p", slot(11*h+30*time.Minute, 13*h), g[2].ID)
		assert.Equal(x.t, []string{"x"}, owners(x.bookingsOf(g[0].ID, everything)), "the old booking is gone")
		requireBooking(x.t, gateway.Booking{Owner: "a", GatewayID: g[2].ID, Pool: "p", Slot: slot(11*h+30*time.Minute, 13*h)}, x.booking("a"))
		// The old slot is free again.
		x.book("z", "p", slot(9*h, 10*h), g[0].ID)
	}},
	{"MovesToTheFirstFree", func(x *harness) {
		g := x.gws("p", 4)
		x.bookOn("a", "p", slot(9*h, 10*h), g[2].ID)
		// Own booking on g2 overlaps the new slot, but x holds g2 then.
		x.bookOn("x", "p", slot(10*h, 11*h), g[2].ID)
		x.bookOn("y", "p", slot(10*h, 11*h), g[0].ID)
		x.book("a", "p", slot(9*h, 11*h), g[1].ID)
	}},
	{"RefusedChangesNothing", func(x *harness) {
		g := x.gws("p", 2)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		bx := x.book("x", "p", slot(10*h, 11*h), g[0].ID)
		by := x.book("y", "p", slot(9*h, 11*h), g[1].ID)
		before := x.state()
		full := x.refused("a", "p", slot(9*h+30*time.Minute, 10*h+30*time.Minute))
		assert.Equal(x.t, 2, full.Gateways)
		assertBookings(x.t, []gateway.Booking{bx, by}, full.Conflicts, "the others' bookings; its own is no conflict")
		assert.Equal(x.t, before, x.state())
		requireBooking(x.t, gateway.Booking{Owner: "a", GatewayID: g[0].ID, Pool: "p", Slot: slot(9*h, 10*h)}, x.booking("a"))
	}},
	{"CurrentGatewayDisabled", func(x *harness) {
		g := x.gws("p", 2)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		x.setEnabled(g[0], false)
		// The same slot again: a disabled gateway is not kept.
		x.book("a", "p", slot(9*h, 10*h), g[1].ID)
		assert.Empty(x.t, x.bookingsOf(g[0].ID, everything))
		// Disabled with nowhere to go: refused, left where it is.
		x.setEnabled(g[0], true)
		x.book("b", "p", slot(13*h, 14*h), g[0].ID)
		x.setEnabled(g[0], false)
		x.book("c", "p", slot(13*h, 14*h), g[1].ID)
		full := x.refused("b", "p", slot(13*h, 14*h))
		assert.Equal(x.t, 1, full.Gateways)
		assert.Equal(x.t, []string{"c"}, owners(full.Conflicts))
		requireBooking(x.t, gateway.Booking{Owner: "b", GatewayID: g[0].ID, Pool: "p", Slot: slot(13*h, 14*h)}, x.booking("b"))
	}},
	{"CurrentGatewayChangedPool", func(x *harness) {
		g := x.gws("p", 2)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		g[0].Pool = "q"
		x.update(g[0])
		// The booking follows its gateway into q.
		requireBooking(x.t, gateway.Booking{Owner: "a", GatewayID: g[0].ID, Pool: "q", Slot: slot(9*h, 10*h)}, x.booking("a"))
		// Asked in p, it moves to p's free gateway.
		x.book("a", "p", slot(9*h, 10*h), g[1].ID)
		// Asked in q, it moves back.
		x.book("a", "q", slot(9*h, 10*h), g[0].ID)
	}},
	{"OtherPoolRequested", func(x *harness) {
		p, q := x.gw("p", 0), x.gw("q", 0)
		x.book("a", "p", slot(9*h, 10*h), p.ID)
		x.book("a", "q", slot(9*h, 10*h), q.ID)
		assert.Empty(x.t, x.bookingsIn("p", everything))
		full := x.refused("b", "q", slot(9*h, 10*h))
		assert.Equal(x.t, []string{"a"}, owners(full.Conflicts), "p's free gateway is not in q")
		x.book("b", "p", slot(9*h, 10*h), p.ID)
	}},
}

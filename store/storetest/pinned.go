package storetest

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
)

// ---- Allocate pinned to one gateway (Request.GatewayID) ----

// pinned allocates on gateway id only.
func (x *harness) pinned(owner, pool string, s gateway.Slot, id int64) (gateway.Booking, error) {
	return x.store.Allocate(x.ctx, gateway.Request{Owner: owner, Pool: pool, Slot: s, GatewayID: id})
}

// pinnedRefused requires a pinned allocation to be refused with a
// *gateway.NoGatewayFreeError naming the gateway.
func (x *harness) pinnedRefused(owner, pool string, s gateway.Slot, id int64) *gateway.NoGatewayFreeError {
	x.t.Helper()
	b, err := x.pinned(owner, pool, s, id)
	require.Error(x.t, err, "allocate %s on %d %s: got %+v", owner, id, s, b)
	var full *gateway.NoGatewayFreeError
	require.ErrorAs(x.t, err, &full)
	assert.Equal(x.t, id, full.GatewayID)
	assert.Equal(x.t, pool, full.Pool)
	assertSlot(x.t, s, full.Slot)
	return full
}

var pinnedTests = []gatewayTest{
	{"ExtendsOnItsGateway", func(x *harness) {
		g := x.gws("p", 2)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		b, err := x.pinned("a", "p", slot(9*h, 10*h+15*time.Minute), g[0].ID)
		require.NoError(x.t, err)
		requireBooking(x.t, gateway.Booking{Owner: "a", GatewayID: g[0].ID, Pool: "p", Slot: slot(9*h, 10*h+15*time.Minute)}, b)
		requireBooking(x.t, b, x.booking("a"))
	}},
	{"NeverMoves", func(x *harness) {
		g := x.gws("p", 2)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		x.book("b", "p", slot(10*h, 11*h), g[0].ID) // back to back
		full := x.pinnedRefused("a", "p", slot(9*h, 10*h+15*time.Minute), g[0].ID)
		assert.Equal(x.t, 1, full.Gateways)
		assert.Equal(x.t, []string{"b"}, owners(full.Conflicts), "the booking in the way")
		requireBooking(x.t, gateway.Booking{Owner: "a", GatewayID: g[0].ID, Pool: "p", Slot: slot(9*h, 10*h)}, x.booking("a"))
		assert.Empty(x.t, x.bookingsOf(g[1].ID, everything), "the free gateway was not taken")
	}},
	{"MovesToTheGatewayNamed", func(x *harness) {
		g := x.gws("p", 3)
		x.book("a", "p", slot(9*h, 10*h), g[0].ID)
		b, err := x.pinned("a", "p", slot(9*h, 10*h), g[2].ID)
		require.NoError(x.t, err)
		assert.Equal(x.t, g[2].ID, b.GatewayID)
		assert.Empty(x.t, x.bookingsOf(g[0].ID, everything), "the old booking went")
		b, err = x.pinned("new", "p", slot(9*h, 10*h), g[0].ID)
		require.NoError(x.t, err, "a new owner may pin too")
		assert.Equal(x.t, g[0].ID, b.GatewayID)
	}},
	{"DisabledOrOtherPoolRefused", func(x *harness) {
		g := x.gws("p", 1)
		other := x.gw("q", 0)
		full := x.pinnedRefused("a", "p", slot(9*h, 10*h), other.ID)
		assert.Zero(x.t, full.Gateways)
		x.setEnabled(g[0], false)
		full = x.pinnedRefused("a", "p", slot(9*h, 10*h), g[0].ID)
		assert.Zero(x.t, full.Gateways)
		_, err := x.store.Booking(x.ctx, "a")
		assert.ErrorIs(x.t, err, gateway.ErrNotFound, "a refusal books nothing")
	}},
	{"UnknownGateway", func(x *harness) {
		x.gws("p", 1)
		_, err := x.pinned("a", "p", slot(9*h, 10*h), 987654)
		assert.ErrorIs(x.t, err, gateway.ErrNotFound)
	}},
}

package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// base is the instant every slot of the suite is counted from: a Monday
// morning, far enough in the future for any "now" a store might use.
var base = time.Date(2031, time.March, 3, 0, 0, 0, 0, time.UTC)

const (
	h  = time.Hour
	ns = time.Nanosecond
)

// slot is [base+from, base+to).
func slot(from, to time.Duration) gateway.Slot {
	return gateway.Slot{Start: base.Add(from), End: base.Add(to)}
}

// everything is a window holding every booking the suite makes, the far
// dates test aside.
var everything = gateway.Slot{Start: base.AddDate(-5, 0, 0), End: base.AddDate(5, 0, 0)}

// harness is one subtest's store with the helpers the tests share.
type harness struct {
	t     *testing.T
	store gateway.Store
	ctx   context.Context
	made  int // gateways built, for unique names and URLs
}

func newHarness(t *testing.T, newStore func(*testing.T) gateway.Store) *harness {
	t.Helper()
	s := newStore(t)
	require.NotNil(t, s, "the store factory returned nil")
	return &harness{t: t, store: s, ctx: context.Background()}
}

// newGateway builds a valid, enabled gateway of pool, not stored yet.
func (x *harness) newGateway(pool string, order int) gateway.Gateway {
	x.made++
	n := x.made
	return gateway.Gateway{
		Name:    fmt.Sprintf("gateway %d", n),
		Pool:    pool,
		Order:   order,
		RTMPURL: gateway.NewSecret(fmt.Sprintf("rtmps://live.example.org/live/stream-key-%d", n)),
		HLSURL:  fmt.Sprintf("https://live.example.org/hls/%d/index.m3u8", n),
		Server: gateway.Server{
			URL:      fmt.Sprintf("https://sip%d.example.org", n),
			Token:    gateway.NewSecret(fmt.Sprintf("token-%d-0123456789", n)),
			Protocol: sipmediagw.V18,
		},
		Enabled: true,
	}
}

// gw stores a new enabled gateway of pool.
func (x *harness) gw(pool string, order int) gateway.Gateway {
	x.t.Helper()
	g, err := x.store.CreateGateway(x.ctx, x.newGateway(pool, order))
	require.NoError(x.t, err)
	return g
}

// gws stores n enabled gateways of pool, all of order 0: allocation
// order is creation order.
func (x *harness) gws(pool string, n int) []gateway.Gateway {
	x.t.Helper()
	out := make([]gateway.Gateway, n)
	for i := range out {
		out[i] = x.gw(pool, 0)
	}
	return out
}

// update replaces g in the store, requiring success.
func (x *harness) update(g gateway.Gateway) gateway.Gateway {
	x.t.Helper()
	require.NoError(x.t, x.store.UpdateGateway(x.ctx, g))
	return g
}

// setEnabled enables or disables g.
func (x *harness) setEnabled(g gateway.Gateway, on bool) gateway.Gateway {
	x.t.Helper()
	g.Enabled = on
	return x.update(g)
}

func (x *harness) alloc(owner, pool string, s gateway.Slot, rule gateway.Rule) (gateway.Booking, error) {
	return x.store.Allocate(x.ctx, gateway.Request{Owner: owner, Pool: pool, Slot: s, Rule: rule})
}

// book allocates with FirstFree and requires the booking to be on want
// (a gateway ID) for exactly the slot asked.
func (x *harness) book(owner, pool string, s gateway.Slot, want int64) gateway.Booking {
	x.t.Helper()
	return x.bookRule(owner, pool, s, nil, want)
}

func (x *harness) bookRule(owner, pool string, s gateway.Slot, rule gateway.Rule, want int64) gateway.Booking {
	x.t.Helper()
	b, err := x.alloc(owner, pool, s, rule)
	require.NoError(x.t, err, "allocate %s %s", owner, s)
	requireBooking(x.t, gateway.Booking{Owner: owner, GatewayID: want, Pool: pool, Slot: s}, b)
	return b
}

// bookOn books gateway id for owner whatever the rule would choose: its
// rule picks id among the candidates (the gateway must be free).
func (x *harness) bookOn(owner, pool string, s gateway.Slot, id int64) gateway.Booking {
	x.t.Helper()
	return x.bookRule(owner, pool, s, pickID(id), id)
}

// refused allocates and requires a *gateway.NoGatewayFreeError.
func (x *harness) refused(owner, pool string, s gateway.Slot) *gateway.NoGatewayFreeError {
	x.t.Helper()
	b, err := x.alloc(owner, pool, s, nil)
	require.Error(x.t, err, "allocate %s %s: got %+v", owner, s, b)
	require.ErrorIs(x.t, err, gateway.ErrNoGatewayFree)
	var full *gateway.NoGatewayFreeError
	require.ErrorAs(x.t, err, &full)
	assert.Equal(x.t, pool, full.Pool)
	assertSlot(x.t, s, full.Slot)
	return full
}

// booking returns the owner's booking, requiring one.
func (x *harness) booking(owner string) gateway.Booking {
	x.t.Helper()
	b, err := x.store.Booking(x.ctx, owner)
	require.NoError(x.t, err, "booking of %s", owner)
	return b
}

// bookingsOf lists a gateway's bookings overlapping w.
func (x *harness) bookingsOf(id int64, w gateway.Slot) []gateway.Booking {
	x.t.Helper()
	list, err := x.store.Bookings(x.ctx, gateway.BookingQuery{GatewayID: id, Window: w})
	require.NoError(x.t, err)
	return list
}

// bookingsIn lists a pool's bookings overlapping w.
func (x *harness) bookingsIn(pool string, w gateway.Slot) []gateway.Booking {
	x.t.Helper()
	list, err := x.store.Bookings(x.ctx, gateway.BookingQuery{Pool: pool, Window: w})
	require.NoError(x.t, err)
	return list
}

// state is everything observable through the read methods.
type state struct {
	Gateways []gateway.Gateway
	Bookings map[int64][]gateway.Booking // by gateway, normalised
}

func (x *harness) state() state {
	x.t.Helper()
	gws, err := x.store.Gateways(x.ctx)
	require.NoError(x.t, err)
	st := state{Gateways: gws, Bookings: map[int64][]gateway.Booking{}}
	for _, g := range gws {
		st.Bookings[g.ID] = normAll(x.bookingsOf(g.ID, everything))
	}
	return st
}

// pickID is a Rule choosing the candidate with one gateway ID. When that
// gateway is not a candidate it returns -1, an index out of range: the
// caller's check of the booked gateway fails then.
type pickID int64

func (p pickID) Pick(_ gateway.Slot, free []gateway.Candidate) int {
	return slices.IndexFunc(free, func(c gateway.Candidate) bool { return c.Gateway.ID == int64(p) })
}

// norm returns b with its times in UTC and without monotonic readings,
// so that equal instants compare equal with ==.
func norm(b gateway.Booking) gateway.Booking {
	b.Slot = normSlot(b.Slot)
	return b
}

func normSlot(s gateway.Slot) gateway.Slot {
	return gateway.Slot{Start: s.Start.UTC(), End: s.End.UTC()}
}

func normAll(list []gateway.Booking) []gateway.Booking {
	out := make([]gateway.Booking, len(list))
	for i, b := range list {
		out[i] = norm(b)
	}
	return out
}

func requireBooking(t *testing.T, want, got gateway.Booking) {
	t.Helper()
	require.Equal(t, norm(want), norm(got))
}

func assertSlot(t *testing.T, want, got gateway.Slot) {
	t.Helper()
	assert.True(t, want.Start.Equal(got.Start) && want.End.Equal(got.End), "slot: want %s, got %s", want, got)
}

// assertBookings compares lists of bookings in order, instants with
// time.Equal.
func assertBookings(t *testing.T, want, got []gateway.Booking, msgAndArgs ...any) {
	t.Helper()
	assert.Equal(t, normAll(want), normAll(got), msgAndArgs...)
}

// ids lists the gateway IDs of gateways.
func ids(gws []gateway.Gateway) []int64 {
	out := make([]int64, len(gws))
	for i, g := range gws {
		out[i] = g.ID
	}
	return out
}

// owners lists the owners of bookings.
func owners(list []gateway.Booking) []string {
	out := make([]string, len(list))
	for i, b := range list {
		out[i] = b.Owner
	}
	return out
}

// errKind names the sentinel an error matches, for comparisons.
func errKind(err error) string {
	for _, k := range []struct {
		err  error
		name string
	}{
		{gateway.ErrNoGatewayFree, "ErrNoGatewayFree"},
		{gateway.ErrNotFound, "ErrNotFound"},
		{gateway.ErrInUse, "ErrInUse"},
		{gateway.ErrDuplicateServer, "ErrDuplicateServer"},
		{gateway.ErrInvalidSlot, "ErrInvalidSlot"},
		{gateway.ErrInvalidGateway, "ErrInvalidGateway"},
		{context.Canceled, "context.Canceled"},
	} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	if err == nil {
		return "nil"
	}
	return "other: " + err.Error()
}

// sortedByStart reports whether list is sorted by start.
func sortedByStart(list []gateway.Booking) bool {
	return slices.IsSortedFunc(list, func(a, b gateway.Booking) int { return a.Slot.Start.Compare(b.Slot.Start) })
}

package storetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// RunGateway runs the conformance suite of gateway.Store against stores
// made by newStore, which must return a new, empty store on each call;
// every subtest gets its own and runs in parallel with the others.
//
// Beyond the documentation of gateway.Store, the suite requires what a
// host relies on and the documentation leaves open:
//
//   - gateway IDs are positive, increase with each creation and are never
//     reused, even after a deletion; an ID given to CreateGateway is
//     ignored;
//   - Gateway and Gateways return every field as stored, the token and
//     the RTMP URL included;
//   - a booking belongs to the pool its gateway is in now: moving a
//     gateway to another pool moves its bookings' Pool with it, in
//     Booking, Bookings and conflicts alike;
//   - deleting a gateway (only possible once its bookings have ended)
//     deletes those bookings: their owners have none;
//   - the owner's current gateway is kept only when it is enabled and in
//     the requested pool; otherwise the booking moves like a new one;
//   - a NoGatewayFreeError counts the enabled gateways of the pool and
//     lists the bookings of those gateways overlapping the slot, the
//     requesting owner's own aside, by gateway in allocation order, then
//     by start; Bookings lists in that order too;
//   - Candidate.Load counts the bookings overlapping [Start-LoadWindow,
//     End+LoadWindow) (half-open like every slot); ties of
//     LeastRecentlyUsed go to the first candidate in allocation order;
//     a Rule is called only when at least one gateway is free;
//   - instants come back equal (time.Equal) to those given, to the
//     nanosecond, whatever their location; a slot a store cannot
//     represent is refused with gateway.ErrInvalidSlot rather than
//     stored altered;
//   - with a cancelled context every method returns an error matching
//     context.Canceled and changes nothing;
//   - Bookings of an unknown gateway is ErrNotFound; of an unknown pool,
//     an empty list, not nil (a host may encode it as JSON);
//   - times keep their nanoseconds: a PostgreSQL adapter cannot store
//     slots as timestamptz (microseconds) and pass.
func RunGateway(t *testing.T, newStore func(t *testing.T) gateway.Store) {
	t.Helper()
	groups := []struct {
		name  string
		tests []gatewayTest
	}{
		{"Gateways", gatewayCRUDTests},
		{"Overlap", overlapTests},
		{"Reallocate", reallocateTests},
		{"Release", releaseTests},
		{"Bookings", bookingsTests},
		{"Rules", ruleTests},
		{"Context", contextTests},
		{"Pinned", pinnedTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(newHarness(t, newStore))
				})
			}
		})
	}
	t.Run("Concurrent", func(t *testing.T) {
		t.Parallel()
		testConcurrent(newHarness(t, newStore))
	})
	t.Run("Rush", func(t *testing.T) {
		t.Parallel()
		testRush(newHarness(t, newStore))
	})
	t.Run("Model", func(t *testing.T) {
		t.Parallel()
		testModel(t, newStore)
	})
}

type gatewayTest struct {
	name string
	run  func(x *harness)
}

// ---- Gateway CRUD ----

var gatewayCRUDTests = []gatewayTest{
	{"CreateAssignsIncreasingIDs", func(x *harness) {
		var last int64
		for i := range 6 {
			in := x.newGateway("p", 0)
			if i == 3 {
				in.ID = -7 // ignored
			}
			g, err := x.store.CreateGateway(x.ctx, in)
			require.NoError(x.t, err)
			assert.Greater(x.t, g.ID, last, "IDs increase")
			last = g.ID
			in.ID = g.ID
			assert.Equal(x.t, in, g, "CreateGateway returns the gateway with its ID")
		}
	}},
	{"ReadBackEveryField", func(x *harness) {
		in := gateway.Gateway{
			Name: "Amphi Est — gateway", Pool: "site-b", Order: -3,
			RTMPURL: gateway.NewSecret("rtmp://live.example.org:1935/live/SECRET-STREAM-KEY"),
			HLSURL:  "http://live.example.org/hls/est.m3u8?sig=abc",
			Server: gateway.Server{URL: "http://10.0.0.7:8080/sip", Token: gateway.NewSecret("1234"),
				Protocol: sipmediagw.Legacy, Insecure: true},
			Enabled: false,
		}
		g, err := x.store.CreateGateway(x.ctx, in)
		require.NoError(x.t, err)
		in.ID = g.ID
		got, err := x.store.Gateway(x.ctx, g.ID)
		require.NoError(x.t, err)
		assert.Equal(x.t, in, got)
		assert.Equal(x.t, "1234", got.Server.Token.Reveal(), "the token comes back as stored")
		assert.Equal(x.t, in.RTMPURL.Reveal(), got.RTMPURL.Reveal(), "the RTMP URL comes back as stored")
		all, err := x.store.Gateways(x.ctx)
		require.NoError(x.t, err)
		assert.Equal(x.t, []gateway.Gateway{in}, all)

		launcher := x.newGateway("", 0)
		launcher.Server.Protocol, launcher.Server.Token, launcher.Server.LauncherID = sipmediagw.V18Launcher, gateway.Secret{}, "gw0"
		g2, err := x.store.CreateGateway(x.ctx, launcher)
		require.NoError(x.t, err)
		got, err = x.store.Gateway(x.ctx, g2.ID)
		require.NoError(x.t, err)
		launcher.ID = g2.ID
		assert.Equal(x.t, launcher, got)
	}},
	{"NotFound", func(x *harness) {
		g := x.gw("p", 0)
		missing := g.ID + 1000
		_, err := x.store.Gateway(x.ctx, missing)
		assert.ErrorIs(x.t, err, gateway.ErrNotFound, "Gateway")
		u := x.newGateway("p", 0)
		u.ID = missing
		assert.ErrorIs(x.t, x.store.UpdateGateway(x.ctx, u), gateway.ErrNotFound, "UpdateGateway")
		assert.ErrorIs(x.t, x.store.DeleteGateway(x.ctx, missing, base), gateway.ErrNotFound, "DeleteGateway")
		all, err := x.store.Gateways(x.ctx)
		require.NoError(x.t, err)
		assert.Equal(x.t, []gateway.Gateway{g}, all, "nothing created by the failed update")
	}},
	{"DuplicateServerOnCreate", func(x *harness) {
		for _, pair := range [][2]string{
			{"https://gw.example.org", "HTTPS://GW.example.org:443/"},
			{"HTTPS://GW.example.org:443/", "https://gw.example.org"},
			{"https://gw.example.org/sip/", "https://GW.EXAMPLE.ORG/sip"},
			{"http://gw.example.org:80", "http://gw.example.org/"},
		} {
			first := x.newGateway("p", 0)
			first.Server.URL, first.Server.Insecure = pair[0], true
			g, err := x.store.CreateGateway(x.ctx, first)
			require.NoError(x.t, err, pair[0])
			dup := x.newGateway("q", 0)
			dup.Server.URL, dup.Server.Insecure = pair[1], true
			_, err = x.store.CreateGateway(x.ctx, dup)
			assert.ErrorIs(x.t, err, gateway.ErrDuplicateServer, "%s then %s", pair[0], pair[1])
			all, err := x.store.Gateways(x.ctx)
			require.NoError(x.t, err)
			assert.Equal(x.t, []int64{g.ID}, ids(all), "the duplicate %s was not stored", pair[1])
			// Free the URL for the next pair.
			require.NoError(x.t, x.store.DeleteGateway(x.ctx, g.ID, base))
		}
		// Other paths, ports and hosts are other servers.
		for _, u := range []string{"https://gw.example.org", "https://gw.example.org/other", "https://gw.example.org:8443", "https://gw2.example.org"} {
			g := x.newGateway("p", 0)
			g.Server.URL = u
			_, err := x.store.CreateGateway(x.ctx, g)
			assert.NoError(x.t, err, u)
		}
	}},
	{"DuplicateServerOnUpdate", func(x *harness) {
		a, b := x.gw("p", 0), x.gw("p", 0)
		before := b
		b.Server.URL = "HTTPS://" + a.Server.URL[len("https://"):] + ":443/"
		assert.ErrorIs(x.t, x.store.UpdateGateway(x.ctx, b), gateway.ErrDuplicateServer)
		got, err := x.store.Gateway(x.ctx, b.ID)
		require.NoError(x.t, err)
		assert.Equal(x.t, before, got, "a refused update changes nothing")

		// A gateway may take a variant of its own URL.
		own := a
		own.Server.URL = a.Server.URL + "/"
		x.update(own)
		// Once a gateway leaves a URL, another may take it.
		old := a.Server.URL
		a.Server.URL = "https://moved.example.org"
		x.update(a)
		b.Server.URL = old
		x.update(b)
		got, err = x.store.Gateway(x.ctx, b.ID)
		require.NoError(x.t, err)
		assert.Equal(x.t, b, got)
		// And the moved one's new URL is taken.
		c := x.newGateway("p", 0)
		c.Server.URL = "https://MOVED.example.org/"
		_, err = x.store.CreateGateway(x.ctx, c)
		assert.ErrorIs(x.t, err, gateway.ErrDuplicateServer)
	}},
	{"LauncherIDsShareAServer", func(x *harness) {
		launcher := func(id string) gateway.Gateway {
			g := x.newGateway("p", 0)
			g.Server = gateway.Server{URL: "http://gw.example.org:8100", Protocol: sipmediagw.V18Launcher, Insecure: true, LauncherID: id}
			return g
		}
		gw0, err := x.store.CreateGateway(x.ctx, launcher("gw0"))
		require.NoError(x.t, err)
		gw1, err := x.store.CreateGateway(x.ctx, launcher("gw1"))
		require.NoError(x.t, err, "another gw_id of the same launcher is another gateway")
		_, err = x.store.CreateGateway(x.ctx, launcher("gw0"))
		assert.ErrorIs(x.t, err, gateway.ErrDuplicateServer, "the same gw_id twice")
		got, err := x.store.Gateway(x.ctx, gw1.ID)
		require.NoError(x.t, err)
		assert.Equal(x.t, gw1, got, "the launcher ID comes back")
		gw1.Server.LauncherID = "gw0"
		assert.ErrorIs(x.t, x.store.UpdateGateway(x.ctx, gw1), gateway.ErrDuplicateServer, "an update onto another's gw_id")
		gw1.Server.LauncherID = "gw2"
		x.update(gw1)
		got, err = x.store.Gateway(x.ctx, gw1.ID)
		require.NoError(x.t, err)
		assert.Equal(x.t, gw1, got)
		all, err := x.store.Gateways(x.ctx)
		require.NoError(x.t, err)
		assert.Equal(x.t, []int64{gw0.ID, gw1.ID}, ids(all))
	}},
	{"UpdateKeepsBookings", func(x *harness) {
		g1, g2 := x.gw("p", 0), x.gw("p", 1)
		x.book("w1", "p", slot(9*h, 10*h), g1.ID)
		x.book("w2", "p", slot(9*h, 10*h), g2.ID)
		before := x.bookingsOf(g1.ID, everything)
		g1.Name, g1.Server.URL, g1.Server.Token, g1.HLSURL, g1.Order = "renamed", "https://renamed.example.org", gateway.NewSecret("another-long-token"), "https://x.example.org/a.m3u8", 5
		x.update(g1)
		assertBookings(x.t, before, x.bookingsOf(g1.ID, everything))
		assert.Equal(x.t, g1.ID, x.booking("w1").GatewayID)
		got, err := x.store.Gateway(x.ctx, g1.ID)
		require.NoError(x.t, err)
		assert.Equal(x.t, g1, got)
		// The new Order is the allocation order.
		x.book("w3", "p", slot(11*h, 12*h), g2.ID)
	}},
	{"DeleteWhileBooked", func(x *harness) {
		g1, g2 := x.gw("p", 0), x.gw("p", 0)
		x.book("w1", "p", slot(9*h, 10*h), g1.ID)
		x.book("w2", "p", slot(2*h, 3*h), g1.ID)
		for _, now := range []time.Time{base, base.Add(9*h + 30*time.Minute), base.Add(10*h - ns)} {
			assert.ErrorIs(x.t, x.store.DeleteGateway(x.ctx, g1.ID, now), gateway.ErrInUse, "now %s", now)
		}
		_, err := x.store.Gateway(x.ctx, g1.ID)
		require.NoError(x.t, err, "a refused delete keeps the gateway")
		assert.Equal(x.t, g1.ID, x.booking("w1").GatewayID, "and its bookings")
		// Ended at now exactly: allowed.
		require.NoError(x.t, x.store.DeleteGateway(x.ctx, g1.ID, base.Add(10*h)))
		_, err = x.store.Gateway(x.ctx, g1.ID)
		assert.ErrorIs(x.t, err, gateway.ErrNotFound)
		assert.ErrorIs(x.t, x.store.DeleteGateway(x.ctx, g1.ID, base.Add(10*h)), gateway.ErrNotFound, "deleted twice")
		for _, o := range []string{"w1", "w2"} {
			_, err = x.store.Booking(x.ctx, o)
			assert.ErrorIs(x.t, err, gateway.ErrNotFound, "the deleted gateway's bookings are gone")
			_, err = x.store.Release(x.ctx, o)
			assert.ErrorIs(x.t, err, gateway.ErrNotFound)
		}
		_, err = x.store.Bookings(x.ctx, gateway.BookingQuery{GatewayID: g1.ID, Window: everything})
		assert.ErrorIs(x.t, err, gateway.ErrNotFound)
		x.book("w1", "p", slot(9*h, 10*h), g2.ID)
		// A gateway without bookings goes whatever the time.
		g3 := x.gw("p", 0)
		require.NoError(x.t, x.store.DeleteGateway(x.ctx, g3.ID, base))
		// IDs are never reused, and the URL is free again.
		again := x.newGateway("p", 0)
		again.Server.URL = g3.Server.URL
		g4, err := x.store.CreateGateway(x.ctx, again)
		require.NoError(x.t, err)
		assert.Greater(x.t, g4.ID, g3.ID, "IDs are not reused after a deletion")
	}},
	{"AllocationOrder", func(x *harness) {
		a := x.gw("p", 3)
		b := x.gw("q", 1)
		c := x.gw("p", 1)
		d := x.gw("p", 0)
		e := x.gw("q", 3)
		f := x.gw("p", -1)
		all, err := x.store.Gateways(x.ctx)
		require.NoError(x.t, err)
		assert.Equal(x.t, []int64{f.ID, d.ID, b.ID, c.ID, a.ID, e.ID}, ids(all), "by Order, then ID")
		// Changing Order reorders.
		f.Order = 4
		x.update(f)
		all, err = x.store.Gateways(x.ctx)
		require.NoError(x.t, err)
		assert.Equal(x.t, []int64{d.ID, b.ID, c.ID, a.ID, e.ID, f.ID}, ids(all))
	}},
}

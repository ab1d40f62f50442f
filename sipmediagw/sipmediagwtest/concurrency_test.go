package sipmediagwtest_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// Concurrent starts never share a slot: while the first ones wait on their
// start delay, exactly as many hold a slot as there are slots, the others
// are busy. (A legacy start that ends before gw0 is up answers the debug
// page, its container running: SIPMediaGW.sh asks gw0 for the app. The
// mock clock ends the slot holders together, in any order.) A v1.8 launcher has no slots but its gw_ids created in
// advance: as many starts as there are (each for its own gw_id) come up,
// the others find no such gateway.
func TestConcurrentStartsRespectSlots(t *testing.T) {
	t.Parallel()
	const slots, callers = 3, 24
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V15, sipmediagwtest.V16, sipmediagwtest.V17, sipmediagwtest.V18HeadLauncher, sipmediagwtest.V18Launcher} {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			mock, clk := withMock()
			capacity := sipmediagwtest.WithSlots(slots)
			if v.IsLauncher() {
				ids := make([]string, slots)
				for i := range ids {
					ids[i] = "room" + strconv.Itoa(i*callers/slots) // spread among the callers
				}
				capacity = sipmediagwtest.WithLauncherIDs(ids...)
			}
			srv := start(t, v, clk, capacity, sipmediagwtest.WithStartDelay(time.Second))
			replies := make(chan reply, callers)
			var wg sync.WaitGroup
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					replies <- startAny(t, srv, "room"+strconv.Itoa(i))
					srv.Running() // concurrent readers meanwhile
					srv.Requests()
				}()
			}
			// Once the slot holders wait on their delay, every other start
			// is busy, whenever it arrives.
			waitPending(t, srv, slots)
			mock.Add(time.Second)
			wg.Wait()
			close(replies)
			ok := 0
			for r := range replies {
				noApp := v.IsLegacy() && r.status == http.StatusInternalServerError && strings.Contains(string(r.body), "JSONDecodeError")
				if noApp || r.status == http.StatusOK && !strings.Contains(string(r.body), `"res": "error"`) {
					ok++
				}
			}
			if ok != slots || len(srv.Running()) != slots || srv.StartCount() != callers {
				t.Fatalf("%d started, %d running, %d starts", ok, len(srv.Running()), srv.StartCount())
			}
		})
	}
}

// The proxy allocates the first gateway still "started" in Redis, and a
// gateway stays so until its launcher answered: concurrent starts may be
// given the same one, whose container the launcher then brings up again
// for the later room (see TestProxyConcurrentStartsRaceForOneGateway).
// Whatever the interleaving, the state stays consistent: every gateway
// answered is working and streams one of the rooms it was answered for,
// and no more containers run than there are gateways.
func TestConcurrentProxyStartsStayConsistent(t *testing.T) {
	t.Parallel()
	const gateways, callers = 3, 24
	for _, v := range proxies {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithGateways(gateways))
			type result struct {
				room string
				r    reply
			}
			results := make(chan result, callers)
			var wg sync.WaitGroup
			for i := range callers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					room := "room" + strconv.Itoa(i)
					results <- result{room, post(t, srv, "/start", proxyStart(room))}
					srv.GatewayState("1")
				}()
			}
			wg.Wait()
			close(results)
			rooms := map[string][]string{} // by gw_id, the rooms answered 200
			for res := range results {
				switch res.r.status {
				case http.StatusOK:
					id := res.r.obj(t)["data"].(map[string]any)["gw_id"].(string)
					rooms[id] = append(rooms[id], res.room)
				case http.StatusServiceUnavailable:
					res.r.expect(t, http.StatusServiceUnavailable, noGateway)
				default:
					t.Fatalf("HTTP %d %s", res.r.status, res.r.body)
				}
			}
			if len(rooms) == 0 || len(rooms) > gateways || len(srv.Running()) != len(rooms) {
				t.Fatalf("%d allocated, %d running", len(rooms), len(srv.Running()))
			}
			for id, rs := range rooms {
				st, ok := srv.Stream(id)
				if !ok || !slices.Contains(rs, st.Room) || srv.GatewayState(id) != "working" {
					t.Fatalf("gateway %s answered for %q: %+v %v, state %q", id, rs, st, ok, srv.GatewayState(id))
				}
			}
		})
	}
}

package sipmediagwtest_test

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// Concurrent starts never share a slot: while the first ones wait on their
// start delay, exactly as many hold a slot as there are slots, the others
// are busy.
func TestConcurrentStartsRespectSlots(t *testing.T) {
	t.Parallel()
	const slots, callers = 3, 24
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V15, sipmediagwtest.V16, sipmediagwtest.V17, sipmediagwtest.V18Launcher, sipmediagwtest.V184} {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			mock, clk := withMock()
			srv := start(t, v, clk, sipmediagwtest.WithSlots(slots), sipmediagwtest.WithStartDelay(time.Second))
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
				if r.status == http.StatusOK && !strings.Contains(string(r.body), `"res": "error"`) {
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
// gateway stays so until its launcher answered: concurrent starts may pick
// the same one and lose to its busy slot (a 503), but never share it.
func TestConcurrentProxyStartsNeverShareAGateway(t *testing.T) {
	t.Parallel()
	const gateways, callers = 3, 24
	srv := start(t, sipmediagwtest.V18, sipmediagwtest.WithGateways(gateways))
	replies := make(chan reply, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies <- post(t, srv, "/start", proxyStart("room"+strconv.Itoa(i)))
			srv.GatewayState("1")
		}()
	}
	wg.Wait()
	close(replies)
	ids := map[string]bool{}
	for r := range replies {
		switch r.status {
		case http.StatusOK:
			id := r.obj(t)["data"].(map[string]any)["gw_id"].(string)
			if ids[id] {
				t.Fatalf("gateway %s allocated twice", id)
			}
			ids[id] = true
		case http.StatusServiceUnavailable:
		default:
			t.Fatalf("HTTP %d %s", r.status, r.body)
		}
	}
	if len(ids) == 0 || len(ids) > gateways || len(srv.Running()) != len(ids) {
		t.Fatalf("%d allocated, %d running", len(ids), len(srv.Running()))
	}
}

package sipmediagwtest_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// startRequest returns a start request for any version; a launcher is
// asked to start the gw_id room (create it with WithLauncherIDs).
func startRequest(srv *sipmediagwtest.Server, room string) (method, path, body string) {
	switch v := srv.Version(); {
	case v.IsLegacy():
		return http.MethodGet, startQuery(room), ""
	case v.IsProxy():
		return http.MethodPost, "/start", proxyStart(room)
	default:
		return http.MethodPost, "/gateway/start", `{"room":"` + room + `","gw_id":"` + room + `","main_app":"streaming"}`
	}
}

func startAny(t testing.TB, srv *sipmediagwtest.Server, room string) reply {
	t.Helper()
	m, p, b := startRequest(srv, room)
	return do(t, srv, m, p, bearer(srv), b)
}

func TestFaultBusy(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithLauncherIDs("room1"))
			srv.Fail(sipmediagwtest.AllOps, sipmediagwtest.Fault{Kind: sipmediagwtest.Busy, Times: 1})
			r := startAny(t, srv, "room1")
			switch {
			case v.IsLegacy():
				if !strings.Contains(string(r.body), `"type": "No free resources found"`) {
					t.Fatalf("%s", r.body)
				}
			case v.IsProxy():
				r.expect(t, http.StatusServiceUnavailable, noGateway)
			default:
				r.expect(t, http.StatusNotFound, `{"status":"error","error":{"code":404,"detail":"Failed to start gateway container"},"data":null}`)
			}
			if len(srv.Running()) != 0 {
				t.Fatal("started")
			}
			if r := startAny(t, srv, "room1"); r.status != http.StatusOK || len(srv.Running()) != 1 {
				t.Fatalf("after the fault: HTTP %d %s", r.status, r.body)
			}
		})
	}
}

// A launch that fails leaves its container behind. The legacy launcher
// and a baresip start wait for the bot and report the failure, the
// container left running; a v1.8 streaming start does not wait: it
// answers success with the container created but down.
func TestFaultLaunchFailureLeavesContainer(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithLauncherIDs("room1"))
			srv.Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: sipmediagwtest.LaunchFailure, Times: 1})
			r := startAny(t, srv, "room1")
			if v.IsLegacy() {
				if !strings.Contains(string(r.body), `"type": "The gateway failed to launch"`) {
					t.Fatalf("%s", r.body)
				}
				if run := srv.Running(); len(run) != 1 || !run[0].Failed {
					t.Fatalf("running %+v", run)
				}
				return
			}
			// Streaming: success, nothing up.
			if v.IsProxy() {
				r.expect(t, http.StatusOK, startedBody("1"))
				// Working until the monitor sees the container down.
				if srv.GatewayState("1") != "working" {
					t.Fatalf("state %q", srv.GatewayState("1"))
				}
				srv.Poll()
				if srv.GatewayState("1") != "started" {
					t.Fatalf("state %q after the poll", srv.GatewayState("1"))
				}
			} else {
				r.expect(t, http.StatusOK, `{"status":"success","error":null,"data":{"processing_state":"working","gw_id":"room1"}}`)
				get(t, srv, "/gateway/status?gw_id=room1").expect(t, http.StatusOK, `{"status":"success","error":null,"data":{"gw_state":"down"}}`)
			}
			if run := srv.Running(); len(run) != 0 {
				t.Fatalf("running %+v", run)
			}
			// Baresip: checkGwStatus times out, the launcher's 404 (the
			// proxy's 503), the container left running.
			srv.Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: sipmediagwtest.LaunchFailure, Times: 1})
			if v.IsProxy() {
				post(t, srv, "/start", `{"room":"room2","main_app":"baresip","browsing":"bigbluebutton"}`).expect(t, http.StatusServiceUnavailable,
					`{"status":"error","error":{"code":503,"detail":"Faild to parse Gateway Json response"},"data":null}`)
			} else {
				post(t, srv, "/gateway/start", `{"room":"room2","gw_id":"room1","main_app":"baresip"}`).expect(t, http.StatusNotFound,
					`{"status":"error","error":{"code":404,"detail":"Failed to start gateway container"},"data":null}`)
			}
			if run := srv.Running(); len(run) != 1 || !run[0].Failed || run[0].Room != "room2" {
				t.Fatalf("running %+v", run)
			}
		})
	}
}

func TestFaultHTML500(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithLauncherIDs("room1"))
			srv.Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: sipmediagwtest.HTML500})
			r := startAny(t, srv, "room1")
			if r.status != http.StatusInternalServerError {
				t.Fatalf("HTTP %d", r.status)
			}
			if v.IsLegacy() {
				if !strings.Contains(string(r.body), srv.Token) || !strings.Contains(r.contentType(), "text/html") {
					t.Fatalf("no token in the debug page: %q %.200s", r.contentType(), r.body)
				}
			} else if string(r.body) != "Internal Server Error" {
				t.Fatalf("%s", r.body)
			}
			srv.ClearFaults()
			if r := startAny(t, srv, "room1"); r.status != http.StatusOK {
				t.Fatalf("after ClearFaults: HTTP %d", r.status)
			}
		})
	}
}

func TestFaultUnauthorizedAndStatus(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithLauncherIDs("room1"))
			srv.Fail(sipmediagwtest.AllOps, sipmediagwtest.Fault{Kind: sipmediagwtest.Unauthorized, Times: 1})
			srv.Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: sipmediagwtest.Status, Code: http.StatusBadGateway, Body: "<html>502</html>", Times: 1})
			srv.Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: sipmediagwtest.Status, Body: `{"oops":1}`, Times: 1})
			r := startAny(t, srv, "room1")
			if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" {
				t.Fatalf("HTTP %d", r.status)
			}
			startAny(t, srv, "room1").expect(t, http.StatusBadGateway, "<html>502</html>")
			r = startAny(t, srv, "room1")
			r.expect(t, http.StatusInternalServerError, `{"oops":1}`)
			if r.contentType() != "application/json" {
				t.Errorf("Content-Type %q", r.contentType())
			}
			if r := startAny(t, srv, "room1"); r.status != http.StatusOK {
				t.Fatalf("faults not used up: HTTP %d", r.status)
			}
			if srv.StartCount() != 4 {
				t.Fatalf("starts %d", srv.StartCount())
			}
		})
	}
}

func TestFaultOnlyItsOperation(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V17)
	srv.Fail(sipmediagwtest.OpStop, sipmediagwtest.Fault{Kind: sipmediagwtest.Status, Code: 503})
	srv.Fail(sipmediagwtest.OpStop, sipmediagwtest.Fault{Kind: sipmediagwtest.Busy}) // skipped: starts only
	get(t, srv, startQuery("room1"))
	if r := get(t, srv, "/stop?room=room1"); r.status != http.StatusServiceUnavailable {
		t.Fatalf("stop: HTTP %d", r.status)
	}
	if r := get(t, srv, "/stop"); r.status != http.StatusBadRequest {
		t.Fatalf("probe: HTTP %d", r.status)
	}
	if r := get(t, srv, "/progress?room=room1"); r.status != http.StatusOK {
		t.Fatalf("status: HTTP %d", r.status)
	}
}

func TestFaultHangUntilClientGivesUp(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.Versions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithLauncherIDs("room1"))
			srv.Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: sipmediagwtest.Hang, Times: 1})
			m, p, b := startRequest(srv, "room1")
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			req, _ := http.NewRequestWithContext(ctx, m, srv.URL+p, strings.NewReader(b))
			req.Header.Set("Authorization", bearer(srv))
			done := make(chan error, 1)
			go func() {
				resp, err := srv.HTTPClient().Do(req)
				if err == nil {
					resp.Body.Close()
				}
				done <- err
			}()
			waitPending(t, srv, 1)
			cancel()
			if err := <-done; !errors.Is(err, context.Canceled) {
				t.Fatalf("err %v", err)
			}
			if len(srv.Running()) != 0 {
				t.Fatal("started")
			}
		})
	}
}

func TestFaultHangReleasedByClose(t *testing.T) {
	t.Parallel()
	srv := sipmediagwtest.NewServer(sipmediagwtest.V16)
	srv.Fail(sipmediagwtest.AllOps, sipmediagwtest.Fault{Kind: sipmediagwtest.Hang})
	done := make(chan error, 1)
	go func() {
		resp, err := srv.HTTPClient().Get(srv.URL + "/stop")
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitPending(t, srv, 1)
	srv.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("a hung request got an answer")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not release the request")
	}
}

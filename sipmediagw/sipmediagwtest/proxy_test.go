package sipmediagwtest_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

func proxyStart(room string) string {
	return `{"room":"` + room + `","main_app":"streaming","browsing_name":"bigbluebutton","browsing":"bigbluebutton","rtmp_dst":"` + rtmpURL + `"}`
}

func startedBody(gwID string) string {
	// The proxy relays the launcher's answer through json.dumps.
	return `{"status": "success", "error": null, "data": {"processing_state": "working", "gw_id": "` + gwID + `"}}`
}

func TestProxyAllocatesGatewaysInOrder(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V18) // two gateways
	post(t, srv, "/start", proxyStart("room-a")).expect(t, http.StatusOK, startedBody("1"))
	post(t, srv, "/start", proxyStart("room-b")).expect(t, http.StatusOK, startedBody("2"))
	post(t, srv, "/start", proxyStart("room-c")).expect(t, http.StatusServiceUnavailable,
		`{"status":"error","error":{"code":503,"detail":"No available gateways"},"data":null}`)
	st, ok := srv.Stream("v1.8:1")
	if !ok || st.Room != "room-a" || st.GatewayID != "1" || st.RTMPURL != rtmpURL || st.Browsing != "bigbluebutton" {
		t.Fatalf("%+v %v", st, ok)
	}
	if srv.GatewayState("1") != "working" || srv.GatewayState("v1.8:2") != "working" {
		t.Fatal("gateways not working")
	}
	if len(srv.Running()) != 2 || srv.StartCount() != 3 {
		t.Fatalf("running %d starts %d", len(srv.Running()), srv.StartCount())
	}
}

func TestProxyStoppedGatewayFreeAfterNextPoll(t *testing.T) {
	t.Parallel()
	mock, clk := withMock()
	srv := start(t, sipmediagwtest.V18, clk, sipmediagwtest.WithGateways(1))
	post(t, srv, "/start", proxyStart("room-a"))
	mock.Add(10 * time.Second)
	post(t, srv, "/stop", `{"gw_id":"1"}`).expect(t, http.StatusOK,
		`{"status": "success", "error": null, "data": {"processing_state": "stopped"}}`)
	if srv.GatewayState("1") != "stopped" || srv.IsRunning("1") {
		t.Fatalf("state %q", srv.GatewayState("1"))
	}
	// Not free until the monitor sees the container down (t = 30 s).
	mock.Add(19 * time.Second)
	post(t, srv, "/start", proxyStart("room-b")).expect(t, http.StatusServiceUnavailable,
		`{"status":"error","error":{"code":503,"detail":"No available gateways"},"data":null}`)
	mock.Add(time.Second)
	if srv.GatewayState("1") != "started" {
		t.Fatalf("state %q after the poll", srv.GatewayState("1"))
	}
	post(t, srv, "/start", proxyStart("room-b")).expect(t, http.StatusOK, startedBody("1"))
	if st, _ := srv.Stream("1"); st.Room != "room-b" {
		t.Fatalf("room %q", st.Room)
	}
}

func TestProxyAuth(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V18)
	for _, auth := range []string{"", srv.Token, "bearer " + srv.Token, "Bearer  " + srv.Token, "Bearer nope"} {
		r := do(t, srv, http.MethodPost, "/start", auth, proxyStart("room-a"))
		// start's own 401 wording, json.dumps spacing.
		r.expect(t, http.StatusUnauthorized, `{"error": "authorization error invalid_token "}`)
		if r.header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` || r.contentType() != "application/json" {
			t.Errorf("headers %v", r.header)
		}
		do(t, srv, http.MethodPost, "/stop", auth, `{"gw_id":"1"}`).expect(t, http.StatusUnauthorized, `{"error": "authorization error"}`)
	}
	if len(srv.Running()) != 0 {
		t.Fatal("started without auth")
	}
	// The status route's check is commented out in proxy.py.
	if r := do(t, srv, http.MethodGet, "/status?gw_id=1", "", ""); r.status != http.StatusOK {
		t.Fatalf("status: HTTP %d", r.status)
	}
}

func TestProxyStartMissingParameters(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V18)
	cases := map[string]string{
		`{"room":"r","main_app":"streaming"}`:                "browsing",
		`{"browsing":"bbb","main_app":"streaming"}`:          "room",
		`{"browsing":"bbb","room":"","main_app":"x"}`:        "room",
		`{"browsing":"bbb","room":"r"}`:                      "main_app",
		`{"browsing":"bbb","room":"r","main_app":null}`:      "main_app",
		`{"browsing":false,"room":"r","main_app":"stream"}`:  "browsing",
		`{"browsing":"bbb","room":"r","main_app":"stream"} `: "",
	}
	for body, missing := range cases {
		r := post(t, srv, "/start", body)
		if missing == "" {
			continue
		}
		r.expect(t, http.StatusBadRequest, `{"status":"error","error":{"code":400,"detail":"Missing '`+missing+`' parameter"},"data":null}`)
	}
	// Not JSON: request.json() raises, Starlette answers 500 in plain text.
	r := post(t, srv, "/start", "room=r")
	r.expect(t, http.StatusInternalServerError, "Internal Server Error")
	if !strings.HasPrefix(r.contentType(), "text/plain") {
		t.Errorf("Content-Type %q", r.contentType())
	}
}

func TestProxyLauncherFailureIs503(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V18, sipmediagwtest.WithGateways(1))
	// The launcher refuses main_app's type: a 422 the proxy turns into 503.
	post(t, srv, "/start", `{"browsing":"bbb","room":"r","main_app":5}`).expect(t, http.StatusServiceUnavailable,
		`{"status":"error","error":{"code":503,"detail":"Faild to parse Gateway Json response"},"data":null}`)
	if srv.GatewayState("1") != "started" {
		t.Fatalf("state %q", srv.GatewayState("1"))
	}
}

func TestProxyStopErrors(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V18)
	post(t, srv, "/stop", `{}`).expect(t, http.StatusBadRequest,
		`{"status":"error","error":{"code":400,"detail":"Missing 'gw_id' parameter"},"data":null}`)
	post(t, srv, "/stop", `{"gw_id":"9"}`).expect(t, http.StatusNotFound,
		`{"status":"error","error":{"code":404,"detail":"No mapping found for gateway '9'"},"data":null}`)
	// A known gateway with nothing running: the launcher's 404, wrapped
	// because its "data" is null.
	post(t, srv, "/stop", `{"gw_id":"1"}`).expect(t, http.StatusNotFound,
		`{"status": "error", "error": "Failed to parse gateway response", "data": {"status": "error", "error": {"code": 404, "detail": "no running container for gw_id=1"}, "data": null}}`)
	reqs := srv.Requests()
	if reqs[0].Op != sipmediagwtest.OpProbe || reqs[1].Op != sipmediagwtest.OpStop || srv.StopCount() != 2 {
		t.Fatalf("ops %q %q, stops %d", reqs[0].Op, reqs[1].Op, srv.StopCount())
	}
}

func TestProxyStatus(t *testing.T) {
	t.Parallel()
	mock, clk := withMock()
	srv := start(t, sipmediagwtest.V18, clk)
	get(t, srv, "/status?gw_id=1").expect(t, http.StatusOK,
		`{"status": "success", "data": {"gw_id": "1", "gw_type": "media", "gw_state": "started", "room": null, "browsing": null, "peer_uri": null, "peer_name": null, "call_started": null, "media_duration": "0", "transcript_progress": "0"}}`)
	post(t, srv, "/start", proxyStart("room-a"))
	working := `{"status": "success", "data": {"gw_id": "1", "gw_type": "media", "gw_state": "working", "room": "room-a", "browsing": "bigbluebutton", "peer_uri": null, "peer_name": null, "call_started": null, "media_duration": "0", "transcript_progress": "0"}}`
	get(t, srv, "/status?gw_id=1").expect(t, http.StatusOK, working)
	get(t, srv, "/status?room=room-a").expect(t, http.StatusOK, working)
	get(t, srv, "/progress?room=room-a").expect(t, http.StatusOK, working)
	get(t, srv, "/status").expect(t, http.StatusBadRequest,
		`{"status":"error","error":{"code":400,"detail":"Missing 'gw_id' or 'room' parameter"},"data":null}`)
	get(t, srv, "/status?gw_id=9").expect(t, http.StatusNotFound,
		`{"status":"error","error":{"code":404,"detail":"Gateway '9' not found"},"data":null}`)
	get(t, srv, "/status?room=nope").expect(t, http.StatusNotFound,
		`{"status":"error","error":{"code":404,"detail":"No gateway found for room 'nope'"},"data":null}`)
	// The monitor's pass keeps "working" but forgets the room: the
	// launcher's status does not report it.
	mock.Add(30 * time.Second)
	m := get(t, srv, "/status?gw_id=1").obj(t)["data"].(map[string]any)
	if m["gw_state"] != "working" || m["room"] != nil {
		t.Fatalf("after the poll: %v", m)
	}
}

func TestProxyCommands(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V18)
	chat := `{"gw_id":"1","payload":{"command":"sendChat","param1":"Bonjour"}}`
	post(t, srv, "/command", chat).expect(t, http.StatusForbidden,
		`{"status":"error","error":{"code":403,"detail":"Gateway '1' is stopped, cannot send commands"},"data":null}`)
	post(t, srv, "/start", proxyStart("room-a"))
	post(t, srv, "/command", chat).expect(t, http.StatusOK,
		`{"status": "success", "error": null, "data": {"ack": true, "received": {"command": "sendChat", "param1": "Bonjour"}}}`)
	post(t, srv, "/command", `{"gw_id":"1","payload":{"command":"sendKey","param1":"3"}}`)
	if got := srv.Chat("v1.8:1"); !reflect.DeepEqual(got, []string{"Bonjour"}) || srv.ChatPanelVisible("1") {
		t.Fatalf("chat %q, panel %v", got, srv.ChatPanelVisible("1"))
	}
	post(t, srv, "/command", `{"payload":{}}`).expect(t, http.StatusBadRequest,
		`{"status":"error","error":{"code":400,"detail":"Missing 'gw_id' parameter"},"data":null}`)
	post(t, srv, "/command", `{"gw_id":"7","payload":{}}`).expect(t, http.StatusNotFound,
		`{"status":"error","error":{"code":404,"detail":"Gateway '7' not found"},"data":null}`)
	// Forwarded as is: the launcher validates.
	if r := post(t, srv, "/command", `{"gw_id":"1"}`); r.status != http.StatusUnprocessableEntity {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
}

func TestProxyConcurrentStartsRaceForOneGateway(t *testing.T) {
	t.Parallel()
	mock, clk := withMock()
	srv := start(t, sipmediagwtest.V18, clk, sipmediagwtest.WithGateways(1), sipmediagwtest.WithStartDelay(5*time.Second))
	first := async(func() reply { return post(t, srv, "/start", proxyStart("room-a")) })
	waitPending(t, srv, 1)
	// The gateway stays "started" in Redis while its launcher works: a
	// second start picks it too and meets the launcher's busy slot.
	post(t, srv, "/start", proxyStart("room-b")).expect(t, http.StatusServiceUnavailable,
		`{"status":"error","error":{"code":503,"detail":"Faild to parse Gateway Json response"},"data":null}`)
	mock.Add(5 * time.Second)
	await(t, first).expect(t, http.StatusOK, startedBody("1"))
}

func TestProxyRoutes(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V18)
	get(t, srv, "/gateway/start").expect(t, http.StatusNotFound, `{"detail":"Not Found"}`)
	get(t, srv, "/start").expect(t, http.StatusMethodNotAllowed, `{"detail":"Method Not Allowed"}`)
	post(t, srv, "/status", `{}`).expect(t, http.StatusMethodNotAllowed, `{"detail":"Method Not Allowed"}`)
}

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

// proxies are the v1.8 proxies: the released one and SIPMediaGW's HEAD.
var proxies = []sipmediagwtest.Version{sipmediagwtest.V18, sipmediagwtest.V18Head}

const noGateway = `{"status":"error","error":{"code":503,"detail":"No available gateways"},"data":null}`

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

// The released proxy checks the token on every route; HEAD leaves /status
// and /command open and words its start's 401 otherwise.
func TestProxyAuth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		v         sipmediagwtest.Version
		start401  string
		routeOpen bool // GET /status and POST /command without a token
	}{
		{sipmediagwtest.V18, `{"error": "authorization error"}`, false},
		{sipmediagwtest.V18Head, `{"error": "authorization error invalid_token "}`, true},
	}
	for _, tt := range tests {
		t.Run(string(tt.v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, tt.v)
			const denied = `{"error": "authorization error"}`
			for _, auth := range []string{"", srv.Token, "bearer " + srv.Token, "Bearer  " + srv.Token, "Bearer nope"} {
				r := do(t, srv, http.MethodPost, "/start", auth, proxyStart("room-a"))
				r.expect(t, http.StatusUnauthorized, tt.start401)
				if r.header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` || r.contentType() != "application/json" {
					t.Errorf("headers %v", r.header)
				}
				do(t, srv, http.MethodPost, "/stop", auth, `{"gw_id":"1"}`).expect(t, http.StatusUnauthorized, denied)
				status := do(t, srv, http.MethodGet, "/status?gw_id=1", auth, "")
				command := do(t, srv, http.MethodPost, "/command", auth, `{"gw_id":"1","payload":{"command":"sendKey","param1":"3"}}`)
				if tt.routeOpen {
					if status.status != http.StatusOK {
						t.Fatalf("status with %q: HTTP %d %s", auth, status.status, status.body)
					}
					// Past the (absent) check: the gateway is free.
					command.expect(t, http.StatusForbidden,
						`{"status":"error","error":{"code":403,"detail":"Gateway '1' is stopped, cannot send commands"},"data":null}`)
				} else {
					status.expect(t, http.StatusUnauthorized, denied)
					command.expect(t, http.StatusUnauthorized, denied)
				}
			}
			if len(srv.Running()) != 0 || srv.GatewayState("1") != "started" {
				t.Fatal("started without auth")
			}
			if r := get(t, srv, "/status?gw_id=1"); r.status != http.StatusOK {
				t.Fatalf("status with the token: HTTP %d", r.status)
			}
		})
	}
}

func TestProxyStartMissingParameters(t *testing.T) {
	t.Parallel()
	// The parameter each version reports missing ("" when it accepts the
	// body): v1.8.4 checks room then main_app, HEAD browsing first.
	cases := []struct {
		body       string
		v184, head string
	}{
		{`{"room":"r","main_app":"streaming"}`, "", "browsing"},
		{`{"browsing":"bbb","main_app":"streaming"}`, "room", "room"},
		{`{"browsing":"bbb","room":"","main_app":"x"}`, "room", "room"},
		{`{"browsing":"bbb","room":"r"}`, "main_app", "main_app"},
		{`{"browsing":"bbb","room":"r","main_app":null}`, "main_app", "main_app"},
		{`{"browsing":false,"room":"r","main_app":"streaming"}`, "", "browsing"},
		{`{"main_app":"streaming"}`, "room", "browsing"},
		{`{"browsing":"bbb","room":"r","main_app":"streaming"} `, "", ""},
	}
	for _, v := range proxies {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithGateways(len(cases)))
			for _, c := range cases {
				missing := c.v184
				if v == sipmediagwtest.V18Head {
					missing = c.head
				}
				r := post(t, srv, "/start", c.body)
				if missing == "" {
					if r.status != http.StatusOK {
						t.Fatalf("%s: HTTP %d %s", c.body, r.status, r.body)
					}
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
		})
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
	const launcher404 = `{"status": "error", "error": {"code": 404, "detail": "no running container for gw_id=1"}, "data": null}`
	// A known gateway with nothing running: the launcher's 404, whose
	// "data" is null; v1.8.4 relays it with its status set to "error",
	// HEAD wraps it.
	nothingRuns := map[sipmediagwtest.Version]string{
		sipmediagwtest.V18:     launcher404,
		sipmediagwtest.V18Head: `{"status": "error", "error": "Failed to parse gateway response", "data": ` + launcher404 + `}`,
	}
	for _, v := range proxies {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			post(t, srv, "/stop", `{}`).expect(t, http.StatusBadRequest,
				`{"status":"error","error":{"code":400,"detail":"Missing 'gw_id' parameter"},"data":null}`)
			post(t, srv, "/stop", `{"gw_id":"9"}`).expect(t, http.StatusNotFound,
				`{"status":"error","error":{"code":404,"detail":"No mapping found for gateway '9'"},"data":null}`)
			post(t, srv, "/stop", `{"gw_id":"1"}`).expect(t, http.StatusNotFound, nothingRuns[v])
			reqs := srv.Requests()
			if reqs[0].Op != sipmediagwtest.OpProbe || reqs[1].Op != sipmediagwtest.OpStop || srv.StopCount() != 2 {
				t.Fatalf("ops %q %q, stops %d", reqs[0].Op, reqs[1].Op, srv.StopCount())
			}
			if srv.GatewayState("1") != "started" {
				t.Fatalf("state %q", srv.GatewayState("1"))
			}
		})
	}
}

// proxyStatusBody is a proxy's status of gateway 1: v1.8.4 shows the
// stored room, the string "None" for none; HEAD adds browsing and shows
// null for none. "" is none.
func proxyStatusBody(v sipmediagwtest.Version, state, room, browsing string) string {
	if v == sipmediagwtest.V18 {
		if room == "" {
			room = "None"
		}
		return `{"status": "success", "data": {"gw_id": "1", "gw_state": "` + state + `", "room": "` + room +
			`", "media_duration": "0", "transcript_progress": "0"}}`
	}
	str := func(s string) string {
		if s == "" {
			return "null"
		}
		return `"` + s + `"`
	}
	return `{"status": "success", "data": {"gw_id": "1", "gw_state": "` + state + `", "room": ` + str(room) +
		`, "browsing": ` + str(browsing) + `, "media_duration": "0", "transcript_progress": "0"}}`
}

func TestProxyStatus(t *testing.T) {
	t.Parallel()
	for _, v := range proxies {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			mock, clk := withMock()
			srv := start(t, v, clk)
			get(t, srv, "/status?gw_id=1").expect(t, http.StatusOK, proxyStatusBody(v, "started", "", ""))
			post(t, srv, "/start", proxyStart("room-a"))
			working := proxyStatusBody(v, "working", "room-a", "bigbluebutton")
			get(t, srv, "/status?gw_id=1").expect(t, http.StatusOK, working)
			get(t, srv, "/status?room=room-a").expect(t, http.StatusOK, working)
			get(t, srv, "/progress?room=room-a").expect(t, http.StatusOK, working)
			get(t, srv, "/status").expect(t, http.StatusBadRequest,
				`{"status":"error","error":{"code":400,"detail":"Missing 'gw_id' or 'room' parameter"},"data":null}`)
			get(t, srv, "/status?gw_id=9").expect(t, http.StatusNotFound,
				`{"status":"error","error":{"code":404,"detail":"Gateway '9' not found"},"data":null}`)
			noRoom := `{"status":"error","error":{"code":404,"detail":"No gateway found for room 'room-a'"},"data":null}`
			get(t, srv, "/status?room=nope").expect(t, http.StatusNotFound,
				`{"status":"error","error":{"code":404,"detail":"No gateway found for room 'nope'"},"data":null}`)
			// The monitor's pass keeps "working"; v1.8.4 keeps the room,
			// HEAD takes the launcher's, which a streaming bot leaves empty.
			mock.Add(30 * time.Second)
			if v == sipmediagwtest.V18 {
				get(t, srv, "/status?gw_id=1").expect(t, http.StatusOK, working)
				get(t, srv, "/status?room=room-a").expect(t, http.StatusOK, working)
			} else {
				get(t, srv, "/status?gw_id=1").expect(t, http.StatusOK, proxyStatusBody(v, "working", "", ""))
				get(t, srv, "/status?room=room-a").expect(t, http.StatusNotFound, noRoom)
			}
			post(t, srv, "/stop", `{"gw_id":"1"}`)
			get(t, srv, "/status?gw_id=1").expect(t, http.StatusOK, proxyStatusBody(v, "stopped", "", ""))
			get(t, srv, "/status?room=room-a").expect(t, http.StatusNotFound, noRoom)
		})
	}
}

// HEAD relays commands to the launcher's /gateway/command; v1.8.4 relays
// them to its /command, a route the launcher does not have.
func TestProxyCommands(t *testing.T) {
	t.Parallel()
	for _, v := range proxies {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			chat := `{"gw_id":"1","payload":{"command":"sendChat","param1":"Bonjour"}}`
			post(t, srv, "/command", chat).expect(t, http.StatusForbidden,
				`{"status":"error","error":{"code":403,"detail":"Gateway '1' is stopped, cannot send commands"},"data":null}`)
			post(t, srv, "/start", proxyStart("room-a"))
			post(t, srv, "/command", `{"payload":{}}`).expect(t, http.StatusBadRequest,
				`{"status":"error","error":{"code":400,"detail":"Missing 'gw_id' parameter"},"data":null}`)
			post(t, srv, "/command", `{"gw_id":"7","payload":{}}`).expect(t, http.StatusNotFound,
				`{"status":"error","error":{"code":404,"detail":"Gateway '7' not found"},"data":null}`)
			chatReply := post(t, srv, "/command", chat)
			keyReply := post(t, srv, "/command", `{"gw_id":"1","payload":{"command":"sendKey","param1":"3"}}`)
			// Forwarded as is: the launcher validates (HEAD).
			invalid := post(t, srv, "/command", `{"gw_id":"1"}`)
			if v == sipmediagwtest.V18 {
				const notFound = `{"detail": "Not Found"}`
				chatReply.expect(t, http.StatusNotFound, notFound)
				keyReply.expect(t, http.StatusNotFound, notFound)
				invalid.expect(t, http.StatusNotFound, notFound)
				if len(srv.Chat("1")) != 0 || !srv.ChatPanelVisible("1") {
					t.Fatalf("v1.8.4 commands had an effect: chat %q", srv.Chat("1"))
				}
				return
			}
			chatReply.expect(t, http.StatusOK,
				`{"status": "success", "error": null, "data": {"ack": true, "received": {"command": "sendChat", "param1": "Bonjour"}}}`)
			keyReply.expect(t, http.StatusOK,
				`{"status": "success", "error": null, "data": {"ack": true, "received": {"command": "sendKey", "param1": "3"}}}`)
			if got := srv.Chat("v1.8:1"); !reflect.DeepEqual(got, []string{"Bonjour"}) || srv.ChatPanelVisible("1") {
				t.Fatalf("chat %q, panel %v", got, srv.ChatPanelVisible("1"))
			}
			if invalid.status != http.StatusUnprocessableEntity {
				t.Fatalf("HTTP %d %s", invalid.status, invalid.body)
			}
		})
	}
}

// The gateway stays "started" in Redis while its launcher works: a second
// start picks it too, and the launcher brings its container up again for
// the second room (SIPMediaGW.sh -g takes no lock), cutting the first.
func TestProxyConcurrentStartsRaceForOneGateway(t *testing.T) {
	t.Parallel()
	for _, v := range proxies {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			mock, clk := withMock()
			srv := start(t, v, clk, sipmediagwtest.WithGateways(1), sipmediagwtest.WithStartDelay(5*time.Second))
			first := async(func() reply { return post(t, srv, "/start", proxyStart("room-a")) })
			waitPending(t, srv, 1)
			mock.Add(time.Second)
			second := async(func() reply { return post(t, srv, "/start", proxyStart("room-b")) })
			waitPending(t, srv, 2)
			mock.Add(4 * time.Second)
			await(t, first).expect(t, http.StatusOK, startedBody("1"))
			if st, ok := srv.Stream("1"); !ok || st.Room != "room-a" {
				t.Fatalf("first: %+v %v", st, ok)
			}
			mock.Add(time.Second)
			await(t, second).expect(t, http.StatusOK, startedBody("1"))
			if st, ok := srv.Stream("1"); !ok || st.Room != "room-b" || len(srv.Running()) != 1 || srv.MaxRunning() != 1 {
				t.Fatalf("second: %+v %v, %d running, peak %d", st, ok, len(srv.Running()), srv.MaxRunning())
			}
			get(t, srv, "/status?room=room-a").expect(t, http.StatusNotFound,
				`{"status":"error","error":{"code":404,"detail":"No gateway found for room 'room-a'"},"data":null}`)
			if r := get(t, srv, "/status?room=room-b"); r.status != http.StatusOK || srv.GatewayState("1") != "working" {
				t.Fatalf("HTTP %d %s, state %q", r.status, r.body, srv.GatewayState("1"))
			}
		})
	}
}

func TestProxyRoutes(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V18)
	get(t, srv, "/gateway/start").expect(t, http.StatusNotFound, `{"detail":"Not Found"}`)
	get(t, srv, "/start").expect(t, http.StatusMethodNotAllowed, `{"detail":"Method Not Allowed"}`)
	post(t, srv, "/status", `{}`).expect(t, http.StatusMethodNotAllowed, `{"detail":"Method Not Allowed"}`)
}

package sipmediagw

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statusRoute is the path of a status request for each protocol (GET).
func statusRoute(p Protocol) string {
	switch p {
	case Legacy:
		return "/progress"
	case V18:
		return "/status"
	default:
		return "/gateway/status"
	}
}

func TestStatusRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		protocol Protocol
		answer   string
		query    url.Values
	}{
		{Legacy, v17ProgressDown, url.Values{"room": {mockRoom}}},
		{V18, proxyStatus("started"), url.Values{"gw_id": {proxyGW}}},
		{V18Launcher, launcherStatusUp, url.Values{"gw_id": {mockGW}}},
	}
	for _, tt := range tests {
		t.Run(tt.protocol.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, tt.protocol)
			m.on(http.MethodGet, statusRoute(tt.protocol), jsonAnswer(200, tt.answer))
			_, err := c.Status(context.Background(), sessionFor(tt.protocol))
			require.NoError(t, err)
			req := m.only(http.MethodGet, statusRoute(tt.protocol))
			assert.Equal(t, tt.query, req.Query)
			assert.Empty(t, req.Body)
			assert.Equal(t, tt.protocol != V18Launcher, hasAuth(req))
		})
	}
}

func TestStatusOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		protocol Protocol
		answer   httpmock.Responder
		want     Status
		wantErr  error
		wantResp int // the status of a *ResponseError
	}{
		// Legacy: /progress appeared in v1.7.
		{name: "v1.7 down", protocol: Legacy, answer: jsonAnswer(200, v17ProgressDown),
			want: Status{State: StateStopped, Detail: "down"}},
		{name: "v1.7 transcript", protocol: Legacy, answer: jsonAnswer(200, v17ProgressTrans),
			want: Status{State: StateRunning, Progress: "0%"}},
		{name: "v1.7 transcript and recording", protocol: Legacy,
			answer: jsonAnswer(200, `{"status": "success", "recording_duration": "00:12:03", "transcript_progress": "50%"}`),
			want:   Status{State: StateRunning, Progress: "50%"}},
		{name: "up", protocol: Legacy, answer: jsonAnswer(200, `{"status": "success", "gw_state": "up"}`),
			want: Status{State: StateRunning, Detail: "up"}},
		{name: "unknown state", protocol: Legacy, answer: jsonAnswer(200, `{"status": "success", "gw_state": "paused"}`),
			want: Status{State: StateUnknown, Detail: "paused"}},
		{name: "v1.5 and v1.6 have no progress", protocol: Legacy, answer: htmlAnswer(404, webpyNotFound), wantErr: ErrNotSupported},
		{name: "method not allowed", protocol: Legacy, answer: respond(405, "text/html", "method not allowed"), wantErr: ErrNotSupported},
		{name: "legacy nothing running", protocol: Legacy, answer: jsonAnswer(400, v17NothingToStop), wantErr: ErrNotRunning},
		{name: "legacy no room", protocol: Legacy, answer: jsonAnswer(400, v16NoRoom), wantErr: ErrRejected},
		{name: "legacy unauthorized", protocol: Legacy, answer: respond(401, "", v16Unauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		{name: "v1.7 exception", protocol: Legacy, answer: jsonAnswer(404, v17ProgressError), wantResp: 404},
		{name: "legacy debug page", protocol: Legacy, answer: htmlAnswer(500, webpyDebugPage), wantResp: 500},

		// v1.8 proxy: the gateway's state in its registry.
		// "started" is a free gateway: registered, or seen down by the
		// proxy's last check.
		{name: "started", protocol: V18, answer: jsonAnswer(200, proxyStatus("started")),
			want: Status{State: StateStopped, Detail: "started", Progress: "0"}},
		{name: "working", protocol: V18, answer: jsonAnswer(200, proxyStatus("working")),
			want: Status{State: StateRunning, Detail: "working", Progress: "0"}},
		{name: "stopped", protocol: V18, answer: jsonAnswer(200, proxyStatus("stopped")),
			want: Status{State: StateStopped, Detail: "stopped", Progress: "0"}},
		{name: "unknown state", protocol: V18, answer: jsonAnswer(200, proxyStatus("rebooting")),
			want: Status{State: StateUnknown, Detail: "rebooting", Progress: "0"}},
		{name: "no state", protocol: V18, answer: jsonAnswer(200, `{"status": "success", "data": {"gw_id": "3", "gw_state": null}}`),
			want: Status{State: StateUnknown}},
		{name: "numeric progress", protocol: V18,
			answer: jsonAnswer(200, `{"status": "success", "data": {"gw_id": "3", "gw_state": "working", "transcript_progress": 0.61}}`),
			want:   Status{State: StateRunning, Detail: "working", Progress: "0.61"}},
		{name: "started idle", protocol: V18,
			answer: jsonAnswer(200, `{"status": "success", "data": {"gw_id": "3", "gw_state": "started", "room": null}}`),
			want:   Status{State: StateStopped, Detail: "started"}},
		// v1.8.4 keeps the room of a stream that died until a new start.
		{name: "started with a stale room", protocol: V18,
			answer: jsonAnswer(200, `{"status": "success", "data": {"gw_id": "3", "gw_state": "started", "room": "webinar-42"}}`),
			want:   Status{State: StateStopped, Detail: "started"}},
		{name: "not found", protocol: V18, answer: jsonAnswer(404, proxyGWNotFound), wantErr: ErrNotRunning},
		{name: "no status in registry", protocol: V18,
			answer:  jsonAnswer(404, `{"status": "error", "error": "Failed to get gateway status", "data": null}`),
			wantErr: ErrNotRunning},
		{name: "missing parameter", protocol: V18, answer: jsonAnswer(400, `{"status":"error","error":{"code":400,"detail":"Missing 'gw_id' or 'room' parameter"},"data":null}`), wantResp: 400},
		{name: "404 page", protocol: V18, answer: htmlAnswer(404, "<html>nginx</html>"), wantErr: ErrNotSupported},
		{name: "success without data", protocol: V18, answer: jsonAnswer(200, `{"status": "success"}`), wantResp: 200},

		// v1.8 launcher: the container's state.
		{name: "up", protocol: V18Launcher, answer: jsonAnswer(200, launcherStatusUp), want: Status{State: StateRunning, Detail: "up"}},
		{name: "exited", protocol: V18Launcher, answer: jsonAnswer(200, launcherStatusDown), want: Status{State: StateStopped, Detail: "down (exited)"}},
		{name: "down", protocol: V18Launcher, answer: jsonAnswer(200, `{"status":"success","error":null,"data":{"gw_state":"down"}}`),
			want: Status{State: StateStopped, Detail: "down"}},
		{name: "transcript", protocol: V18Launcher,
			answer: jsonAnswer(200, `{"status":"success","error":null,"data":{"gw_state":"up","gw_id":"gw1","recording_duration":"00:01:02","transcript_progress":"25%"}}`),
			want:   Status{State: StateRunning, Detail: "up", Progress: "25%"}},
		{name: "not found (after v1.8.4)", protocol: V18Launcher, answer: jsonAnswer(404, launcherNotFound), wantErr: ErrNotRunning},
		{name: "500 not found", protocol: V18Launcher,
			answer:  jsonAnswer(500, `{"status":"error","error":{"code":500,"detail":"Gateway not found"},"data":null}`),
			wantErr: ErrNotRunning},
		{name: "500 other failure", protocol: V18Launcher,
			answer:   jsonAnswer(500, `{"status":"error","error":{"code":500,"detail":"Cannot connect to the Docker daemon"},"data":null}`),
			wantResp: 500},
	}
	for _, tt := range tests {
		t.Run(tt.protocol.String()+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, tt.protocol)
			m.on(http.MethodGet, statusRoute(tt.protocol), tt.answer)
			st, err := c.Status(context.Background(), sessionFor(tt.protocol))
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
				var oe *OpError
				require.ErrorAs(t, err, &oe)
				assert.Equal(t, "status", oe.Op)
			case tt.wantResp != 0:
				var re *ResponseError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tt.wantResp, re.StatusCode)
			default:
				require.NoError(t, err)
				assert.Equal(t, tt.want, st)
				return
			}
			assert.Equal(t, Status{}, st)
			assertNoSecrets(t, "status error", err.Error())
		})
	}
}

// v1.7's /progress answers a running container that neither records nor
// transcribes (what a streaming bot is) with the bare envelope: the
// container is up, and nothing else is said. Status must report it
// running, not unknown.
func TestStatusLegacyRunningStream(t *testing.T) {
	t.Parallel()
	c, m := newMock(t, Legacy)
	m.on(http.MethodGet, "/progress", jsonAnswer(200, v17ProgressUp))
	st, err := c.Status(context.Background(), sessionFor(Legacy))
	require.NoError(t, err)
	assert.Equal(t, StateRunning, st.State, "v1.7 answers %s for a running streaming container", v17ProgressUp)
}

// v1.8.4's launcher tests "exited" in the container status before checking
// there is a container: an unknown gw_id raises a TypeError, answered
// 500 with the exception's text. That is the "500 for an unknown gw_id"
// of the spec, and Status must map it to ErrNotRunning.
func TestStatusLauncher184UnknownGateway(t *testing.T) {
	t.Parallel()
	c, m := newMock(t, V18Launcher)
	m.on(http.MethodGet, "/gateway/status", jsonAnswer(500, launcherUnknown184))
	_, err := c.Status(context.Background(), Session{Protocol: V18Launcher, GatewayID: "gw9"})
	require.ErrorIs(t, err, ErrNotRunning)
}

// Status is retried like Stop.
func TestStatusRetried(t *testing.T) {
	t.Parallel()
	ok := map[Protocol]string{Legacy: v17ProgressDown, V18: proxyStatus("started"), V18Launcher: launcherStatusUp}
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p)
			m.on(http.MethodGet, statusRoute(p), connError(), htmlAnswer(502, "<html>Bad Gateway</html>"), jsonAnswer(200, ok[p]))
			_, err := c.Status(context.Background(), sessionFor(p))
			require.NoError(t, err)
			assert.Equal(t, 3, m.count(http.MethodGet, statusRoute(p)))
		})
	}
}

func TestProbe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		protocol Protocol
		method   string
		path     string
		answer   httpmock.Responder
		wantErr  error // nil: alive and the token is good
		wantResp bool  // a *ResponseError
		calls    int   // 1 when 0
	}{
		// Legacy: GET /stop without a room.
		{name: "v1.6 token good", protocol: Legacy, method: http.MethodGet, path: "/stop", answer: jsonAnswer(400, v16NoRoom)},
		{name: "v1.5 token good", protocol: Legacy, method: http.MethodGet, path: "/stop", answer: jsonAnswer(200, v15NoRoom)},
		{name: "v1.6 bad token", protocol: Legacy, method: http.MethodGet, path: "/stop",
			answer: respond(401, "", v16Unauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		{name: "v1.5 bad token", protocol: Legacy, method: http.MethodGet, path: "/stop",
			answer: respond(401, "", v15Unauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		{name: "not a launcher", protocol: Legacy, method: http.MethodGet, path: "/stop", answer: htmlAnswer(404, webpyNotFound), wantErr: ErrNotSupported},
		{name: "HTML at 200", protocol: Legacy, method: http.MethodGet, path: "/stop", answer: htmlAnswer(200, "<html>Welcome to nginx!</html>"), wantResp: true},
		{name: "legacy 502 retried", protocol: Legacy, method: http.MethodGet, path: "/stop",
			answer: htmlAnswer(502, "<html>Bad Gateway</html>"), wantResp: true, calls: 3},
		// Proxy: POST /stop without gw_id.
		{name: "proxy token good", protocol: V18, method: http.MethodPost, path: "/stop", answer: jsonAnswer(400, proxyMissingGW)},
		{name: "proxy validation", protocol: V18, method: http.MethodPost, path: "/stop", answer: jsonAnswer(422, v18Invalid)},
		{name: "proxy bad token", protocol: V18, method: http.MethodPost, path: "/stop",
			answer: respond(401, "application/json", proxyUnauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		{name: "proxy 500", protocol: V18, method: http.MethodPost, path: "/stop",
			answer: jsonAnswer(500, `{"status":"error","error":{"code":500,"detail":"redis down"},"data":null}`), wantResp: true, calls: 3},
		{name: "proxy text 500", protocol: V18, method: http.MethodPost, path: "/stop", answer: respond(500, "text/plain", starletteError), wantResp: true, calls: 3},
		// Launcher: the status of a gateway that does not exist.
		{name: "launcher v1.8.4 500", protocol: V18Launcher, method: http.MethodGet, path: "/gateway/status", answer: jsonAnswer(500, launcherUnknown184)},
		{name: "launcher 404", protocol: V18Launcher, method: http.MethodGet, path: "/gateway/status", answer: jsonAnswer(404, launcherNotFound)},
		{name: "launcher HTML 502 not retried", protocol: V18Launcher, method: http.MethodGet, path: "/gateway/status",
			answer: htmlAnswer(502, "<html>Bad Gateway</html>"), wantResp: true},
		{name: "launcher not there", protocol: V18Launcher, method: http.MethodGet, path: "/gateway/status", answer: respond(404, "text/plain", "Not Found"), wantErr: ErrNotSupported},
	}
	for _, tt := range tests {
		t.Run(tt.protocol.String()+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, tt.protocol)
			m.on(tt.method, tt.path, tt.answer)
			err := c.Probe(context.Background())
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
			case tt.wantResp:
				var re *ResponseError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, "probe", re.Op)
			default:
				require.NoError(t, err)
			}
			assert.Equal(t, max(tt.calls, 1), m.count(tt.method, tt.path))
			req := m.all()[0]
			switch tt.protocol {
			case Legacy:
				assert.Empty(t, req.Query, "no room: nothing is stopped")
				assert.Equal(t, "Bearer "+mockToken, req.Header.Get("Authorization"))
			case V18:
				assert.Equal(t, map[string]any{}, req.jsonBody(t), "no gw_id: nothing is stopped")
				assert.Equal(t, "Bearer "+mockToken, req.Header.Get("Authorization"))
			case V18Launcher:
				assert.Equal(t, url.Values{"gw_id": {"bbbcast-probe"}}, req.Query)
				assert.False(t, hasAuth(req))
			}
		})
	}
}

func TestProbeTransportError(t *testing.T) {
	t.Parallel()
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p)
			method := http.MethodGet
			path := map[Protocol]string{Legacy: "/stop", V18: "/stop", V18Launcher: "/gateway/status"}[p]
			if p == V18 {
				method = http.MethodPost
			}
			m.on(method, path, connError())
			err := c.Probe(context.Background())
			var te *TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "probe", te.Op)
			assert.Contains(t, err.Error(), "connection refused")
			assert.NotContains(t, err.Error(), "gw.example.org")
		})
	}
}

package sipmediagw

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startRoute is the method and path of a start for each protocol.
func startRoute(p Protocol) (string, string) {
	switch p {
	case Legacy:
		return http.MethodGet, "/start"
	case V18:
		return http.MethodPost, "/start"
	default:
		return http.MethodPost, "/gateway/start"
	}
}

// onCleanup answers the requests a cleanup after a failed start sends:
// the stop (legacy, launcher), or the proxy's room lookup and the stop.
func onCleanup(m *mock, p Protocol) {
	switch p {
	case Legacy:
		m.on(http.MethodGet, "/stop", jsonAnswer(200, v16Stopped))
	case V18:
		m.on(http.MethodGet, "/status", jsonAnswer(200, proxyStatus("started")))
		m.on(http.MethodPost, "/stop", jsonAnswer(200, proxyStopped))
	case V18Launcher:
		m.on(http.MethodPost, "/gateway/stop", jsonAnswer(200, launcherStopped))
	}
}

// assertCleanup checks that a cleanup was sent (or not) after a start.
func assertCleanup(t *testing.T, m *mock, p Protocol, want bool) {
	t.Helper()
	calls := m.all()
	if !want {
		require.Len(t, calls, 1, "only the start was sent: %+v", calls)
		return
	}
	switch p {
	case Legacy:
		require.Len(t, calls, 2)
		stop := calls[1]
		assert.Equal(t, http.MethodGet, stop.Method)
		assert.Equal(t, "/stop", stop.Path)
		assert.Equal(t, url.Values{"room": {mockRoom}}, stop.Query)
		assert.Equal(t, "Bearer "+mockToken, stop.Header.Get("Authorization"))
	case V18Launcher:
		require.Len(t, calls, 2)
		stop := calls[1]
		assert.Equal(t, http.MethodPost, stop.Method)
		assert.Equal(t, "/gateway/stop", stop.Path)
		assert.Equal(t, map[string]any{"gw_id": mockGW}, stop.jsonBody(t))
		assert.False(t, hasAuth(stop))
	case V18:
		// The start never said which gateway it took: the proxy's room
		// lookup tells, then that gateway is stopped.
		require.Len(t, calls, 3)
		lookup, stop := calls[1], calls[2]
		assert.Equal(t, http.MethodGet, lookup.Method)
		assert.Equal(t, "/status", lookup.Path)
		assert.Equal(t, url.Values{"room": {mockRoom}}, lookup.Query)
		assert.Equal(t, http.MethodPost, stop.Method)
		assert.Equal(t, "/stop", stop.Path)
		assert.Equal(t, map[string]any{"gw_id": proxyGW}, stop.jsonBody(t))
		assert.Equal(t, "Bearer "+mockToken, stop.Header.Get("Authorization"))
	}
}

func TestStartRequest(t *testing.T) {
	t.Parallel()
	t.Run("legacy", func(t *testing.T) {
		t.Parallel()
		c, m := newMock(t, Legacy)
		m.on(http.MethodGet, "/start", jsonAnswer(200, v16StartOK))
		s, err := c.Start(context.Background(), validParams(Legacy))
		require.NoError(t, err)
		assert.Equal(t, Session{Protocol: Legacy, Room: mockRoom}, s)
		req := m.only(http.MethodGet, "/start")
		assert.Equal(t, url.Values{"room": {mockRoom}, "domain": {mockDomain}, "rtmpDst": {mockRTMP}}, req.Query)
		assert.Equal(t, []string{"Bearer " + mockToken}, req.Header.Values("Authorization"))
		assert.Equal(t, "application/json", req.Header.Get("Accept"))
		assert.Equal(t, DefaultUserAgent, req.Header.Get("User-Agent"))
		assert.Empty(t, req.Body)
		assert.Empty(t, req.Header.Get("Content-Type"))
	})
	t.Run("v1.8 proxy", func(t *testing.T) {
		t.Parallel()
		c, m := newMock(t, V18)
		m.on(http.MethodPost, "/start", jsonAnswer(200, proxyStartOK))
		s, err := c.Start(context.Background(), validParams(V18))
		require.NoError(t, err)
		assert.Equal(t, Session{Protocol: V18, Room: mockRoom, GatewayID: proxyGW}, s)
		req := m.only(http.MethodPost, "/start")
		assert.Empty(t, req.Query)
		assert.Equal(t, []string{"Bearer " + mockToken}, req.Header.Values("Authorization"))
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		assert.Equal(t, "application/json", req.Header.Get("Accept"))
		assert.Equal(t, map[string]any{
			"room":          mockRoom,
			"main_app":      "streaming",
			"browsing_name": "bigbluebutton",
			"browsing":      "bigbluebutton",
			"rtmp_dst":      mockRTMP,
		}, req.jsonBody(t))
		assert.NotContains(t, string(req.Body), "DOMAINMARKER", "v1.8 does not take the domain")
	})
	t.Run("v1.8 launcher", func(t *testing.T) {
		t.Parallel()
		c, m := newMock(t, V18Launcher)
		m.on(http.MethodPost, "/gateway/start", jsonAnswer(200, launcherStartOK))
		s, err := c.Start(context.Background(), validParams(V18Launcher))
		require.NoError(t, err)
		assert.Equal(t, Session{Protocol: V18Launcher, Room: mockRoom, GatewayID: mockGW}, s)
		req := m.only(http.MethodPost, "/gateway/start")
		assert.Empty(t, req.Query)
		assert.False(t, hasAuth(req), "the launcher has no authentication: no Authorization header")
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		assert.Equal(t, map[string]any{
			"room":          mockRoom,
			"gw_id":         mockGW,
			"main_app":      "streaming",
			"browsing_name": "bigbluebutton",
			"rtmp_dst":      mockRTMP,
		}, req.jsonBody(t))
	})
}

func TestStartOutcomes(t *testing.T) {
	t.Parallel()
	type outcome struct {
		name      string
		protocol  Protocol
		answer    httpmock.Responder
		want      Session // when the start succeeds
		wantErr   error   // an outcome sentinel
		wantResp  int     // the status of a *ResponseError
		transport bool    // a *TransportError
		cleanup   bool    // a stop follows
	}
	legacyOK := Session{Protocol: Legacy, Room: mockRoom}
	tests := []outcome{
		// v1.5: bare answers, everything at 200.
		{name: "v1.5 started", protocol: Legacy, answer: jsonAnswer(200, v15StartOK), want: legacyOK},
		{name: "v1.5 busy", protocol: Legacy, answer: jsonAnswer(200, v15StartBusy), wantErr: ErrBusy},
		{name: "v1.5 failed", protocol: Legacy, answer: jsonAnswer(200, v15StartFailed), wantErr: ErrLaunchFailed, cleanup: true},
		{name: "v1.5 no room at 200", protocol: Legacy, answer: jsonAnswer(200, v15NoRoom), wantErr: ErrRejected},
		{name: "v1.5 unauthorized plain text", protocol: Legacy, answer: respond(401, "", v15Unauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		{name: "v1.5 unauthorized text/html", protocol: Legacy, answer: respond(401, "text/html", v15Unauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		// v1.6 and v1.7: "status": "success" whatever happened.
		{name: "v1.6 started", protocol: Legacy, answer: jsonAnswer(200, v16StartOK), want: legacyOK},
		{name: "v1.6 busy", protocol: Legacy, answer: jsonAnswer(200, v16StartBusy), wantErr: ErrBusy},
		{name: "v1.6 failed", protocol: Legacy, answer: jsonAnswer(200, v16StartFailed), wantErr: ErrLaunchFailed, cleanup: true},
		{name: "v1.6 no room", protocol: Legacy, answer: jsonAnswer(400, v16NoRoom), wantErr: ErrRejected},
		{name: "v1.6 unauthorized", protocol: Legacy, answer: respond(401, "", v16Unauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		{name: "v1.6 success without result", protocol: Legacy, answer: jsonAnswer(200, `{"status": "success", "details": {}}`), wantResp: 200, cleanup: true},
		{name: "v1.6 unknown result", protocol: Legacy, answer: jsonAnswer(200, `{"status": "success", "details": {"res": "maybe"}}`), wantResp: 200, cleanup: true},
		{name: "debug page", protocol: Legacy, answer: htmlAnswer(500, webpyDebugPage), wantResp: 500, cleanup: true},
		// web.py sets application/json before the script breaks, then the
		// debug page adds text/html: the first header is the JSON one.
		{name: "debug page after JSON header", protocol: Legacy,
			answer:   respond(500, "application/json", webpyDebugPage, "Content-Type", "text/html"),
			wantResp: 500, cleanup: true},
		{name: "debug page at 200", protocol: Legacy, answer: htmlAnswer(200, webpyDebugPage), wantResp: 200, cleanup: true},
		{name: "reverse proxy 502", protocol: Legacy, answer: htmlAnswer(502, "<html><body><h1>502 Bad Gateway</h1></body></html>"), wantResp: 502, cleanup: true},
		{name: "legacy empty body", protocol: Legacy, answer: jsonAnswer(200, ""), wantResp: 200, cleanup: true},
		{name: "legacy connection refused", protocol: Legacy, answer: connError(), transport: true, cleanup: true},

		// v1.8 proxy.
		{name: "proxy started", protocol: V18, answer: jsonAnswer(200, proxyStartOK),
			want: Session{Protocol: V18, Room: mockRoom, GatewayID: proxyGW}},
		{name: "proxy started, numeric gw_id", protocol: V18, answer: jsonAnswer(200, proxyStartOKNumber),
			want: Session{Protocol: V18, Room: mockRoom, GatewayID: proxyGW}},
		{name: "proxy started, address gw_id", protocol: V18,
			answer: jsonAnswer(200, `{"status": "success", "error": null, "data": {"processing_state": "working", "gw_id": "10.0.0.5-gw0"}}`),
			want:   Session{Protocol: V18, Room: mockRoom, GatewayID: "10.0.0.5-gw0"}},
		{name: "proxy all busy", protocol: V18, answer: jsonAnswer(503, proxyBusy), wantErr: ErrBusy},
		{name: "proxy launcher failure", protocol: V18, answer: jsonAnswer(503, proxyLaunchFailed), wantErr: ErrLaunchFailed, cleanup: true},
		{name: "proxy gateway timeout", protocol: V18, answer: jsonAnswer(504, proxyTimeout), wantErr: ErrLaunchFailed, cleanup: true},
		{name: "proxy validation", protocol: V18, answer: jsonAnswer(422, v18Invalid), wantErr: ErrRejected},
		{name: "proxy missing field", protocol: V18, answer: jsonAnswer(400, proxyMissing), wantErr: ErrRejected},
		{name: "proxy unauthorized", protocol: V18, answer: respond(401, "application/json", proxyUnauthStart, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		{name: "proxy success without gw_id", protocol: V18, answer: jsonAnswer(200, proxyStartNoID), wantResp: 200, cleanup: true},
		{name: "proxy unusable gw_id", protocol: V18,
			answer:   jsonAnswer(200, `{"status": "success", "error": null, "data": {"processing_state": "working", "gw_id": "a/../b"}}`),
			wantResp: 200, cleanup: true},
		{name: "proxy internal error", protocol: V18, answer: respond(500, "text/plain; charset=utf-8", starletteError), wantResp: 500, cleanup: true},
		{name: "proxy connection refused", protocol: V18, answer: connError(), transport: true, cleanup: true},

		// v1.8 launcher.
		{name: "launcher started", protocol: V18Launcher, answer: jsonAnswer(200, launcherStartOK),
			want: Session{Protocol: V18Launcher, Room: mockRoom, GatewayID: mockGW}},
		{name: "launcher started without gw_id", protocol: V18Launcher,
			answer: jsonAnswer(200, `{"status":"success","error":null,"data":{"processing_state":"working"}}`),
			want:   Session{Protocol: V18Launcher, Room: mockRoom, GatewayID: mockGW}},
		{name: "launcher script failed", protocol: V18Launcher, answer: jsonAnswer(404, launcherStartFailed), wantErr: ErrLaunchFailed, cleanup: true},
		{name: "launcher exception", protocol: V18Launcher, answer: jsonAnswer(500, launcherStartError), wantErr: ErrLaunchFailed, cleanup: true},
		{name: "launcher error at 200", protocol: V18Launcher,
			answer:  jsonAnswer(200, `{"status":"error","error":{"code":"GW_START_ERROR","message":"Failed to start gateway container"}}`),
			wantErr: ErrLaunchFailed, cleanup: true},
		{name: "launcher validation", protocol: V18Launcher, answer: jsonAnswer(422, v18Invalid), wantErr: ErrRejected},
		{name: "launcher HTML", protocol: V18Launcher, answer: htmlAnswer(502, "<html>Bad Gateway</html>"), wantResp: 502, cleanup: true},
		{name: "launcher connection refused", protocol: V18Launcher, answer: connError(), transport: true, cleanup: true},
	}
	for _, tt := range tests {
		t.Run(tt.protocol.String()+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, tt.protocol)
			method, path := startRoute(tt.protocol)
			m.on(method, path, tt.answer)
			onCleanup(m, tt.protocol)

			s, err := c.Start(context.Background(), validParams(tt.protocol))
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
				var oe *OpError
				require.ErrorAs(t, err, &oe)
				assert.Equal(t, "start", oe.Op)
			case tt.wantResp != 0:
				var re *ResponseError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tt.wantResp, re.StatusCode)
				assert.Equal(t, "start", re.Op)
			case tt.transport:
				var te *TransportError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, "start", te.Op)
			default:
				require.NoError(t, err)
				assert.Equal(t, tt.want, s)
			}
			if err != nil {
				assert.True(t, s.IsZero(), "a failed start returns the zero session")
				assertNoSecrets(t, "start error", err.Error())
				assert.NotContains(t, err.Error(), "SIPMediaGW.sh", "the body is never quoted")
			}
			assertCleanup(t, m, tt.protocol, tt.cleanup)
		})
	}
}

// A start is never retried, whatever the failure: the server may have
// started a container anyway.
func TestStartNeverRetried(t *testing.T) {
	t.Parallel()
	answers := map[string]httpmock.Responder{
		"503 HTML":     htmlAnswer(503, "<html>Service Unavailable</html>"),
		"503 busy":     jsonAnswer(503, proxyBusy),
		"500 debug":    htmlAnswer(500, webpyDebugPage),
		"502":          htmlAnswer(502, "<html>Bad Gateway</html>"),
		"429":          respond(429, "text/plain", "slow down", "Retry-After", "0"),
		"refused":      connError(),
		"500 launcher": jsonAnswer(500, launcherStartError),
	}
	for _, p := range allProtocols {
		for name, a := range answers {
			t.Run(p.String()+"/"+name, func(t *testing.T) {
				t.Parallel()
				c, m := newMock(t, p, WithRetries(5), WithCleanupAfterFailedStart(false))
				method, path := startRoute(p)
				m.on(method, path, a)
				_, err := c.Start(context.Background(), validParams(p))
				require.Error(t, err)
				assert.Equal(t, 1, m.count(method, path), "start sent once")
				assert.Len(t, m.all(), 1)
			})
		}
	}
}

// A start that times out is followed by a stop, sent on a context of its
// own.
func TestStartTimeoutCleanup(t *testing.T) {
	t.Parallel()
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p, WithStartTimeout(50*time.Millisecond))
			method, path := startRoute(p)
			m.on(method, path, blockUntilCancelled)
			onCleanup(m, p)
			_, err := c.Start(context.Background(), validParams(p))
			var te *TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "start", te.Op)
			assertNoSecrets(t, "timeout error", err.Error())
			assert.NotContains(t, err.Error(), "gw.example.org", "no URL in a transport error")
			assertCleanup(t, m, p, true)
		})
	}
}

// The caller giving up (a cancelled context) still leaves no container
// behind: the cleanup does not use the caller's context.
func TestStartCancelledCleanup(t *testing.T) {
	t.Parallel()
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p)
			method, path := startRoute(p)
			ctx, cancel := context.WithCancel(context.Background())
			m.on(method, path, func(req *http.Request) (*http.Response, error) {
				cancel() // the caller gives up while the server works
				return blockUntilCancelled(req)
			})
			onCleanup(m, p)
			_, err := c.Start(ctx, validParams(p))
			var te *TransportError
			require.ErrorAs(t, err, &te)
			require.ErrorIs(t, err, context.Canceled)
			assertCleanup(t, m, p, true)
		})
	}
}

func TestStartNoCleanupWhenDisabled(t *testing.T) {
	t.Parallel()
	failures := map[Protocol][]httpmock.Responder{
		Legacy:      {jsonAnswer(200, v16StartFailed), htmlAnswer(500, webpyDebugPage), blockUntilCancelled, connError()},
		V18:         {jsonAnswer(503, proxyLaunchFailed), jsonAnswer(200, proxyStartNoID), blockUntilCancelled, connError()},
		V18Launcher: {jsonAnswer(404, launcherStartFailed), jsonAnswer(500, launcherStartError), blockUntilCancelled, connError()},
	}
	for p, answers := range failures {
		for i, a := range answers {
			t.Run(p.String()+"/"+[]string{"failed", "unreadable", "timeout", "refused"}[i], func(t *testing.T) {
				t.Parallel()
				c, m := newMock(t, p, WithCleanupAfterFailedStart(false), WithStartTimeout(50*time.Millisecond))
				method, path := startRoute(p)
				m.on(method, path, a)
				_, err := c.Start(context.Background(), validParams(p))
				require.Error(t, err)
				assertCleanup(t, m, p, false)
			})
		}
	}
}

// A cleanup that fails is logged as an error; Start still returns the
// start's own error.
func TestStartCleanupFailureLogged(t *testing.T) {
	t.Parallel()
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			logger, lb := debugLogger()
			c, m := newMock(t, p, WithLogger(logger), WithRetries(1))
			method, path := startRoute(p)
			switch p {
			case Legacy:
				m.on(method, path, jsonAnswer(200, v16StartFailed))
				m.on(http.MethodGet, "/stop", htmlAnswer(500, webpyDebugPage))
			case V18:
				m.on(method, path, jsonAnswer(503, proxyLaunchFailed))
				m.on(http.MethodGet, "/status", connError())
			case V18Launcher:
				m.on(method, path, jsonAnswer(404, launcherStartFailed))
				m.on(http.MethodPost, "/gateway/stop", jsonAnswer(500, launcherStopError))
			}
			_, err := c.Start(context.Background(), validParams(p))
			require.ErrorIs(t, err, ErrLaunchFailed)
			out := lb.String()
			assert.Contains(t, out, "level=ERROR")
			assert.Contains(t, out, "cleanup after a failed start failed")
			assertNoSecrets(t, "log", out)
			assert.Len(t, m.all(), 3, "the start, then the cleanup's two attempts")
		})
	}
}

// The proxy's room lookup finding nothing means nothing to stop.
func TestStartProxyCleanupNothingToStop(t *testing.T) {
	t.Parallel()
	for name, lookup := range map[string]httpmock.Responder{
		"404":     jsonAnswer(404, proxyNoRoom),
		"stopped": jsonAnswer(200, proxyStatus("stopped")),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			logger, lb := debugLogger()
			c, m := newMock(t, V18, WithLogger(logger))
			m.on(http.MethodPost, "/start", jsonAnswer(504, proxyTimeout))
			m.on(http.MethodGet, "/status", lookup)
			m.on(http.MethodPost, "/stop", jsonAnswer(404, proxyNoMapping))
			_, err := c.Start(context.Background(), validParams(V18))
			require.ErrorIs(t, err, ErrLaunchFailed)
			assert.Equal(t, 1, m.count(http.MethodGet, "/status"))
			assert.NotContains(t, lb.String(), "level=ERROR", "a stop of nothing is a clean cleanup")
		})
	}
}

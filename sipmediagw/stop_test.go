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

// stopRoute is the method and path of a stop for each protocol.
func stopRoute(p Protocol) (string, string) {
	switch p {
	case Legacy:
		return http.MethodGet, "/stop"
	case V18:
		return http.MethodPost, "/stop"
	default:
		return http.MethodPost, "/gateway/stop"
	}
}

func TestStopRequest(t *testing.T) {
	t.Parallel()
	t.Run("legacy", func(t *testing.T) {
		t.Parallel()
		c, m := newMock(t, Legacy)
		m.on(http.MethodGet, "/stop", jsonAnswer(200, v16Stopped))
		require.NoError(t, c.Stop(context.Background(), sessionFor(Legacy)))
		req := m.only(http.MethodGet, "/stop")
		assert.Equal(t, url.Values{"room": {mockRoom}}, req.Query, "no force: v1.7 would remove instead of stopping")
		assert.Equal(t, []string{"Bearer " + mockToken}, req.Header.Values("Authorization"))
		assert.Empty(t, req.Body)
	})
	t.Run("v1.8 proxy", func(t *testing.T) {
		t.Parallel()
		c, m := newMock(t, V18)
		m.on(http.MethodPost, "/stop", jsonAnswer(200, proxyStopped))
		require.NoError(t, c.Stop(context.Background(), sessionFor(V18)))
		req := m.only(http.MethodPost, "/stop")
		assert.Empty(t, req.Query)
		assert.Equal(t, []string{"Bearer " + mockToken}, req.Header.Values("Authorization"))
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
		assert.Equal(t, map[string]any{"gw_id": proxyGW}, req.jsonBody(t))
	})
	t.Run("v1.8 launcher", func(t *testing.T) {
		t.Parallel()
		c, m := newMock(t, V18Launcher)
		m.on(http.MethodPost, "/gateway/stop", jsonAnswer(200, launcherStopped))
		require.NoError(t, c.Stop(context.Background(), sessionFor(V18Launcher)))
		req := m.only(http.MethodPost, "/gateway/stop")
		assert.False(t, hasAuth(req))
		assert.Equal(t, map[string]any{"gw_id": mockGW}, req.jsonBody(t))
	})
}

// Stop is idempotent: every "nothing is running" answer is success; real
// refusals are errors.
func TestStopOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		protocol Protocol
		answer   httpmock.Responder
		wantErr  error // nil: stopped
		wantResp int   // the status of a *ResponseError
		calls    int   // requests sent (retries included); 1 when 0
	}{
		{name: "v1.6 stopped", protocol: Legacy, answer: jsonAnswer(200, v16Stopped)},
		{name: "v1.6 nothing, empty output", protocol: Legacy, answer: jsonAnswer(200, v16StoppedEmpty)},
		{name: "v1.6 nothing, compose warning", protocol: Legacy, answer: jsonAnswer(200, v16StoppedWarn)},
		{name: "v1.5 nothing", protocol: Legacy, answer: jsonAnswer(200, v15Stopped)},
		{name: "v1.5 stopped", protocol: Legacy, answer: jsonAnswer(200, `{"res": "Container gw0  Stopping => Container gw0  Stopped => Container gw0  Removing"}`)},
		{name: "v1.5 no content type", protocol: Legacy, answer: respond(200, "", v15Stopped)},
		{name: "v1.7 nothing running", protocol: Legacy, answer: jsonAnswer(400, v17NothingToStop)},
		{name: "v1.7 nothing running at 200", protocol: Legacy, answer: jsonAnswer(200, v17NothingToStop)},
		{name: "nothing running, other words", protocol: Legacy, answer: jsonAnswer(400, `{"Error": "Warning: No resource found to remove"}`)},
		{name: "legacy no room", protocol: Legacy, answer: jsonAnswer(400, v16NoRoom), wantErr: ErrRejected},
		{name: "legacy v1.5 no room", protocol: Legacy, answer: jsonAnswer(200, v15NoRoom), wantErr: ErrRejected},
		{name: "legacy unauthorized", protocol: Legacy, answer: respond(401, "", v16Unauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		{name: "legacy v1.5 unauthorized", protocol: Legacy, answer: respond(401, "", v15Unauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		{name: "legacy forbidden", protocol: Legacy, answer: htmlAnswer(403, "<html>Forbidden</html>"), wantErr: ErrUnauthorized},
		{name: "legacy not a launcher", protocol: Legacy, answer: htmlAnswer(404, webpyNotFound), wantErr: ErrNotSupported},
		{name: "legacy debug page", protocol: Legacy, answer: htmlAnswer(500, webpyDebugPage), wantResp: 500, calls: 3},
		{name: "legacy HTML at 200", protocol: Legacy, answer: htmlAnswer(200, "<html><body>It works!</body></html>"), wantResp: 200},
		{name: "legacy not JSON", protocol: Legacy, answer: respond(200, "text/plain", "ok"), wantResp: 200},

		{name: "proxy stopped", protocol: V18, answer: jsonAnswer(200, proxyStopped)},
		{name: "proxy stopping", protocol: V18, answer: jsonAnswer(200, `{"status": "error", "error": null, "data": {"processing_state": "stopping"}}`)},
		{name: "proxy no mapping", protocol: V18, answer: jsonAnswer(404, proxyNoMapping)},
		{name: "proxy relays launcher's nothing", protocol: V18, answer: jsonAnswer(404, launcherNothing)},
		{name: "proxy refused", protocol: V18, answer: jsonAnswer(200, proxyStopRefused), wantErr: ErrRejected},
		{name: "proxy missing gw_id", protocol: V18, answer: jsonAnswer(400, proxyMissingGW), wantErr: ErrRejected},
		{name: "proxy validation", protocol: V18, answer: jsonAnswer(422, v18Invalid), wantErr: ErrRejected},
		{name: "proxy unauthorized", protocol: V18, answer: respond(401, "application/json", proxyUnauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		{name: "proxy 404 page", protocol: V18, answer: htmlAnswer(404, "<html>Not Found</html>"), wantErr: ErrNotSupported},
		{name: "proxy gateway timeout", protocol: V18, answer: jsonAnswer(504, proxyTimeout), wantResp: 504, calls: 3},

		{name: "launcher stopped", protocol: V18Launcher, answer: jsonAnswer(200, launcherStopped)},
		{name: "launcher nothing running", protocol: V18Launcher, answer: jsonAnswer(404, launcherNothing)},
		{name: "launcher gateway not found", protocol: V18Launcher, answer: jsonAnswer(404, launcherNotFound)},
		{name: "launcher exception", protocol: V18Launcher, answer: jsonAnswer(500, launcherStopError), wantResp: 500, calls: 3},
		{name: "launcher validation", protocol: V18Launcher, answer: jsonAnswer(422, v18Invalid), wantErr: ErrRejected},
	}
	for _, tt := range tests {
		t.Run(tt.protocol.String()+"/"+tt.name, func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, tt.protocol)
			method, path := stopRoute(tt.protocol)
			m.on(method, path, tt.answer)
			err := c.Stop(context.Background(), sessionFor(tt.protocol))
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
				var oe *OpError
				require.ErrorAs(t, err, &oe)
				assert.Equal(t, "stop", oe.Op)
			case tt.wantResp != 0:
				var re *ResponseError
				require.ErrorAs(t, err, &re)
				assert.Equal(t, tt.wantResp, re.StatusCode)
			default:
				require.NoError(t, err)
			}
			assert.NotErrorIs(t, err, ErrNotRunning, "Stop never returns ErrNotRunning")
			assertNoSecrets(t, "stop error", errorText(err))
			assert.Equal(t, max(tt.calls, 1), m.count(method, path))
		})
	}
}

// Stops are retried on connection errors and 5xx answers: retries+1
// attempts in all.
func TestStopRetries(t *testing.T) {
	t.Parallel()
	ok := map[Protocol]httpmock.Responder{
		Legacy:      jsonAnswer(200, v16Stopped),
		V18:         jsonAnswer(200, proxyStopped),
		V18Launcher: jsonAnswer(200, launcherStopped),
	}
	bad502 := htmlAnswer(502, "<html><head><title>502 Bad Gateway</title></head></html>")
	tests := []struct {
		name    string
		retries int
		answers func(p Protocol) []httpmock.Responder
		wantErr bool
		calls   int
	}{
		{name: "502 502 ok", retries: 2, answers: func(p Protocol) []httpmock.Responder { return []httpmock.Responder{bad502, bad502, ok[p]} }, calls: 3},
		{name: "refused refused ok", retries: 2, answers: func(p Protocol) []httpmock.Responder { return []httpmock.Responder{connError(), connError(), ok[p]} }, calls: 3},
		{name: "503 refused ok", retries: 2, answers: func(p Protocol) []httpmock.Responder {
			return []httpmock.Responder{htmlAnswer(503, "<html>busy</html>"), connError(), ok[p]}
		}, calls: 3},
		{name: "502 ok", retries: 2, answers: func(p Protocol) []httpmock.Responder { return []httpmock.Responder{bad502, ok[p]} }, calls: 2},
		{name: "always 502", retries: 2, answers: func(Protocol) []httpmock.Responder { return []httpmock.Responder{bad502} }, wantErr: true, calls: 3},
		{name: "always refused", retries: 2, answers: func(Protocol) []httpmock.Responder { return []httpmock.Responder{connError()} }, wantErr: true, calls: 3},
		{name: "four retries", retries: 4, answers: func(p Protocol) []httpmock.Responder {
			return []httpmock.Responder{bad502, bad502, bad502, bad502, ok[p]}
		}, calls: 5},
		{name: "four retries exhausted", retries: 4, answers: func(Protocol) []httpmock.Responder { return []httpmock.Responder{bad502} }, wantErr: true, calls: 5},
		{name: "no retry", retries: 0, answers: func(p Protocol) []httpmock.Responder { return []httpmock.Responder{bad502, ok[p]} }, wantErr: true, calls: 1},
		{name: "4xx not retried", retries: 2, answers: func(p Protocol) []httpmock.Responder {
			return []httpmock.Responder{respond(401, "application/json", proxyUnauth), ok[p]}
		}, wantErr: true, calls: 1},
		{name: "501 not retried", retries: 2, answers: func(p Protocol) []httpmock.Responder {
			return []httpmock.Responder{htmlAnswer(501, "<html>Not Implemented</html>"), ok[p]}
		}, wantErr: true, calls: 1},
	}
	for _, p := range allProtocols {
		for _, tt := range tests {
			t.Run(p.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				c, m := newMock(t, p, WithRetries(tt.retries))
				method, path := stopRoute(p)
				m.on(method, path, tt.answers(p)...)
				err := c.Stop(context.Background(), sessionFor(p))
				if tt.wantErr {
					require.Error(t, err)
					assertNoSecrets(t, "stop error", err.Error())
				} else {
					require.NoError(t, err)
				}
				assert.Equal(t, tt.calls, m.count(method, path))
				// Every attempt is the same request.
				for _, c := range m.all() {
					assert.Equal(t, m.all()[0].Body, c.Body)
					assert.Equal(t, m.all()[0].Query, c.Query)
				}
			})
		}
	}
}

// The last answer is kept when the retries are spent.
func TestStopRetriesKeepLastAnswer(t *testing.T) {
	t.Parallel()
	c, m := newMock(t, V18)
	m.on(http.MethodPost, "/stop", connError(), htmlAnswer(503, "<html>down</html>"), jsonAnswer(504, proxyTimeout))
	err := c.Stop(context.Background(), sessionFor(V18))
	var re *ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 504, re.StatusCode)
	assert.Equal(t, 3, m.count(http.MethodPost, "/stop"))
}

// A cancelled context stops the retries at once.
func TestStopCancelled(t *testing.T) {
	t.Parallel()
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p, WithRetries(5))
			method, path := stopRoute(p)
			ctx, cancel := context.WithCancel(context.Background())
			m.on(method, path, func(req *http.Request) (*http.Response, error) {
				cancel()
				return blockUntilCancelled(req)
			})
			err := c.Stop(ctx, sessionFor(p))
			var te *TransportError
			require.ErrorAs(t, err, &te)
			assert.Equal(t, "stop", te.Op)
			require.ErrorIs(t, err, context.Canceled)
			assert.Equal(t, 1, m.count(method, path))

			// Already cancelled: nothing worth sending.
			err = c.Stop(ctx, sessionFor(p))
			require.ErrorIs(t, err, context.Canceled)
			require.ErrorAs(t, err, &te)
		})
	}
}

package sipmediagw

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/internal/logx"
)

// Printing the client, with any verb, never shows the token.
func TestClientFormatHidesToken(t *testing.T) {
	t.Parallel()
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%t", "%o", "%b", "%e", "%g", "%c", "%U", "%T", "%p", "%10.3v", "%-20s"}
	for _, p := range []Protocol{Legacy, V18} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(mockBase, mockToken, WithProtocol(p))
			require.NoError(t, err)
			var leaking []string
			for _, verb := range verbs {
				if strings.Contains(fmt.Sprintf(verb, c), "TOKENMARKER") {
					leaking = append(leaking, verb)
				}
			}
			// A Client value, as the caller's struct holding one prints.
			if strings.Contains(fmt.Sprintf("%+v", *c), "TOKENMARKER") {
				leaking = append(leaking, "%+v of a Client value")
			}
			assert.Empty(t, leaking, "these fmt verbs print the token, e.g. %%#v gives %s", fmt.Sprintf("%#v", c))
			assert.Equal(t, "sipmediagw.Client{https://gw.example.org "+p.String()+"}", fmt.Sprint(c))
			assert.Equal(t, fmt.Sprint(c), fmt.Sprintf("%v", c))
			assert.NotContains(t, fmt.Sprintln(c), "TOKENMARKER")
		})
	}
}

// A Client inside a host's value, in an unexported field that fmt cannot
// call methods of, never shows the token either.
func TestNestedClientHidesToken(t *testing.T) {
	t.Parallel()
	c, err := NewClient(mockBase, mockToken)
	require.NoError(t, err)
	type host struct {
		name   string
		client Client
		ptr    *Client
	}
	h := host{name: "portal", client: *c, ptr: c}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d", "%t"} {
		assert.NotContains(t, fmt.Sprintf(verb, h), "TOKENMARKER", verb)
	}
	b, err := json.Marshal(struct{ C *Client }{c})
	require.NoError(t, err)
	assert.NotContains(t, string(b), "TOKENMARKER")
	lb := new(logx.Buffer)
	slog.New(slog.NewTextHandler(lb, nil)).Info("x", "host", h)
	assert.NotContains(t, lb.String(), "TOKENMARKER")
}

// Logging the client shows its server and protocol only.
func TestClientSlog(t *testing.T) {
	t.Parallel()
	c, err := NewClient(mockBase, mockToken, WithProtocol(V18))
	require.NoError(t, err)
	for name, h := range map[string]func(*logx.Buffer) slog.Handler{
		"text": func(lb *logx.Buffer) slog.Handler { return slog.NewTextHandler(lb, nil) },
		"json": func(lb *logx.Buffer) slog.Handler { return slog.NewJSONHandler(lb, nil) },
	} {
		lb := new(logx.Buffer)
		slog.New(h(lb)).Info("client", "client", c, slog.Any("any", c), slog.Group("g", "c", c))
		out := lb.String()
		assert.NotContains(t, out, "TOKENMARKER", name)
		assert.Contains(t, out, "gw.example.org", name)
		assert.Contains(t, out, "v1.8", name)
	}
}

// With a debug logger, a whole session's worth of operations (failures
// with answers that echo the secrets included) logs none of the secrets.
func TestLogsHideSecrets(t *testing.T) {
	t.Parallel()
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			logger, lb := debugLogger()
			c, m := newMock(t, p, WithLogger(logger))
			ctx := context.Background()
			method, path := startRoute(p)
			stopMethod, stopPath := stopRoute(p)
			switch p {
			case Legacy:
				m.on(method, path, htmlAnswer(500, webpyDebugPage), jsonAnswer(200, v16StartFailed), jsonAnswer(200, v16StartOK))
				m.on(stopMethod, stopPath, connError(), htmlAnswer(500, webpyDebugPage), jsonAnswer(200, v16Stopped))
				m.on(http.MethodGet, "/chat", jsonAnswer(200, legacyChatOK))
				m.on(http.MethodPost, "/chat", jsonAnswer(200, legacyChatOK))
			case V18:
				m.on(method, path, jsonAnswer(422, v18Invalid), jsonAnswer(503, proxyLaunchFailed), jsonAnswer(200, proxyStartOK))
				m.on(http.MethodGet, "/status", jsonAnswer(200, proxyStatus("started")))
				m.on(stopMethod, stopPath, connError(), jsonAnswer(504, proxyTimeout), jsonAnswer(200, proxyStopped))
				m.on(http.MethodPost, "/command", jsonAnswer(200, launcherCommandOK))
			case V18Launcher:
				m.on(method, path, jsonAnswer(422, v18Invalid), jsonAnswer(500, launcherStartError), jsonAnswer(200, launcherStartOK))
				// Free before each of the three starts, then streaming.
				free := recorded(realExchange(t, "v1.8.4/launcher-stop", "status-1-stopped"))
				m.on(http.MethodGet, "/gateway/status", free, free, free, jsonAnswer(200, launcherStatusUp))
				m.on(stopMethod, stopPath, connError(), jsonAnswer(500, launcherStopError), jsonAnswer(200, launcherStopped))
				m.on(http.MethodPost, "/gateway/command", jsonAnswer(200, launcherCommandOK))
			}
			m.on(http.MethodGet, "/progress", jsonAnswer(200, v17ProgressTrans))

			var errs []error
			_, err := c.Start(ctx, validParams(p)) // unreadable or rejected
			errs = append(errs, err)
			_, err = c.Start(ctx, validParams(p)) // failed, cleanup retried
			errs = append(errs, err)
			s, err := c.Start(ctx, validParams(p))
			require.NoError(t, err)
			errs = append(errs, c.ToggleChat(ctx, s), c.SendChat(ctx, s, "It's \"live\": rtmp key stays secret"))
			_, err = c.Status(ctx, s)
			errs = append(errs, err, c.Stop(ctx, s))
			require.Error(t, errs[0])
			require.Error(t, errs[1])

			out := lb.String()
			assertNoSecrets(t, "debug log", out)
			assert.NotContains(t, out, "rtmp://", "no RTMP URL in the log")
			assert.NotContains(t, out, "SIPMediaGW.sh", "no body in the log")
			// The logger was used: requests, the start failure, the cleanup.
			assert.Contains(t, out, "level=DEBUG")
			assert.Contains(t, out, "msg=\"sipmediagw request\"")
			assert.Contains(t, out, "op=start")
			assert.Contains(t, out, "start failed")
			assert.Contains(t, out, "stream started")
			for _, err := range errs {
				assertNoSecrets(t, "error", errorText(err))
			}
		})
	}
}

// Transport errors are *TransportError with the URL (and its query: the
// room, the page, the stream key) left out.
func TestTransportErrorRedactsURL(t *testing.T) {
	t.Parallel()
	type op struct {
		name string
		run  func(*Client) error
	}
	ops := func(p Protocol) []op {
		s := sessionFor(p)
		return []op{
			{"start", func(c *Client) error { _, err := c.Start(context.Background(), validParams(p)); return err }},
			{"stop", func(c *Client) error { return c.Stop(context.Background(), s) }},
			{"toggleChat", func(c *Client) error { return c.ToggleChat(context.Background(), s) }},
			{"sendChat", func(c *Client) error { return c.SendChat(context.Background(), s, "hello") }},
			{"status", func(c *Client) error { _, err := c.Status(context.Background(), s); return err }},
			{"probe", func(c *Client) error { return c.Probe(context.Background()) }},
		}
	}
	for _, p := range allProtocols {
		for _, o := range ops(p) {
			t.Run(p.String()+"/"+o.name, func(t *testing.T) {
				t.Parallel()
				mt := httpmock.NewMockTransport()
				mt.RegisterNoResponder(connError())
				tok := mockToken
				if p == V18Launcher {
					tok = ""
				}
				c, err := NewClient(mockBase, tok, WithProtocol(p), WithHTTPClient(&http.Client{Transport: mt}),
					WithRetryWait(0, 0), WithCleanupAfterFailedStart(false))
				require.NoError(t, err)
				err = o.run(c)
				var te *TransportError
				require.ErrorAs(t, err, &te)
				assert.Equal(t, o.name, te.Op)
				msg := err.Error()
				assert.Contains(t, msg, "connection refused")
				assert.True(t, strings.HasPrefix(msg, "sipmediagw: "+o.name+": "), msg)
				for _, leak := range []string{"?", "room=", "gw_id=", "gw.example.org", mockRoom, "rtmpDst", "https://"} {
					assert.NotContains(t, msg, leak)
				}
				assertNoSecrets(t, "transport error", msg)
				assert.NotNil(t, te.Unwrap())
			})
		}
	}
}

// A cancelled context gives a *TransportError matching context.Canceled,
// for every operation, before anything is sent.
func TestCancelledContext(t *testing.T) {
	t.Parallel()
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p, WithCleanupAfterFailedStart(false))
			m.mt.RegisterNoResponder(blockUntilCancelled) // whatever is sent never answers
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			s := sessionFor(p)
			_, startErr := c.Start(ctx, validParams(p))
			_, statusErr := c.Status(ctx, s)
			for name, err := range map[string]error{
				"start":  startErr,
				"stop":   c.Stop(ctx, s),
				"toggle": c.ToggleChat(ctx, s),
				"send":   c.SendChat(ctx, s, "hello"),
				"status": statusErr,
				"probe":  c.Probe(ctx),
			} {
				var te *TransportError
				require.ErrorAs(t, err, &te, name)
				assert.ErrorIs(t, err, context.Canceled, name)
			}
		})
	}
}

// OpError's Detail quotes the server's words. When those words echo what
// the client sent (a failing command line, a refused header, a URL), the
// secrets the client knows (the token, the RTMP URL and its key, the
// page's domain) must not come back in the error.
func TestErrorDetailRedactsSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		protocol Protocol
		answer   httpmock.Responder
		wantErr  error
	}{
		{name: "legacy failure quoting the RTMP URL", protocol: Legacy,
			answer:  jsonAnswer(200, `{"status": "success", "details": {"res": "error", "type": "The gateway failed to launch: ffmpeg `+mockRTMP+`: Connection refused"}}`),
			wantErr: ErrLaunchFailed},
		{name: "legacy refusal quoting the query", protocol: Legacy,
			answer:  jsonAnswer(400, `{"Error": "bad request: domain=`+mockDomain+`&rtmpDst=`+mockRTMP+`"}`),
			wantErr: ErrRejected},
		{name: "legacy refusal quoting the header", protocol: Legacy,
			answer:  jsonAnswer(400, `{"Error": "malformed header Authorization: Bearer `+mockToken+`"}`),
			wantErr: ErrRejected},
		{name: "launcher exception quoting the command", protocol: V18Launcher,
			answer: jsonAnswer(500, `{"status":"error","error":{"code":500,"detail":"Failed to start gateway: Command '['./SIPMediaGW.sh', '-r', '`+
				mockRoom+`', '-u', '`+mockRTMP+`', '-g', 'gw1']' returned non-zero exit status 1."},"data":null}`),
			wantErr: ErrLaunchFailed},
		{name: "proxy validation detail quoting the body", protocol: V18,
			answer:  jsonAnswer(400, `{"status":"error","error":{"code":400,"detail":"unexpected rtmp_dst '`+mockRTMP+`'"},"data":null}`),
			wantErr: ErrRejected},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, tt.protocol, WithCleanupAfterFailedStart(false))
			method, path := startRoute(tt.protocol)
			m.on(method, path, tt.answer)
			_, err := c.Start(context.Background(), validParams(tt.protocol))
			require.ErrorIs(t, err, tt.wantErr)
			assertNoSecrets(t, "start error", err.Error())
		})
	}
}

// A v1.8 room is the path of the bot's page on the portal, credential
// included: a server's words quoting it lose it.
func TestErrorDetailRedactsTheRoomsCredential(t *testing.T) {
	t.Parallel()
	const secret = "5f3c9a7e1b2d4c6f8a0e9d7c5b3a1f2e4d6c8b0a9f7e5d3c"
	room := "bot/0123456789abcdef01234567/" + secret + "/b1a2b3c4d5"
	for _, p := range []Protocol{V18, V18Launcher} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p, WithCleanupAfterFailedStart(false))
			method, path := startRoute(p)
			m.on(method, path, jsonAnswer(400, `{"status":"error","error":{"code":400,"detail":"bad room '`+room+`' (`+secret+`)"},"data":null}`))
			params := validParams(p)
			params.Room = room
			_, err := c.Start(context.Background(), params)
			require.ErrorIs(t, err, ErrRejected)
			assert.NotContains(t, err.Error(), secret)
		})
	}
	c, m := newMock(t, V18)
	m.on(http.MethodGet, "/status", jsonAnswer(400, `{"status":"error","error":{"code":400,"detail":"no room `+room+`"},"data":null}`))
	err := c.StopRoom(context.Background(), room)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret, "the stop by room")
}

// Details are cut at 200 bytes; the cut must not split a character (the
// error text would not be valid UTF-8 any more).
func TestErrorDetailValidUTF8(t *testing.T) {
	t.Parallel()
	c, m := newMock(t, Legacy, WithCleanupAfterFailedStart(false))
	detail := strings.Repeat("x", 199) + "éèà"
	m.on(http.MethodGet, "/start", jsonAnswer(200, `{"status": "success", "details": {"res": "error", "type": "`+detail+`"}}`))
	_, err := c.Start(context.Background(), validParams(Legacy))
	require.ErrorIs(t, err, ErrLaunchFailed)
	assert.True(t, utf8.ValidString(err.Error()), "error text is not UTF-8: %q", err.Error())
	var oe *OpError
	require.ErrorAs(t, err, &oe)
	assert.Less(t, len(oe.Error()), 300, "long details are cut")
}

// The server's words lose their control characters: no forged log lines.
func TestErrorDetailNoControlCharacters(t *testing.T) {
	t.Parallel()
	c, m := newMock(t, Legacy)
	m.on(http.MethodGet, "/stop", jsonAnswer(400, `{"Error": "refused\nlevel=INFO msg=\"all good\"\r\u0000"}`))
	err := c.Stop(context.Background(), sessionFor(Legacy))
	require.ErrorIs(t, err, ErrRejected)
	assert.NotContains(t, err.Error(), "\n")
	assert.NotContains(t, err.Error(), "\r")
	assert.NotContains(t, err.Error(), "\x00")
	assert.Contains(t, err.Error(), "refused")
}

// Error types print their parts and unwrap to their cause.
func TestErrorTypes(t *testing.T) {
	t.Parallel()
	pe := &ParamError{Op: "start", Param: "room", Reason: "required"}
	assert.Equal(t, "sipmediagw: start: parameter room: required", pe.Error())
	assert.ErrorIs(t, pe, ErrInvalidParam)

	oe := &OpError{Op: "start", StatusCode: 200, Detail: "No free resources found", Err: ErrBusy}
	assert.Equal(t, "sipmediagw: start: sipmediagw: no free resources (No free resources found)", oe.Error())
	assert.ErrorIs(t, oe, ErrBusy)
	assert.Equal(t, "sipmediagw: stop: sipmediagw: unauthorized (check the token)", (&OpError{Op: "stop", Err: ErrUnauthorized}).Error())

	re := &ResponseError{Op: "stop", StatusCode: 500, ContentType: "text/html", Reason: "HTML page instead of JSON"}
	assert.Equal(t, "sipmediagw: stop: unexpected answer (HTTP 500, text/html): HTML page instead of JSON", re.Error())
	assert.Contains(t, (&ResponseError{Op: "x", StatusCode: 200}).Error(), "no content type")

	te := &TransportError{Op: "probe", Err: context.DeadlineExceeded}
	assert.Equal(t, "sipmediagw: probe: context deadline exceeded", te.Error())
	assert.ErrorIs(t, te, context.DeadlineExceeded)

	// The sentinels are distinct.
	sentinels := []error{ErrBusy, ErrLaunchFailed, ErrUnauthorized, ErrNotRunning, ErrNotSupported, ErrRejected, ErrInvalidParam,
		ErrInvalidBaseURL, ErrInsecureURL, ErrWeakToken}
	for i, a := range sentinels {
		for j, b := range sentinels {
			assert.Equal(t, i == j, a == b)
		}
	}
}

// HTTPS is the default so the token and the stream key never travel in
// clear: a redirect (a misconfigured reverse proxy, a hijacked vhost)
// must not take them to plain HTTP. The APIs never redirect, so following
// no redirect at all is fine too.
func TestRedirectToPlainHTTP(t *testing.T) {
	t.Parallel()
	for _, p := range []Protocol{Legacy, V18} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p, WithCleanupAfterFailedStart(false))
			method, path := startRoute(p)
			status := http.StatusFound
			if method == http.MethodPost {
				status = http.StatusTemporaryRedirect // keeps the method and the body
			}
			m.on(method, path, func(req *http.Request) (*http.Response, error) {
				u := *req.URL
				u.Scheme = "http"
				return respond(status, "text/html", "<html>moved</html>", "Location", u.String())(req)
			})
			var plain []call
			m.mt.RegisterResponder(method, "http://gw.example.org"+path, func(req *http.Request) (*http.Response, error) {
				plain = append(plain, m.record(req))
				return httpmock.NewStringResponse(200, map[Protocol]string{Legacy: v16StartOK, V18: proxyStartOK}[p]), nil
			})
			_, _ = c.Start(context.Background(), validParams(p))
			for _, req := range plain {
				assert.False(t, hasAuth(req), "the token was sent over plain HTTP after a redirect")
				assert.NotContains(t, req.Query.Encode()+string(req.Body), mockKey, "the stream key was sent over plain HTTP after a redirect")
			}
		})
	}
}

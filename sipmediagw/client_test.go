package sipmediagw

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/internal/logx"
)

func TestNewClientBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		base    string
		opts    []Option
		wantErr error
		want    string // String() of the client
	}{
		{name: "https", base: "https://gw.example.org", want: "sipmediagw.Client{https://gw.example.org legacy}"},
		{name: "trailing slash and spaces", base: "  https://gw.example.org/ ", want: "sipmediagw.Client{https://gw.example.org legacy}"},
		{name: "path prefix", base: "https://gw.example.org/sipgw/", want: "sipmediagw.Client{https://gw.example.org/sipgw legacy}"},
		{name: "port", base: "https://gw.example.org:8443", want: "sipmediagw.Client{https://gw.example.org:8443 legacy}"},
		{name: "plain http refused", base: "http://gw.example.org:8080", wantErr: ErrInsecureURL},
		{name: "plain http allowed", base: "http://gw.example.org:8080", opts: []Option{WithInsecureHTTP()},
			want: "sipmediagw.Client{http://gw.example.org:8080 legacy}"},
		{name: "upper-case scheme", base: "HTTPS://gw.example.org", want: "sipmediagw.Client{https://gw.example.org legacy}"},
		{name: "ftp", base: "ftp://gw.example.org", wantErr: ErrInvalidBaseURL},
		{name: "ws", base: "wss://gw.example.org", wantErr: ErrInvalidBaseURL},
		{name: "no scheme", base: "gw.example.org:8080", wantErr: ErrInvalidBaseURL},
		{name: "bare host", base: "gw.example.org", wantErr: ErrInvalidBaseURL},
		{name: "empty", base: "", wantErr: ErrInvalidBaseURL},
		{name: "no host", base: "https://", wantErr: ErrInvalidBaseURL},
		{name: "no host with path", base: "https:///start", wantErr: ErrInvalidBaseURL},
		{name: "query", base: "https://gw.example.org/?token=" + mockToken, wantErr: ErrInvalidBaseURL},
		{name: "empty query", base: "https://gw.example.org/?x", wantErr: ErrInvalidBaseURL},
		{name: "fragment", base: "https://gw.example.org/#" + mockToken, wantErr: ErrInvalidBaseURL},
		{name: "credentials", base: "https://admin:" + mockToken + "@gw.example.org", wantErr: ErrInvalidBaseURL},
		{name: "user only", base: "https://admin@gw.example.org", wantErr: ErrInvalidBaseURL},
		{name: "unparsable", base: "https://gw.example.org:port", wantErr: ErrInvalidBaseURL},
		{name: "control character", base: "https://gw.example.org/\x7f" + mockToken, wantErr: ErrInvalidBaseURL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(tt.base, mockToken, tt.opts...)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				assert.Nil(t, c)
				assertNoSecrets(t, "NewClient error", err.Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, c.String())
			assert.Equal(t, Legacy, c.Protocol())
		})
	}
}

// The base URL's path prefix is kept in front of every route.
func TestNewClientPathPrefix(t *testing.T) {
	t.Parallel()
	mt := httpmock.NewMockTransport()
	var got string
	mt.RegisterResponder(http.MethodGet, "https://gw.example.org/sipgw/stop", func(req *http.Request) (*http.Response, error) {
		got = req.URL.String()
		return httpmock.NewStringResponse(200, v16StoppedEmpty), nil
	})
	c, err := NewClient("https://gw.example.org/sipgw/", mockToken, WithHTTPClient(&http.Client{Transport: mt}))
	require.NoError(t, err)
	require.NoError(t, c.Stop(context.Background(), Session{Protocol: Legacy, Room: mockRoom}))
	assert.Equal(t, "https://gw.example.org/sipgw/stop?room="+mockRoom, got)
}

func TestNewClientInsecureHTTPWarning(t *testing.T) {
	t.Parallel()
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			lb := new(logx.Buffer)
			logger := slog.New(slog.NewJSONHandler(lb, &slog.HandlerOptions{Level: slog.LevelDebug}))
			tok := mockToken
			if p == V18Launcher {
				tok = ""
			}
			_, err := NewClient("http://gw.example.org:8080", tok, WithProtocol(p), WithLogger(logger))
			require.ErrorIs(t, err, ErrInsecureURL)
			assert.Empty(t, lb.String(), "nothing is logged for a refused client")

			c, err := NewClient("http://gw.example.org:8080", tok, WithProtocol(p), WithLogger(logger), WithInsecureHTTP())
			require.NoError(t, err)
			require.NotNil(t, c)
			out := lb.String()
			assert.Equal(t, 1, strings.Count(out, "\n"), "one warning: %s", out)
			assert.Contains(t, out, `"level":"WARN"`)
			assert.Contains(t, out, "plain HTTP")
			assert.Contains(t, out, "gw.example.org:8080")
			assert.Contains(t, out, p.String())
			assertNoSecrets(t, "plain-HTTP warning", out)
		})
	}
	// No logger: nothing to write to, no panic.
	_, err := NewClient("http://gw.example.org:8080", mockToken, WithInsecureHTTP())
	require.NoError(t, err)
}

// HTTPS is not worth a warning.
func TestNewClientHTTPSLogsNothing(t *testing.T) {
	t.Parallel()
	logger, lb := debugLogger()
	_, err := NewClient(mockBase, mockToken, WithLogger(logger))
	require.NoError(t, err)
	assert.Empty(t, lb.String())
}

func TestNewClientToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		protocol Protocol
		token    string
		opts     []Option
		wantErr  error // nil: accepted
		anyErr   bool  // an error that is no sentinel
	}{
		{name: "strong legacy", protocol: Legacy, token: mockToken},
		{name: "strong proxy", protocol: V18, token: mockToken},
		{name: "eight characters", protocol: Legacy, token: "abcdefgh"},
		{name: "default legacy", protocol: Legacy, token: DefaultToken, wantErr: ErrWeakToken},
		{name: "default proxy", protocol: V18, token: "1234", wantErr: ErrWeakToken},
		{name: "default allowed", protocol: Legacy, token: "1234", opts: []Option{WithInsecureToken()}},
		{name: "default allowed proxy", protocol: V18, token: "1234", opts: []Option{WithInsecureToken()}},
		{name: "seven characters", protocol: Legacy, token: "abcdefg", wantErr: ErrWeakToken},
		{name: "short allowed", protocol: V18, token: "abc", opts: []Option{WithInsecureToken()}},
		{name: "empty legacy", protocol: Legacy, token: "", wantErr: ErrWeakToken},
		{name: "empty proxy", protocol: V18, token: "", wantErr: ErrWeakToken},
		{name: "empty even when weak is allowed", protocol: Legacy, token: "", opts: []Option{WithInsecureToken()}, anyErr: true},
		{name: "space", protocol: Legacy, token: "TOKENMARKER with space", anyErr: true},
		{name: "leading space", protocol: V18, token: " TOKENMARKER-x", anyErr: true},
		{name: "trailing newline", protocol: Legacy, token: "TOKENMARKER-x\n", anyErr: true},
		{name: "CRLF header injection", protocol: V18, token: "TOKENMARKER\r\nX-Evil: 1", anyErr: true},
		{name: "tab", protocol: Legacy, token: "TOKEN\tMARKER", anyErr: true},
		{name: "NUL", protocol: Legacy, token: "TOKENMARKER\x00", anyErr: true},
		{name: "DEL", protocol: V18, token: "TOKENMARKER\x7f", anyErr: true},
		{name: "control even when weak is allowed", protocol: V18, token: "a b", opts: []Option{WithInsecureToken()}, anyErr: true},
		{name: "launcher empty", protocol: V18Launcher, token: ""},
		{name: "launcher default ignored", protocol: V18Launcher, token: "1234"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]Option{WithProtocol(tt.protocol)}, tt.opts...)
			c, err := NewClient(mockBase, tt.token, opts...)
			switch {
			case tt.wantErr != nil:
				require.ErrorIs(t, err, tt.wantErr)
			case tt.anyErr:
				require.Error(t, err)
				assert.NotErrorIs(t, err, ErrWeakToken)
			default:
				require.NoError(t, err)
				require.NotNil(t, c)
				assert.Equal(t, tt.protocol, c.Protocol())
				return
			}
			assert.Nil(t, c)
			assertNoSecrets(t, "token error", err.Error())
			if tt.token != "" {
				assert.NotContains(t, err.Error(), tt.token)
			}
		})
	}
}

func TestNewClientProtocol(t *testing.T) {
	t.Parallel()
	for _, p := range []Protocol{0, 4, 255} {
		c, err := NewClient(mockBase, mockToken, WithProtocol(p))
		require.Error(t, err, "protocol %d", p)
		assert.Nil(t, c)
		assert.Contains(t, err.Error(), "invalid protocol")
	}
	for _, p := range allProtocols {
		c, err := NewClient(mockBase, mockToken, WithProtocol(p))
		require.NoError(t, err)
		assert.Equal(t, p, c.Protocol())
		assert.Contains(t, c.String(), p.String())
	}
}

func TestProtocolNames(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "legacy", Legacy.String())
	assert.Equal(t, "v1.8", V18.String())
	assert.Equal(t, "v1.8-launcher", V18Launcher.String())
	assert.Equal(t, "Protocol(0)", Protocol(0).String())
	assert.Equal(t, "Protocol(9)", Protocol(9).String())

	tests := []struct {
		in   string
		want Protocol
	}{
		{"legacy", Legacy}, {"v1.5", Legacy}, {"v1.6", Legacy}, {"v1.7", Legacy},
		{"1.5", Legacy}, {"1.6", Legacy}, {"1.7", Legacy},
		{"v1.8", V18}, {"1.8", V18}, {"v18", V18}, {"proxy", V18},
		{"v1.8-launcher", V18Launcher}, {"1.8-launcher", V18Launcher}, {"launcher", V18Launcher},
		{"", 0}, {"Legacy", 0}, {"v1.9", 0}, {"1.5.5", 0}, {" legacy", 0},
	}
	for _, tt := range tests {
		got, err := ParseProtocol(tt.in)
		if tt.want == 0 {
			assert.Error(t, err, "%q", tt.in)
			continue
		}
		require.NoError(t, err, "%q", tt.in)
		assert.Equal(t, tt.want, got, "%q", tt.in)
		// The name round-trips.
		back, err := ParseProtocol(got.String())
		require.NoError(t, err)
		assert.Equal(t, got, back)
	}
}

// Options reach the requests: user agent, v1.8 main_app and browsing_name.
func TestOptionsReachRequests(t *testing.T) {
	t.Parallel()
	c, m := newMock(t, V18, WithUserAgent("pod-webinar/4.0"), WithMainApp("recording"), WithBrowsingName("webinaire"))
	m.on(http.MethodPost, "/start", jsonAnswer(200, proxyStartOK))
	_, err := c.Start(context.Background(), validParams(V18))
	require.NoError(t, err)
	req := m.only(http.MethodPost, "/start")
	assert.Equal(t, "pod-webinar/4.0", req.Header.Get("User-Agent"))
	body := req.jsonBody(t)
	assert.Equal(t, "recording", body["main_app"])
	assert.Equal(t, "webinaire", body["browsing_name"])
	assert.Equal(t, "webinaire", body["browsing"])
}

// The client is safe for concurrent use.
func TestClientConcurrentUse(t *testing.T) {
	t.Parallel()
	for _, p := range allProtocols {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p)
			switch p {
			case Legacy:
				m.on(http.MethodGet, "/stop", respond(502, "text/html", "<html>bad gateway</html>"), jsonAnswer(200, v16Stopped))
				m.on(http.MethodGet, "/progress", jsonAnswer(200, v17ProgressUp))
			case V18:
				m.on(http.MethodPost, "/stop", jsonAnswer(200, proxyStopped))
				m.on(http.MethodGet, "/status", jsonAnswer(200, proxyStatus("started")))
			case V18Launcher:
				m.on(http.MethodPost, "/gateway/stop", jsonAnswer(200, launcherStopped))
				m.on(http.MethodGet, "/gateway/status", jsonAnswer(200, launcherStatusUp))
			}
			ctx := context.Background()
			errs := make(chan error, 16)
			for range 8 {
				go func() { errs <- c.Stop(ctx, sessionFor(p)) }()
				go func() { _, err := c.Status(ctx, sessionFor(p)); errs <- err }()
			}
			for range 16 {
				assert.NoError(t, <-errs)
			}
		})
	}
}

func TestSessionHandleRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		session Session
		handle  string
	}{
		{Session{Protocol: Legacy, Room: mockRoom}, "legacy:" + mockRoom},
		{Session{Protocol: Legacy, Room: "webinar_2024-06"}, "legacy:webinar_2024-06"},
		{Session{Protocol: V18, GatewayID: "3"}, "v1.8:3"},
		{Session{Protocol: V18, GatewayID: "10.0.0.5-gw0"}, "v1.8:10.0.0.5-gw0"},
		{Session{Protocol: V18, GatewayID: "host:8100"}, "v1.8:host:8100"},
		{Session{Protocol: V18Launcher, GatewayID: mockGW}, "v1.8-launcher:" + mockGW},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.handle, tt.session.Handle())
		assert.Equal(t, tt.handle, tt.session.String())
		assert.Equal(t, tt.handle, fmt.Sprint(tt.session))
		assert.False(t, tt.session.IsZero())
		got, err := ParseSession(tt.handle)
		require.NoError(t, err, tt.handle)
		assert.Equal(t, tt.session, got)
		assert.Equal(t, tt.handle, got.Handle())
	}
	// v1.8 sessions keep only the gateway: the room is not part of the
	// handle.
	s := Session{Protocol: V18, Room: mockRoom, GatewayID: proxyGW}
	got, err := ParseSession(s.Handle())
	require.NoError(t, err)
	assert.Equal(t, Session{Protocol: V18, GatewayID: proxyGW}, got)
	// Launcher versions are accepted as protocol names.
	got, err = ParseSession("1.6:" + mockRoom)
	require.NoError(t, err)
	assert.Equal(t, Session{Protocol: Legacy, Room: mockRoom}, got)
}

func TestSessionLogValue(t *testing.T) {
	t.Parallel()
	lb := new(logx.Buffer)
	slog.New(slog.NewTextHandler(lb, nil)).Info("x", "session", Session{Protocol: V18, Room: mockRoom, GatewayID: proxyGW})
	assert.Contains(t, lb.String(), "session=v1.8:3")
	assert.NotContains(t, lb.String(), mockRoom)
}

func TestParseSessionMalformed(t *testing.T) {
	t.Parallel()
	for _, h := range []string{
		"", "legacy", "legacy:", ":", ":" + mockRoom, "v1.8", "v1.8:", "v1.8-launcher:",
		"v2:3", "LEGACY:" + mockRoom, "Protocol(0):", "nope:x", " legacy:x",
	} {
		s, err := ParseSession(h)
		assert.Error(t, err, "%q", h)
		assert.True(t, s.IsZero(), "%q gives %+v", h, s)
	}
}

func TestZeroSession(t *testing.T) {
	t.Parallel()
	var s Session
	assert.True(t, s.IsZero())
	_, err := ParseSession(s.Handle())
	assert.Error(t, err, "the zero session's handle %q does not parse", s.Handle())

	for _, p := range allProtocols {
		c, m := newMock(t, p)
		ctx := context.Background()
		requireParamError(t, c.Stop(ctx, s), "session")
		requireParamError(t, c.ToggleChat(ctx, s), "session")
		requireParamError(t, c.SendChat(ctx, s, "hello"), "session")
		_, err := c.Status(ctx, s)
		requireParamError(t, err, "session")
		assert.Empty(t, m.all())
	}
}

// A session made by a client of another protocol is refused before any
// request, as is a session of the right protocol without its handle.
func TestSessionOfAnotherProtocol(t *testing.T) {
	t.Parallel()
	sessions := []Session{
		{Protocol: Legacy, Room: mockRoom},
		{Protocol: V18, GatewayID: proxyGW},
		{Protocol: V18Launcher, GatewayID: mockGW},
		{Protocol: Protocol(7), GatewayID: proxyGW},
	}
	for _, p := range allProtocols {
		for _, s := range sessions {
			if s.Protocol == p {
				continue
			}
			t.Run(p.String()+"/"+s.Protocol.String(), func(t *testing.T) {
				t.Parallel()
				c, m := newMock(t, p)
				ctx := context.Background()
				requireParamError(t, c.Stop(ctx, s), "session")
				requireParamError(t, c.ToggleChat(ctx, s), "session")
				requireParamError(t, c.SendChat(ctx, s, "hello"), "session")
				_, err := c.Status(ctx, s)
				requireParamError(t, err, "session")
				assert.Empty(t, m.all())
			})
		}
	}
	// The right protocol, a bad handle.
	bad := map[Protocol][]Session{
		Legacy:      {{Protocol: Legacy}, {Protocol: Legacy, Room: "Upper"}, {Protocol: Legacy, Room: "0"}, {Protocol: Legacy, Room: "a b"}},
		V18:         {{Protocol: V18, Room: mockRoom}, {Protocol: V18, GatewayID: "a/b"}, {Protocol: V18, GatewayID: "3?x=1"}},
		V18Launcher: {{Protocol: V18Launcher}, {Protocol: V18Launcher, GatewayID: "gw 1"}, {Protocol: V18Launcher, GatewayID: strings.Repeat("g", 65)}},
	}
	for p, ss := range bad {
		c, m := newMock(t, p)
		for _, s := range ss {
			err := c.Stop(context.Background(), s)
			require.ErrorIs(t, err, ErrInvalidParam, "%+v", s)
		}
		assert.Empty(t, m.all())
	}
}

func TestStartValidation(t *testing.T) {
	t.Parallel()
	type edit func(*StartParams)
	room := func(r string) edit { return func(p *StartParams) { p.Room = r } }
	domain := func(d string) edit { return func(p *StartParams) { p.Domain = d } }
	rtmp := func(u string) edit { return func(p *StartParams) { p.RTMPURL = u } }
	gw := func(id string) edit { return func(p *StartParams) { p.GatewayID = id } }
	tests := []struct {
		name      string
		protocols []Protocol
		edit      edit
		param     string // "" when the parameters are valid
	}{
		// Legacy rooms are Docker Compose project names.
		{"legacy room 0", []Protocol{Legacy}, room("0"), "room"},
		{"legacy room empty", []Protocol{Legacy}, room(""), "room"},
		{"legacy room upper case", []Protocol{Legacy}, room("A1b2c3d4e5"), "room"},
		{"legacy room leading dash", []Protocol{Legacy}, room("-a1b2c3"), "room"},
		// v1.7's stop strips trailing '-' and '_' and would never find it.
		{"legacy room trailing dash", []Protocol{Legacy}, room("a1b2c3-"), "room"},
		{"legacy room trailing underscore", []Protocol{Legacy}, room("a1b2c3_"), "room"},
		{"legacy room leading underscore", []Protocol{Legacy}, room("_a1b2c3"), "room"},
		{"legacy room 64 characters", []Protocol{Legacy}, room(strings.Repeat("a", 64)), "room"},
		{"legacy room 63 characters", []Protocol{Legacy}, room(strings.Repeat("a", 63)), ""},
		{"legacy room single quote", []Protocol{Legacy}, room("a1b2'c3"), "room"},
		{"legacy room double quote", []Protocol{Legacy}, room(`a1b2"c3`), "room"},
		{"legacy room slash", []Protocol{Legacy}, room("a1b2/c3"), "room"},
		{"legacy room dot", []Protocol{Legacy}, room("a1b2.c3"), "room"},
		{"legacy room space", []Protocol{Legacy}, room("a1b2 c3"), "room"},
		{"legacy room non-ASCII", []Protocol{Legacy}, room("salle-é"), "room"},
		{"legacy room digits dash underscore", []Protocol{Legacy}, room("0a_b-c"), ""},
		{"legacy room single character", []Protocol{Legacy}, room("a"), ""},
		// v1.8 rooms: at least 5 characters of [a-zA-Z0-9-_/].
		{"v1.8 room 4 characters", []Protocol{V18, V18Launcher}, room("abcd"), "room"},
		{"v1.8 room empty", []Protocol{V18, V18Launcher}, room(""), "room"},
		{"v1.8 room dot", []Protocol{V18, V18Launcher}, room("abc.def"), "room"},
		{"v1.8 room space", []Protocol{V18, V18Launcher}, room("abc def"), "room"},
		{"v1.8 room quote", []Protocol{V18, V18Launcher}, room("abc'def"), "room"},
		{"v1.8 room query", []Protocol{V18, V18Launcher}, room("abcde?x=1"), "room"},
		{"v1.8 room 5 characters", []Protocol{V18, V18Launcher}, room("abcde"), ""},
		{"v1.8 room upper case and slash", []Protocol{V18, V18Launcher}, room("Room/A_b-1"), ""},
		{"v1.8 room 0 allowed length", []Protocol{V18, V18Launcher}, room("00000"), ""},
		// Domains: host and path of the legacy bot's page, no shell
		// metacharacters.
		{"domain empty", []Protocol{Legacy}, domain(""), "domain"},
		{"domain single quote", []Protocol{Legacy}, domain("pod.example.org/it's"), "domain"},
		{"domain double quote", []Protocol{Legacy}, domain(`pod.example.org/"x"`), "domain"},
		{"domain backquote", []Protocol{Legacy}, domain("pod.example.org/`id`"), "domain"},
		{"domain backslash", []Protocol{Legacy}, domain(`pod.example.org\x`), "domain"},
		{"domain dollar", []Protocol{Legacy}, domain("pod.example.org/$HOME"), "domain"},
		{"domain space", []Protocol{Legacy}, domain("pod.example.org/a b"), "domain"},
		{"domain newline", []Protocol{Legacy}, domain("pod.example.org/\nx"), "domain"},
		{"domain NBSP", []Protocol{Legacy}, domain("pod.example.org/a\u00a0b"), "domain"},
		{"domain invalid UTF-8", []Protocol{Legacy}, domain("pod.example.org/\xff"), "domain"},
		{"domain scheme", []Protocol{Legacy}, domain("https://pod.example.org/meeting"), "domain"},
		{"domain query", []Protocol{Legacy}, domain("pod.example.org/meeting?x=1"), "domain"},
		{"domain fragment", []Protocol{Legacy}, domain("pod.example.org/meeting#x"), "domain"},
		{"domain credentials", []Protocol{Legacy}, domain("user@pod.example.org/meeting"), "domain"},
		{"domain no host", []Protocol{Legacy}, domain("/meeting/42"), "domain"},
		{"domain host only", []Protocol{Legacy}, domain("pod.example.org"), ""},
		{"domain host and port", []Protocol{Legacy}, domain("pod.example.org:8443/meeting/42/x"), ""},
		// Ignored by v1.8.
		{"v1.8 ignores the domain", []Protocol{V18, V18Launcher}, domain(`bad "domain"`), ""},
		// RTMP URLs.
		{"rtmp empty", allProtocols, rtmp(""), "rtmpURL"},
		{"rtmp http scheme", allProtocols, rtmp("http://live.example.org/live/" + mockKey), "rtmpURL"},
		{"rtmp https scheme", allProtocols, rtmp("https://live.example.org/live/" + mockKey), "rtmpURL"},
		{"rtmp no scheme", allProtocols, rtmp("live.example.org/live/" + mockKey), "rtmpURL"},
		{"rtmp no host", allProtocols, rtmp("rtmp:///live/" + mockKey), "rtmpURL"},
		{"rtmp opaque", allProtocols, rtmp("rtmp:live/" + mockKey), "rtmpURL"},
		{"rtmp single quote", allProtocols, rtmp("rtmp://live.example.org/live/'" + mockKey), "rtmpURL"},
		{"rtmp double quote", allProtocols, rtmp(`rtmp://live.example.org/live/"` + mockKey), "rtmpURL"},
		{"rtmp dollar", allProtocols, rtmp("rtmp://live.example.org/live/$" + mockKey), "rtmpURL"},
		{"rtmp space", allProtocols, rtmp("rtmp://live.example.org/live/ " + mockKey), "rtmpURL"},
		{"rtmp tab", allProtocols, rtmp("rtmp://live.example.org/live/\t" + mockKey), "rtmpURL"},
		{"rtmp trailing newline", allProtocols, rtmp("rtmp://live.example.org/live/" + mockKey + "\n"), "rtmpURL"},
		{"rtmp invalid UTF-8", allProtocols, rtmp("rtmp://live.example.org/live/\xc3" + mockKey), "rtmpURL"},
		{"rtmps", allProtocols, rtmp("rtmps://live.example.org:443/app/" + mockKey), ""},
		{"rtmp with query", allProtocols, rtmp("rtmp://live.example.org/live/" + mockKey + "?token=abc"), ""},
		// The launcher needs a gw_id.
		{"launcher gw_id missing", []Protocol{V18Launcher}, gw(""), "gatewayID"},
		{"launcher gw_id slash", []Protocol{V18Launcher}, gw("gw/1"), "gatewayID"},
		{"launcher gw_id space", []Protocol{V18Launcher}, gw("gw 1"), "gatewayID"},
		{"launcher gw_id ampersand", []Protocol{V18Launcher}, gw("gw1&force=1"), "gatewayID"},
		{"launcher gw_id 65 characters", []Protocol{V18Launcher}, gw(strings.Repeat("g", 65)), "gatewayID"},
		{"launcher gw_id 64 characters", []Protocol{V18Launcher}, gw(strings.Repeat("g", 64)), ""},
		{"proxy ignores gw_id", []Protocol{V18}, gw("bad id/?"), ""},
	}
	for _, tt := range tests {
		for _, p := range tt.protocols {
			t.Run(tt.name+"/"+p.String(), func(t *testing.T) {
				t.Parallel()
				c, m := newMock(t, p, WithCleanupAfterFailedStart(false))
				// Valid parameters reach the server, which answers busy.
				m.on(http.MethodGet, "/start", jsonAnswer(200, v16StartBusy))
				m.on(http.MethodPost, "/start", jsonAnswer(503, proxyBusy))
				m.on(http.MethodPost, "/gateway/start", jsonAnswer(409, `{"status":"error","error":{"code":409,"detail":"busy"},"data":null}`))
				sp := validParams(p)
				tt.edit(&sp)
				_, err := c.Start(context.Background(), sp)
				if tt.param == "" {
					require.ErrorIs(t, err, ErrBusy)
					assert.Len(t, m.all(), 1)
					return
				}
				requireParamError(t, err, tt.param)
				assert.Empty(t, m.all(), "no request for invalid parameters")
				assertNoSecrets(t, "parameter error", err.Error())
				for _, v := range []string{sp.Room, sp.Domain, sp.RTMPURL, sp.GatewayID} {
					if len(v) > 3 {
						assert.NotContains(t, err.Error(), v, "a parameter error names the parameter, not its value")
					}
				}
			})
		}
	}
}

// Options keep their meaning: a zero retry count sends each request once.
func TestWithRetriesZero(t *testing.T) {
	t.Parallel()
	c, m := newMock(t, Legacy, WithRetries(0))
	m.on(http.MethodGet, "/stop", respond(502, "text/html", "<html>Bad Gateway</html>"))
	err := c.Stop(context.Background(), sessionFor(Legacy))
	var re *ResponseError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 502, re.StatusCode)
	assert.Equal(t, 1, m.count(http.MethodGet, "/stop"))

	// Negative counts mean zero.
	c, m = newMock(t, Legacy, WithRetries(-3))
	m.on(http.MethodGet, "/stop", respond(502, "text/html", "<html>Bad Gateway</html>"))
	require.Error(t, c.Stop(context.Background(), sessionFor(Legacy)))
	assert.Equal(t, 1, m.count(http.MethodGet, "/stop"))
}

// WithTimeout bounds the other operations: a status that never answers
// fails after the timeout, once per attempt.
func TestWithTimeout(t *testing.T) {
	t.Parallel()
	c, m := newMock(t, Legacy, WithTimeout(20*time.Millisecond), WithRetries(1))
	m.on(http.MethodGet, "/progress", blockUntilCancelled)
	_, err := c.Status(context.Background(), sessionFor(Legacy))
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "status", te.Op)
	assert.Equal(t, 2, m.count(http.MethodGet, "/progress"), "a timed-out status is retried")

	// The stop timeout is its own.
	c, m = newMock(t, V18Launcher, WithStopTimeout(20*time.Millisecond), WithRetries(0))
	m.on(http.MethodPost, "/gateway/stop", blockUntilCancelled)
	err = c.Stop(context.Background(), sessionFor(V18Launcher))
	require.ErrorAs(t, err, &te)
	assert.Equal(t, "stop", te.Op)
}

// The caller's deadline shorter than the client's timeouts wins.
func TestCallerDeadline(t *testing.T) {
	t.Parallel()
	c, m := newMock(t, V18)
	m.on(http.MethodGet, "/status", blockUntilCancelled)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := c.Status(ctx, sessionFor(V18))
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.Equal(t, 1, m.count(http.MethodGet, "/status"), "no retry once the caller's context is done")
}

package sipmediagw

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// commandPath is where v1.8 commands go.
func commandPath(p Protocol) string {
	if p == V18Launcher {
		return "/gateway/command"
	}
	return "/command"
}

func TestToggleChatRequest(t *testing.T) {
	t.Parallel()
	t.Run("legacy", func(t *testing.T) {
		t.Parallel()
		c, m := newMock(t, Legacy)
		m.on(http.MethodGet, "/chat", jsonAnswer(200, legacyChatOK))
		require.NoError(t, c.ToggleChat(context.Background(), sessionFor(Legacy)))
		req := m.only(http.MethodGet, "/chat")
		assert.Equal(t, url.Values{"room": {mockRoom}, "toggle": {"True"}}, req.Query)
		assert.Equal(t, []string{"Bearer " + mockToken}, req.Header.Values("Authorization"))
		assert.Empty(t, req.Body)
	})
	for _, p := range []Protocol{V18, V18Launcher} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p)
			m.on(http.MethodPost, commandPath(p), jsonAnswer(200, launcherCommandOK))
			require.NoError(t, c.ToggleChat(context.Background(), sessionFor(p)))
			req := m.only(http.MethodPost, commandPath(p))
			assert.Empty(t, req.Query)
			assert.Equal(t, map[string]any{
				"gw_id":   sessionFor(p).GatewayID,
				"payload": map[string]any{"command": "sendKey", "param1": "3"},
			}, req.jsonBody(t))
			assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
			if p == V18 {
				assert.Equal(t, []string{"Bearer " + mockToken}, req.Header.Values("Authorization"))
			} else {
				assert.False(t, hasAuth(req))
			}
		})
	}
}

func TestSendChatRequest(t *testing.T) {
	t.Parallel()
	t.Run("legacy", func(t *testing.T) {
		t.Parallel()
		c, m := newMock(t, Legacy)
		m.on(http.MethodPost, "/chat", jsonAnswer(200, legacyChatOK))
		require.NoError(t, c.SendChat(context.Background(), sessionFor(Legacy), "Bonjour à tous"))
		req := m.only(http.MethodPost, "/chat")
		assert.Empty(t, req.Query)
		assert.Equal(t, map[string]any{"room": mockRoom, "msg": "Bonjour à tous"}, req.jsonBody(t))
		assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	})
	for _, p := range []Protocol{V18, V18Launcher} {
		t.Run(p.String(), func(t *testing.T) {
			t.Parallel()
			c, m := newMock(t, p)
			m.on(http.MethodPost, commandPath(p), jsonAnswer(200, launcherCommandOK))
			require.NoError(t, c.SendChat(context.Background(), sessionFor(p), "hello"))
			req := m.only(http.MethodPost, commandPath(p))
			assert.Equal(t, map[string]any{
				"gw_id":   sessionFor(p).GatewayID,
				"payload": map[string]any{"command": "sendChat", "param1": "hello"},
			}, req.jsonBody(t))
			assert.Equal(t, p == V18, hasAuth(req))
		})
	}
}

// chatRoute is the route a chat operation uses.
func chatRoute(p Protocol, toggle bool) (string, string) {
	switch {
	case p != Legacy:
		return http.MethodPost, commandPath(p)
	case toggle:
		return http.MethodGet, "/chat"
	default:
		return http.MethodPost, "/chat"
	}
}

func TestChatOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		protocols []Protocol
		answer    httpmock.Responder
		wantErr   error // nil and !unreadable: success
		unreadabe bool  // a *ResponseError
	}{
		{name: "ok", protocols: []Protocol{Legacy}, answer: jsonAnswer(200, legacyChatOK)},
		{name: "ok", protocols: []Protocol{V18, V18Launcher}, answer: jsonAnswer(200, launcherCommandOK)},
		{name: "v1.8.4 no-op ack", protocols: []Protocol{V18, V18Launcher},
			answer: jsonAnswer(200, `{"status":"success","error":null,"data":{"ack":true,"received":{}}}`)},
		{name: "legacy no room", protocols: []Protocol{Legacy}, answer: jsonAnswer(400, v16NoRoom), wantErr: ErrRejected},
		{name: "legacy no room at 200", protocols: []Protocol{Legacy}, answer: jsonAnswer(200, v15NoRoom), wantErr: ErrRejected},
		{name: "legacy nothing running", protocols: []Protocol{Legacy}, answer: jsonAnswer(400, v17NothingToStop), wantErr: ErrNotRunning},
		{name: "legacy unauthorized", protocols: []Protocol{Legacy}, answer: respond(401, "", v16Unauth, "WWW-Authenticate", wwwAuth), wantErr: ErrUnauthorized},
		// The launcher answers netcat's complaint in res when the bot is
		// not there: nothing runs for that room.
		{name: "legacy bot unreachable", protocols: []Protocol{Legacy},
			answer: jsonAnswer(200, `{"res": "nc: getaddrinfo for host \"`+mockRoom+`\" port 4444: Name or service not known"}`), wantErr: ErrNotRunning},
		{name: "legacy debug page", protocols: []Protocol{Legacy}, answer: htmlAnswer(500, webpyDebugPage), unreadabe: true},
		{name: "v1.8 unknown gateway", protocols: []Protocol{V18}, answer: jsonAnswer(404, proxyGWNotFound), wantErr: ErrNotRunning},
		{name: "v1.8 unknown gateway", protocols: []Protocol{V18Launcher}, answer: jsonAnswer(404, launcherNotFound), wantErr: ErrNotRunning},
		{name: "v1.8 error at 200", protocols: []Protocol{V18, V18Launcher},
			answer: jsonAnswer(200, `{"status":"error","error":{"code":"GW_COMMAND_ERROR","message":"boom"}}`), wantErr: ErrRejected},
		{name: "v1.8 validation", protocols: []Protocol{V18, V18Launcher}, answer: jsonAnswer(422, v18Invalid), wantErr: ErrRejected},
		{name: "v1.8 missing gw_id", protocols: []Protocol{V18}, answer: jsonAnswer(400, proxyMissingGW), wantErr: ErrRejected},
		{name: "v1.8 unauthorized", protocols: []Protocol{V18}, answer: respond(401, "application/json", proxyUnauth), wantErr: ErrUnauthorized},
		{name: "v1.8 route missing", protocols: []Protocol{V18, V18Launcher}, answer: respond(404, "text/plain", "Not Found"), wantErr: ErrNotSupported},
		{name: "v1.8 launcher exception", protocols: []Protocol{V18, V18Launcher},
			answer: jsonAnswer(500, `{"status":"error","error":{"code":500,"detail":"[Errno 111] Connection refused"},"data":null}`), unreadabe: true},
	}
	for _, tt := range tests {
		for _, p := range tt.protocols {
			for _, toggle := range []bool{true, false} {
				op := map[bool]string{true: "toggleChat", false: "sendChat"}[toggle]
				t.Run(p.String()+"/"+op+"/"+tt.name, func(t *testing.T) {
					t.Parallel()
					c, m := newMock(t, p)
					method, path := chatRoute(p, toggle)
					m.on(method, path, tt.answer)
					var err error
					if toggle {
						err = c.ToggleChat(context.Background(), sessionFor(p))
					} else {
						err = c.SendChat(context.Background(), sessionFor(p), "hello")
					}
					switch {
					case tt.wantErr != nil:
						require.ErrorIs(t, err, tt.wantErr)
						var oe *OpError
						require.ErrorAs(t, err, &oe)
						assert.Equal(t, op, oe.Op)
					case tt.unreadabe:
						var re *ResponseError
						require.ErrorAs(t, err, &re)
						assert.Equal(t, op, re.Op)
					default:
						require.NoError(t, err)
					}
					assertNoSecrets(t, op+" error", errorText(err))
					assert.Equal(t, 1, m.count(method, path))
				})
			}
		}
	}
}

// A toggle applied twice is a toggle undone, a message sent twice is
// posted twice: neither is retried, whatever the failure.
func TestChatNeverRetried(t *testing.T) {
	t.Parallel()
	answers := map[string]httpmock.Responder{
		"503":     htmlAnswer(503, "<html>Service Unavailable</html>"),
		"502":     htmlAnswer(502, "<html>Bad Gateway</html>"),
		"500":     jsonAnswer(500, `{"status":"error","error":{"code":500,"detail":"boom"},"data":null}`),
		"refused": connError(),
	}
	for _, p := range allProtocols {
		for name, a := range answers {
			for _, toggle := range []bool{true, false} {
				t.Run(p.String()+"/"+name+"/"+map[bool]string{true: "toggle", false: "send"}[toggle], func(t *testing.T) {
					t.Parallel()
					c, m := newMock(t, p, WithRetries(5))
					method, path := chatRoute(p, toggle)
					m.on(method, path, a)
					var err error
					if toggle {
						err = c.ToggleChat(context.Background(), sessionFor(p))
					} else {
						err = c.SendChat(context.Background(), sessionFor(p), "hello")
					}
					require.Error(t, err)
					assert.Equal(t, 1, m.count(method, path))
					assert.Len(t, m.all(), 1)
				})
			}
		}
	}
}

// SendChat sends the sanitized message: nothing the legacy launcher's
// shell or the v1.8 bot's xdotool would interpret.
func TestSendChatSanitizes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Hello everyone", "Hello everyone"},
		{"single quote", "It's live", "It’s live"},
		{"double quotes", `say "hi"`, "say ”hi”"},
		{"backquotes", "run `id`", "run ‘id‘"},
		{"backslash", `C:\path`, "C:∖path"},
		{"dollar", "costs $5 or $(rm -rf /)", "costs ＄5 or ＄(rm -rf /)"},
		{"shell injection", `'; rm -rf / #`, "’; rm -rf / #"},
		{"json injection", `", "room": "other`, "”, ”room”: ”other"},
		{"newlines", "line1\nline2\r\nline3", "line1 line2  line3"},
		{"tab", "a\tb", "a b"},
		{"NUL and escape", "a\x00b\x1b[31mc", "a b [31mc"},
		{"DEL", "a\x7fb", "a b"},
		{"C1 control", "a\u0085b", "a b"},
		{"line separators", "a\u2028b\u2029c", "a b c"},
		{"invalid UTF-8 dropped", "caf\xc3 ok \xff\xfe!", "caf ok !"},
		{"truncated rune dropped", "ab\xe2\x82", "ab"},
		{"spaces at the ends", "  \n hello \t ", "hello"},
		{"unicode kept", "Zoë 👋 你好 — ok", "Zoë 👋 你好 — ok"},
		{"html kept as text", "<b>&amp;</b>", "<b>&amp;</b>"},
		{"percent kept", "100% done", "100% done"},
		{"replacement character kept", "a\uFFFDb", "a\uFFFDb"},
	}
	for _, p := range allProtocols {
		for _, tt := range tests {
			t.Run(p.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				assert.Equal(t, tt.want, SanitizeChat(tt.in))
				c, m := newMock(t, p)
				method, path := chatRoute(p, false)
				m.on(method, path, jsonAnswer(200, map[bool]string{true: legacyChatOK, false: launcherCommandOK}[p == Legacy]))
				require.NoError(t, c.SendChat(context.Background(), sessionFor(p), tt.in))
				body := m.only(method, path).jsonBody(t)
				var sent any
				if p == Legacy {
					sent = body["msg"]
				} else {
					sent = body["payload"].(map[string]any)["param1"]
				}
				assert.Equal(t, tt.want, sent)
			})
		}
	}
}

// Empty and oversized messages are refused before any request: over
// MaxChatLen characters everywhere, over MaxLegacyChatBytes bytes for the
// legacy bot, which loses a longer line.
func TestSendChatRefused(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", MaxChatLen) // 1,000 bytes
	legacyLong := strings.Repeat("é", MaxLegacyChatBytes/2)
	tests := []struct {
		name          string
		msg           string
		valid, legacy bool // for v1.8, for the legacy launcher
	}{
		{"empty", "", false, false},
		{"spaces", "   ", false, false},
		{"controls only", "\n\t\r\x00", false, false},
		{"invalid UTF-8 only", "\xff\xfe\xc3", false, false},
		{"line separators only", "\u2028\u2029", false, false},
		{"500 characters", long, true, false},
		{"501 characters", long + "x", false, false},
		{"1000 bytes of ASCII", strings.Repeat("ab", 500), false, false},
		{"500 characters after trimming", "  \n" + long + "\t ", true, false},
		{"500 characters after dropping invalid UTF-8", long + "\xff\xff", true, false},
		{"quotes count once replaced", strings.Repeat(`"`, MaxChatLen), true, false},
		{"quotes over the limit", strings.Repeat(`'`, MaxChatLen+1), false, false},
		{"960 bytes", legacyLong, true, true},
		{"961 bytes", legacyLong + "x", true, false},
		{"960 bytes after trimming", " " + legacyLong + "\n", true, true},
		{"quotes count in bytes once replaced", strings.Repeat(`'`, MaxLegacyChatBytes/3+1), true, false},
	}
	for _, p := range allProtocols {
		for _, tt := range tests {
			t.Run(p.String()+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				c, m := newMock(t, p)
				method, path := chatRoute(p, false)
				m.on(method, path, jsonAnswer(200, map[bool]string{true: legacyChatOK, false: launcherCommandOK}[p == Legacy]))
				err := c.SendChat(context.Background(), sessionFor(p), tt.msg)
				if valid := map[bool]bool{true: tt.legacy, false: tt.valid}[p == Legacy]; valid {
					require.NoError(t, err)
					assert.Equal(t, 1, m.count(method, path))
					return
				}
				requireParamError(t, err, "message")
				assert.Empty(t, m.all())
			})
		}
	}
	assert.Equal(t, MaxChatLen, utf8.RuneCountInString(SanitizeChat(long)))
}

// The v1.8 proxy answers 403 "Gateway 'X' is stopped, cannot send
// commands" to a command for a gateway that no longer streams; its bad
// token answer is a 401. The 403 is the session's end, not a token
// problem: ErrNotRunning, never ErrUnauthorized ("check the token").
func TestChatProxyStoppedGateway(t *testing.T) {
	t.Parallel()
	for _, toggle := range []bool{true, false} {
		c, m := newMock(t, V18)
		m.on(http.MethodPost, "/command", jsonAnswer(403, proxyStoppedCmd))
		var err error
		if toggle {
			err = c.ToggleChat(context.Background(), sessionFor(V18))
		} else {
			err = c.SendChat(context.Background(), sessionFor(V18), "hello")
		}
		assert.NotErrorIs(t, err, ErrUnauthorized, "toggle=%v", toggle)
		assert.ErrorIs(t, err, ErrNotRunning, "toggle=%v", toggle)
	}
}

package sipmediagwtest_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/internal/smgwfixture"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// unknownHost is netcat's answer for a room no container answers to:
// Debian 11's netcat-traditional in v1.5's image, netcat-openbsd after.
func unknownHost(v sipmediagwtest.Version, room string) string {
	if v == sipmediagwtest.V15 {
		return `{"res": "` + room + `: forward host lookup failed: Unknown host"}`
	}
	return `{"res": "netcat: getaddrinfo for host \"` + room + `\" port 4444: Name or service not known"}`
}

// chat posts a message as the portal does: no Authorization header.
func chat(t *testing.T, srv *sipmediagwtest.Server, room, msg string) reply {
	t.Helper()
	return do(t, srv, http.MethodPost, "/chat", "", string(pyJSONString(map[string]string{"room": room, "msg": msg})))
}

func TestLegacyToggleFlipsThePanel(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			get(t, srv, startQuery("room1"))
			if !srv.ChatPanelVisible("legacy:room1") {
				t.Fatal("BBB opens the public chat: visible at first")
			}
			get(t, srv, "/chat?room=room1&toggle=True").expect(t, http.StatusOK, `{"res": "ok"}`)
			if srv.ChatPanelVisible("room1") {
				t.Fatal("still visible after a toggle")
			}
			// A blind toggle: any value, "False" included, flips it.
			get(t, srv, "/chat?room=room1&toggle=False").expect(t, http.StatusOK, `{"res": "ok"}`)
			if !srv.ChatPanelVisible("room1") {
				t.Fatal("hidden after two toggles")
			}
			get(t, srv, "/chat?room=room1&toggle").expect(t, http.StatusOK, `{"res": "ok"}`)
			if srv.ChatPanelVisible("room1") {
				t.Fatal("a bare toggle did not toggle")
			}
		})
	}
}

func TestLegacyToggleErrors(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			want := http.StatusBadRequest
			if v == sipmediagwtest.V15 {
				want = http.StatusOK
			}
			get(t, srv, "/chat?toggle=True").expect(t, want, `{"Error": "a room name must be specified"}`)
			get(t, srv, "/chat?room=room1").expect(t, want, `{"Error": "toggle parameter is expected"}`)
			// Nothing answers on the room's name: netcat's error, HTTP 200.
			get(t, srv, "/chat?room=room1&toggle=True").expect(t, http.StatusOK, unknownHost(v, "room1"))
			// The toggle is authenticated.
			if r := do(t, srv, http.MethodGet, "/chat?room=room1&toggle=True", "", ""); r.status != http.StatusUnauthorized {
				t.Fatalf("HTTP %d", r.status)
			}
		})
	}
}

func TestLegacyChatMessages(t *testing.T) {
	t.Parallel()
	msgs := []string{"(Ada Lovelace) Hello", "Ça marche ? 🎉", "two\nlines", "tab\tand\\backslash"}
	want := map[sipmediagwtest.Version][]string{
		// dash's echo makes the \b of \backslash a backspace.
		sipmediagwtest.V15: {"(Ada Lovelace) Hello", "Ça marche ? 🎉", "two\nlines", "tab\tand\backslash"},
		// v1.7 sends repr(msg.encode()), whose backslashes the bot drops.
		sipmediagwtest.V17: {"b'(Ada Lovelace) Hello'", "b'xc3x87a marche ? xf0x9fx8ex89'", "b'two\nlines'", "b'tab\tandbackslash'"},
	}
	want[sipmediagwtest.V16] = want[sipmediagwtest.V15]
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			get(t, srv, startQuery("room1"))
			for _, m := range msgs {
				chat(t, srv, "room1", m).expect(t, http.StatusOK, `{"res": "ok"}`)
			}
			if got := srv.Chat("room1"); !reflect.DeepEqual(got, want[v]) {
				t.Fatalf("chat %q", got)
			}
			if got := srv.Chat("legacy:room1"); len(got) != len(msgs) {
				t.Fatalf("by handle: %q", got)
			}
			if got := srv.Chat("other"); len(got) != 0 {
				t.Fatalf("other room: %q", got)
			}
		})
	}
}

func TestLegacyChatLostMessages(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 972) // its echoed line is 1025 bytes
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			get(t, srv, startQuery("room1"))
			// A double quote leaves the event invalid JSON: the bot
			// decodes {"event": "null"} and posts nothing.
			chat(t, srv, "room1", `say "hi"`).expect(t, http.StatusOK, `{"res": "ok"}`)
			// Before v1.7 the event server reads 1024 bytes at a time and
			// passes on each read: pieces of JSON.
			chat(t, srv, "room1", long).expect(t, http.StatusOK, `{"res": "ok"}`)
			chat(t, srv, "room1", strings.Repeat("x", 971)).expect(t, http.StatusOK, `{"res": "ok"}`)
			got := srv.Chat("room1")
			want := []string{strings.Repeat("x", 971)}
			if v == sipmediagwtest.V17 {
				want = []string{"b'" + long + "'", "b'" + want[0] + "'"}
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("chat %d messages %.40q", len(got), got)
			}
		})
	}
}

func TestLegacyChatErrors(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			want := http.StatusBadRequest
			if v == sipmediagwtest.V15 {
				want = http.StatusOK
			}
			do(t, srv, http.MethodPost, "/chat", "", `{"msg": "hi"}`).expect(t, want, `{"Error": "a room name must be specified"}`)
			do(t, srv, http.MethodPost, "/chat", "", `["msg"]`).expect(t, want, `{"Error": "a room name must be specified"}`)
			do(t, srv, http.MethodPost, "/chat", "", `{"room": "room1"}`).expect(t, want, `{"Error": "message missing or not readable"}`)
			chat(t, srv, "room1", "hi").expect(t, http.StatusOK, unknownHost(v, "room1"))
			// Not JSON: json.loads raises before any header is set, and
			// the page shows the module's globals, the token among them.
			for _, auth := range []string{"", bearer(srv)} {
				r := do(t, srv, http.MethodPost, "/chat", auth, "room=room1&msg=hi")
				if r.status != http.StatusInternalServerError || r.contentType() != "text/html" ||
					!strings.Contains(string(r.body), "json.decoder.JSONDecodeError&#39;&gt; at /chat") ||
					!strings.Contains(string(r.body), "&#39;allowedToken&#39;: &#39;"+srv.Token+"&#39;") {
					t.Fatalf("HTTP %d %q %.200s", r.status, r.contentType(), r.body)
				}
			}
			// 'room' in a str is a substring test; data['room'] then fails.
			r := do(t, srv, http.MethodPost, "/chat", "", `"a room"`)
			if r.status != http.StatusInternalServerError || !strings.Contains(string(r.body), "&lt;class &#39;TypeError&#39;&gt;") {
				t.Fatalf("HTTP %d %.200s", r.status, r.body)
			}
		})
	}
}

func TestLegacyChatQuote(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			get(t, srv, startQuery("room1"))
			r := chat(t, srv, "room1", "it's")
			if v != sipmediagwtest.V17 {
				// The message goes inside echo '…' as it is: the shell
				// stops at the quote.
				r.expect(t, http.StatusOK, `{"res": "/bin/sh: 1: Syntax error: Unterminated quoted string"}`)
			} else {
				// v1.7 turns ' into \": the shell is fine, but the bot
				// gets b"it\"s", which it cannot decode.
				r.expect(t, http.StatusOK, `{"res": "ok"}`)
			}
			if got := srv.Chat("room1"); len(got) != 0 {
				t.Fatalf("the message went through: %q", got)
			}
		})
	}
}

func TestLegacyChatNonStringMessage(t *testing.T) {
	t.Parallel()
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V15, sipmediagwtest.V16} {
		srv := start(t, v)
		get(t, srv, startQuery("room1"))
		// str.format pastes str(msg).
		do(t, srv, http.MethodPost, "/chat", "", `{"room": "room1", "msg": 42}`).expect(t, http.StatusOK, `{"res": "ok"}`)
		do(t, srv, http.MethodPost, "/chat", "", `{"room": "room1", "msg": 1e3}`).expect(t, http.StatusOK, `{"res": "ok"}`)
		if got := srv.Chat("room1"); !reflect.DeepEqual(got, []string{"42", "1000.0"}) {
			t.Fatalf("%s: chat %q", v, got)
		}
	}
	srv := start(t, sipmediagwtest.V17)
	get(t, srv, startQuery("room1"))
	r := do(t, srv, http.MethodPost, "/chat", "", `{"room": "room1", "msg": 42}`)
	if r.status != http.StatusInternalServerError || !strings.Contains(string(r.body), "&lt;class &#39;AttributeError&#39;&gt;") ||
		!strings.Contains(string(r.body), "&#39;int&#39; object has no attribute &#39;encode&#39;") {
		t.Fatalf("HTTP %d %.300s", r.status, r.body)
	}
}

func TestLegacyChatInjection(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			get(t, srv, startQuery("room1"))
			// The room goes into the one-off container's sh -c line as it
			// is: whatever follows runs, and its stderr comes back.
			chat(t, srv, "room1 4444; echo injected-by-room >&2; #", "hi").expect(t, http.StatusOK, `{"res": "injected-by-room"}`)
			// The # hides the port from netcat; id is no command of the fake.
			nc := "netcat: missing port number"
			if v == sipmediagwtest.V15 {
				nc = "x: forward host lookup failed: Unknown host"
			}
			chat(t, srv, "x; id >&2; #", "hi").expect(t, http.StatusOK, `{"res": "`+nc+` => /bin/sh: 1: id: not found"}`)
			// Before v1.7 the message does too, from inside echo '…'.
			r := chat(t, srv, "room1", "x' >&2; echo injected-by-msg >&2; echo '")
			if v == sipmediagwtest.V17 {
				r.expect(t, http.StatusOK, `{"res": "ok"}`)
			} else {
				r.expect(t, http.StatusOK, `{"res": "{\"event\":\"message\", \"type\":\"CHAT_INPUT\", \"text\": \"x => injected-by-msg"}`)
			}
			want := []string{"hi"}
			if v == sipmediagwtest.V17 {
				want = []string{"b'hi'"}
			}
			if got := srv.Chat("room1"); !reflect.DeepEqual(got, want) {
				t.Fatalf("chat %q", got)
			}
		})
	}
}

// TestLegacyChatReachesTheBotAsRecorded replays the recorded chat
// sessions and compares what the fake's bot got with what the real bot
// decoded during the recording (the bot harness's log).
func TestLegacyChatReachesTheBotAsRecorded(t *testing.T) {
	t.Parallel()
	all, err := smgwfixture.LoadDir("../testdata/real")
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("abcdefghij", 150)
	want := map[string][]string{
		"v1.5.1/chat":           {"Hello world", "line1\nline2"},
		"v1.6.0/chat":           {"Hello world", "line1\nline2"},
		"v1.7.0/chat":           {"b'Hello world'", "b'" + long + "'", "b'line1\nline2'"},
		"v1.5.1/chat-injection": {"hi"},
		"v1.6.0/chat-injection": {"hi"},
		"v1.7.0/chat-injection": {"b'hi'"},
	}
	for name, texts := range want {
		s, ok := all[name]
		if !ok {
			t.Fatalf("no recording %s", name)
		}
		srv := start(t, sipmediagwtest.Version(s.Fake), sipmediagwtest.WithToken("1234"))
		for _, e := range s.Exchanges {
			r := do(t, srv, e.Request.Method, e.Request.URL(), e.Request.Header["Authorization"], e.Request.Body)
			if r.status != e.Response.Status {
				t.Errorf("%s/%s: HTTP %d, recorded %d", name, e.Name, r.status, e.Response.Status)
			}
		}
		if got := srv.Chat("abcdef1234"); !reflect.DeepEqual(got, texts) {
			t.Errorf("%s: chat %.80q", name, got)
		}
		if srv.ChatPanelVisible("abcdef1234") == strings.HasSuffix(name, "/chat") {
			t.Errorf("%s: the panel is not as toggled", name)
		}
	}
}

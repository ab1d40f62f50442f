package sipmediagwtest_test

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

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
			get(t, srv, "/chat?room=room1&toggle=True").expect(t, http.StatusOK,
				`{"res": "nc: getaddrinfo for host \"room1\" port 4444: Name or service not known"}`)
			// The toggle is authenticated.
			if r := do(t, srv, http.MethodGet, "/chat?room=room1&toggle=True", "", ""); r.status != http.StatusUnauthorized {
				t.Fatalf("HTTP %d", r.status)
			}
		})
	}
}

func TestLegacyChatMessages(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			get(t, srv, startQuery("room1"))
			msgs := []string{"(Ada Lovelace) Hello", "Ça marche ? 🎉", "two\nlines"}
			for _, m := range msgs {
				body := string(pyJSONString(map[string]string{"room": "room1", "msg": m}))
				// POST /chat is not authenticated: no header at all.
				do(t, srv, http.MethodPost, "/chat", "", body).expect(t, http.StatusOK, `{"res": "ok"}`)
			}
			if got := srv.Chat("room1"); !reflect.DeepEqual(got, msgs) {
				t.Fatalf("chat %q", got)
			}
			if got := srv.Chat("legacy:room1"); len(got) != 3 {
				t.Fatalf("by handle: %q", got)
			}
			if got := srv.Chat("other"); len(got) != 0 {
				t.Fatalf("other room: %q", got)
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
			do(t, srv, http.MethodPost, "/chat", "", `{"room": "room1"}`).expect(t, want, `{"Error": "message missing or not readable"}`)
			do(t, srv, http.MethodPost, "/chat", "", `{"room": "room1", "msg": "hi"}`).expect(t, http.StatusOK,
				`{"res": "nc: getaddrinfo for host \"room1\" port 4444: Name or service not known"}`)
			// Not JSON: json.loads raises before any header is set.
			r := do(t, srv, http.MethodPost, "/chat", bearer(srv), "room=room1&msg=hi")
			if r.status != http.StatusInternalServerError || r.contentType() != "text/html" ||
				!strings.Contains(string(r.body), "JSONDecodeError at /chat") || !strings.Contains(string(r.body), srv.Token) {
				t.Fatalf("HTTP %d %q %.200s", r.status, r.contentType(), r.body)
			}
		})
	}
}

func TestLegacy15ChatQuoteBreaksTheShell(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V15)
	get(t, srv, startQuery("room1"))
	do(t, srv, http.MethodPost, "/chat", "", `{"room": "room1", "msg": "it's"}`).expect(t, http.StatusOK,
		`{"res": "/bin/sh: 1: Syntax error: Unterminated quoted string"}`)
	if len(srv.Chat("room1")) != 0 {
		t.Fatal("the message went through")
	}
	// v1.6 passes the message's bytes repr: the quote survives the shell.
	srv16 := start(t, sipmediagwtest.V16)
	get(t, srv16, startQuery("room1"))
	do(t, srv16, http.MethodPost, "/chat", "", `{"room": "room1", "msg": "it's"}`).expect(t, http.StatusOK, `{"res": "ok"}`)
}

func TestLegacy16ChatNonStringMessageCrashes(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V16)
	get(t, srv, startQuery("room1"))
	r := do(t, srv, http.MethodPost, "/chat", "", `{"room": "room1", "msg": 42}`)
	if r.status != http.StatusInternalServerError || !strings.Contains(string(r.body), "AttributeError") {
		t.Fatalf("HTTP %d %.200s", r.status, r.body)
	}
}

package sipmediagwtest_test

import (
	"net/http"
	"testing"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

func TestLegacyAuth(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithSlots(4))
			unauthorized := `{"Error": "authorization error"}`
			if v == sipmediagwtest.V15 {
				unauthorized = "authorization error" // plain text
			}
			cases := []struct {
				name, auth string
				ok         bool
			}{
				{"bearer", "Bearer " + srv.Token, true},
				{"bare token", srv.Token, true},
				{"lower-case bearer", "bearer " + srv.Token, false},
				{"two spaces", "Bearer  " + srv.Token, false},
				{"wrong token", "Bearer nope", false},
				{"none", "", false},
				{"basic", "Basic " + srv.Token, false},
			}
			for i, c := range cases {
				r := do(t, srv, http.MethodGet, "/start?room=room"+string(rune('a'+i)), c.auth, "")
				if c.ok {
					if r.status != http.StatusOK {
						t.Errorf("%s: HTTP %d %s", c.name, r.status, r.body)
					}
					continue
				}
				r.expect(t, http.StatusUnauthorized, unauthorized)
				if got := r.header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
					t.Errorf("%s: WWW-Authenticate %q", c.name, got)
				}
				// authorize returns before the handler sets a Content-Type.
				if ct := r.contentType(); ct != "" {
					t.Errorf("%s: Content-Type %q", c.name, ct)
				}
			}
			// Every GET route is guarded, /progress included.
			for _, path := range []string{"/stop?room=rooma", "/chat?room=rooma&toggle=True", "/progress?room=rooma"} {
				r := do(t, srv, http.MethodGet, path, "Bearer nope", "")
				if r.status == http.StatusNotFound && v != sipmediagwtest.V17 {
					continue
				}
				if r.status != http.StatusUnauthorized {
					t.Errorf("%s: HTTP %d", path, r.status)
				}
			}
		})
	}
}

func TestLegacyInstallToken(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V16, sipmediagwtest.WithToken(sipmediagwtest.InstallToken))
	if srv.Token != "1234" {
		t.Fatalf("token %q", srv.Token)
	}
	if r := do(t, srv, http.MethodGet, "/start?room=r1", "Bearer 1234", ""); r.status != http.StatusOK {
		t.Fatalf("HTTP %d", r.status)
	}
	other := start(t, sipmediagwtest.V16)
	if len(other.Token) != sipmediagwtest.DefaultTokenLength || other.Token == srv.Token {
		t.Fatalf("random token %q", other.Token)
	}
}

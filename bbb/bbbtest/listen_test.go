package bbbtest_test

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestWithAddr(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithAddr("127.0.0.1:0"))
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || strings.HasPrefix(srv.URL, "http://127.0.0.1:0/") {
		t.Fatalf("URL %q", srv.URL)
	}
	get(t, srv, "getMeetings", "").ok(t)

	// WithAddr binds exactly the address given: a busy one is refused.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), l.Addr().String()) {
			t.Errorf("panic %v, want one about %s in use", r, l.Addr())
		}
	}()
	bbbtest.NewServer(bbbtest.WithAddr(l.Addr().String())).Close()
}

func TestWithPublicURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		public, want string
	}{
		{"http://bbb.test:8090", "http://bbb.test:8090"},
		{"http://bbb.test:8090/", "http://bbb.test:8090"},
		{"https://proxy.example/fake/", "https://proxy.example/fake"},
	}
	for _, tt := range tests {
		t.Run(tt.public, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithPublicURL(tt.public))
			if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
				t.Errorf("URL %q: the listening address should stay", srv.URL)
			}
			create(t, srv, "pub")
			j := get(t, srv, "join", q("fullName", "A", "meetingID", "pub", "role", "VIEWER"))
			if loc := j.header.Get("Location"); j.status != http.StatusFound || !strings.HasPrefix(loc, tt.want+"/html5client/join?sessionToken=") {
				t.Errorf("join: HTTP %d Location %q", j.status, loc)
			}
			// A join error redirects to the default logout URL.
			bad := do(t, srv, http.MethodGet, apiURL(srv, "join", q("fullName", "A", "meetingID", "pub", "role", "VIEWER", "checksum", "00")), "", nil)
			loc, err := url.Parse(bad.header.Get("Location"))
			if err != nil || bad.status != http.StatusFound || !strings.HasPrefix(loc.String(), tt.want+"/?errors=") ||
				!strings.Contains(loc.Query().Get("errors"), "checksumError") {
				t.Errorf("join error: HTTP %d Location %q", bad.status, bad.header.Get("Location"))
			}
		})
	}
}

func TestWithPublicURLPanics(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"bbb.test:8090", "ftp://bbb.test", "http://", "http://u:p@bbb.test",
		"http://bbb.test/?a=1", "http://bbb.test/#top", "http://bbb.test/?", "http://[::1"} {
		t.Run(u, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			bbbtest.NewServer(bbbtest.WithPublicURL(u)).Close()
		})
	}
}

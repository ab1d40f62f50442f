package bbbtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func TestVersionProbe(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithVersion("2.7.3"))
	for _, path := range []string{"/api", "/api/"} {
		r := do(t, srv, http.MethodGet, srv.URL+path, "", nil).ok(t)
		if r.get("version") != "2.0" || r.get("apiVersion") != "2.0" || r.get("bbbVersion") != "2.7.3" {
			t.Errorf("%s: %+v", path, r)
		}
	}
	if srv.Version() != "2.7.3" {
		t.Errorf("Version() %q", srv.Version())
	}
	if !strings.HasSuffix(srv.URL, "/bigbluebutton") || !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q", srv.URL)
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	old := start(t, bbbtest.WithVersion("2.4.9"))
	srv := start(t)
	tests := []struct {
		name string
		srv  *bbbtest.Server
		url  string
	}{
		{"unknown call", srv, srv.SignedURL("getSessions", "")},
		{"unknown nested call", srv, srv.SignedURL("hooks/nope", "")},
		{"outside the API", srv, strings.TrimSuffix(srv.URL, "/bigbluebutton") + "/index.html"},
		{"insertDocument before 2.5", old, old.SignedURL("insertDocument", q("meetingID", "mm"))},
		{"sendChatMessage before 3.0", old, old.SignedURL("sendChatMessage", q("meetingID", "mm", "message", "x"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := do(t, tt.srv, http.MethodGet, tt.url, "", nil)
			if a.status != http.StatusNotFound || !strings.HasPrefix(a.header.Get("Content-Type"), "text/html") ||
				!strings.Contains(string(a.body), "404 Not Found") {
				t.Errorf("HTTP %d %q %s", a.status, a.header.Get("Content-Type"), a.body)
			}
		})
	}
	if a := do(t, srv, http.MethodPut, srv.SignedURL("getMeetings", ""), "", nil); a.status != http.StatusMethodNotAllowed {
		t.Errorf("PUT: HTTP %d", a.status)
	}
}

// The methods each call answers: GET and POST, but 3.0 maps join to GET
// and insertDocument to POST only.
func TestMethodsPerVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		version, call, method string
		allow                 string // "" when answered
	}{
		{"3.0.0", "join", http.MethodPost, "GET, HEAD"},
		{"3.0.0", "insertDocument", http.MethodGet, "POST"},
		{"3.0.0", "getMeetings", http.MethodPost, ""},
		{"3.0.0", "create", http.MethodDelete, "GET, POST, HEAD"},
		{"2.7.3", "join", http.MethodPost, ""},
		{"2.7.3", "insertDocument", http.MethodGet, ""},
	}
	for _, tt := range tests {
		t.Run(tt.version+" "+tt.method+" "+tt.call, func(t *testing.T) {
			t.Parallel()
			srv := start(t, bbbtest.WithVersion(tt.version))
			a := do(t, srv, tt.method, srv.SignedURL(tt.call, q("meetingID", "mm", "fullName", "A", "role", "VIEWER")), "", nil)
			got := ""
			if a.status == http.StatusMethodNotAllowed {
				got = a.header.Get("Allow")
			}
			if got != tt.allow {
				t.Errorf("HTTP %d, Allow %q; want Allow %q", a.status, got, tt.allow)
			}
		})
	}
}

func TestOptionPanics(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]bbbtest.Option{
		"bad version":    {bbbtest.WithVersion("three")},
		"bad public URL": {bbbtest.WithPublicURL("bbb.test:8090")},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			bbbtest.NewServer(opts...).Close()
		})
	}
}

func TestTLS(t *testing.T) {
	t.Parallel()
	srv := start(t, bbbtest.WithTLS())
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatalf("URL %q", srv.URL)
	}
	signedAlg(t, srv, bbb.SHA1, "getMeetings", "").ok(t)
	// Join redirects stay on the https host.
	create(t, srv, "tls")
	j := get(t, srv, "join", q("fullName", "A", "meetingID", "tls", "role", "VIEWER"))
	if !strings.HasPrefix(j.header.Get("Location"), "https://127.0.0.1:") {
		t.Errorf("Location %q", j.header.Get("Location"))
	}
}

package sipmediagwtest_test

import (
	"net/http"
	"testing"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

func TestLegacyRoutes(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			for _, path := range []string{"/", "/start/", "/sipmediagw", "/status", "/gateway/start"} {
				r := get(t, srv, path)
				r.expect(t, http.StatusNotFound, "not found")
				if r.contentType() != "text/html; charset=utf-8" {
					t.Errorf("%s: Content-Type %q", path, r.contentType())
				}
			}
			if v != sipmediagwtest.V17 {
				get(t, srv, "/progress?room=r1").expect(t, http.StatusNotFound, "not found")
			}
			// Known routes, unknown methods: web.py's 405 with the class's
			// methods.
			r := post(t, srv, "/start", `{"room": "r1"}`)
			r.expect(t, http.StatusMethodNotAllowed, "method not allowed")
			if r.header.Get("Allow") != "GET" || r.contentType() != "text/html" {
				t.Errorf("Allow %q, Content-Type %q", r.header.Get("Allow"), r.contentType())
			}
			r = do(t, srv, http.MethodDelete, "/chat", bearer(srv), "")
			r.expect(t, http.StatusMethodNotAllowed, "method not allowed")
			if r.header.Get("Allow") != "GET, POST" {
				t.Errorf("Allow %q", r.header.Get("Allow"))
			}
			// web.py refuses lower-case methods before routing.
			r = do(t, srv, "get", "/nowhere", bearer(srv), "")
			if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, HEAD, POST, PUT, DELETE" {
				t.Errorf("lower-case method: HTTP %d Allow %q", r.status, r.header.Get("Allow"))
			}
			// HEAD runs GET: it starts a stream.
			if r := do(t, srv, http.MethodHead, "/start?room=headroom", bearer(srv), ""); r.status != http.StatusOK {
				t.Errorf("HEAD: HTTP %d", r.status)
			}
			if !srv.IsRunning("headroom") {
				t.Error("HEAD /start did not start")
			}
		})
	}
}

func TestLegacy17Progress(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V17)
	get(t, srv, "/progress?room=room1").expect(t, http.StatusOK, `{"status": "success", "gw_state": "down"}`)
	get(t, srv, startQuery("room1"))
	// Running: no recording_duration (not a recording bot), and no mp4
	// in /var/recording makes "0%".
	get(t, srv, "/progress?room=room1").expect(t, http.StatusOK, `{"status": "success", "transcript_progress": "0%"}`)
	// "docker compose -p ROOM1 ps" looks for that very project.
	get(t, srv, "/progress?room=ROOM1").expect(t, http.StatusOK, `{"status": "success", "gw_state": "down"}`)
	get(t, srv, "/progress").expect(t, http.StatusBadRequest, `{"Error": "a room name must be specified"}`)
	get(t, srv, "/stop?room=room1")
	get(t, srv, "/progress?room=room1").expect(t, http.StatusOK, `{"status": "success", "gw_state": "down"}`)
	if n := len(srv.RequestsFor(sipmediagwtest.OpStatus)); n != 5 {
		t.Fatalf("%d status requests", n)
	}
}

package sipmediagwtest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

const (
	downOutput = ` Container gw0  Stopping =>  Container gw0  Stopped =>  Container gw0  Removing =>  Container gw0  Removed`
	stopOutput = ` Container gw0  Stopping =>  Container gw0  Stopped`
)

func TestLegacyStopRunning(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			get(t, srv, startQuery("room1"))
			want := downOutput // v1.5 and v1.6: compose down
			if v == sipmediagwtest.V17 {
				want = stopOutput // v1.7: compose stop gw
			}
			get(t, srv, "/stop?room=room1").expect(t, http.StatusOK, wrap16(v, `{"res": "`+want+`"}`))
			if srv.IsRunning("room1") || srv.StopCount() != 1 {
				t.Fatalf("running %v, stops %d", srv.IsRunning("room1"), srv.StopCount())
			}
			// The slot is free.
			if m := get(t, srv, startQuery("room2")).body; !strings.Contains(string(m), `"res": "ok"`) {
				t.Fatalf("restart: %s", m)
			}
		})
	}
}

func TestLegacyStopNothingRunning(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v      sipmediagwtest.Version
		status int
		body   string
	}{
		{sipmediagwtest.V15, http.StatusOK, `{"res": "Warning: No resource found to remove for project \"room1\"."}`},
		// compose 2.29.3 on logs the warning through logrus: the launcher
		// drops lines with level=warning.
		{sipmediagwtest.V16, http.StatusOK, `{"status": "success", "details": {"res": ""}}`},
		{sipmediagwtest.V17, http.StatusBadRequest, `{"Error": "no running container for room=room1"}`},
	}
	for _, c := range cases {
		t.Run(string(c.v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, c.v)
			get(t, srv, "/stop?room=room1").expect(t, c.status, c.body)
			// Idempotent: a stop after a stop answers the same.
			get(t, srv, startQuery("room1"))
			get(t, srv, "/stop?room=room1")
			get(t, srv, "/stop?room=room1").expect(t, c.status, c.body)
		})
	}
}

func TestLegacyStopInvalidProjectName(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V16)
	get(t, srv, "/stop?room=Room1").expect(t, http.StatusOK, `{"status": "success", "details": {"res": "invalid project name \"Room1\": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number"}}`)
}

func TestLegacyStopWithoutRoomIsProbe(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			want := http.StatusBadRequest
			if v == sipmediagwtest.V15 {
				want = http.StatusOK
			}
			get(t, srv, "/stop").expect(t, want, `{"Error": "a room name must be specified"}`)
			do(t, srv, http.MethodGet, "/stop", "Bearer wrong", "")
			reqs := srv.Requests()
			if len(reqs) != 2 || reqs[0].Op != sipmediagwtest.OpProbe || reqs[1].StatusCode != http.StatusUnauthorized {
				t.Fatalf("requests %+v", reqs)
			}
			if srv.StopCount() != 0 {
				t.Fatal("a probe counted as a stop")
			}
		})
	}
}

func TestLegacy17StopForceRemoves(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V17)
	get(t, srv, startQuery("room1"))
	get(t, srv, "/stop?room=room1&force=1").expect(t, http.StatusOK,
		`{"status": "success", "details": {"res": "`+downOutput+`"}}`)
	// An empty force is false in Python.
	get(t, srv, startQuery("room1"))
	get(t, srv, "/stop?room=room1&force=").expect(t, http.StatusOK,
		`{"status": "success", "details": {"res": "`+stopOutput+`"}}`)
}

func TestLegacy17StopNeedsTheExactProject(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V17, sipmediagwtest.WithSlots(2))
	// The room must be one of "docker compose ls -q"'s lines, as is.
	get(t, srv, startQuery("abc"))
	get(t, srv, "/stop?room=ABC").expect(t, http.StatusBadRequest, `{"Error": "no running container for room=ABC"}`)
	get(t, srv, "/stop?room=abc%20").expect(t, http.StatusBadRequest, `{"Error": "no running container for room=abc "}`)
	if !srv.IsRunning("abc") {
		t.Fatal("stopped")
	}
	get(t, srv, startQuery("room-"))
	get(t, srv, "/stop?room=room-").expect(t, http.StatusOK, `{"status": "success", "details": {"res": " Container gw1  Stopping =>  Container gw1  Stopped"}}`)
}

func TestLegacyStopAfterExit(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			get(t, srv, startQuery("room1"))
			srv.Exit("room1")
			r := get(t, srv, "/stop?room=room1")
			if v == sipmediagwtest.V17 {
				// compose ls lists running projects only.
				r.expect(t, http.StatusBadRequest, `{"Error": "no running container for room=room1"}`)
				return
			}
			// compose down removes the exited container all the same.
			r.expect(t, http.StatusOK, wrap16(v, `{"res": "`+downOutput+`"}`))
		})
	}
}

func TestLegacyStopDelay(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			mock, clk := withMock()
			srv := start(t, v, clk, sipmediagwtest.WithStopDelay(10*time.Second))
			get(t, srv, startQuery("room1")) // no start delay
			ch := async(func() reply { return get(t, srv, "/stop?room=room1") })
			waitPending(t, srv, 1)
			if !srv.IsRunning("room1") {
				t.Fatal("stopped before the delay")
			}
			mock.Add(10 * time.Second)
			if r := await(t, ch); r.status != http.StatusOK {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
			if srv.IsRunning("room1") {
				t.Fatal("still running")
			}
		})
	}
}

func TestLegacyStopLeftoverOfFailedLaunch(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			srv.Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: sipmediagwtest.LaunchFailure, Times: 1})
			get(t, srv, startQuery("room1")).expect(t, http.StatusOK,
				wrap16(v, `{"res": "error", "type": "The gateway failed to launch"}`))
			st, ok := srv.Stream("room1")
			if !ok || !st.Failed {
				t.Fatalf("no leftover container: %+v", st)
			}
			if r := get(t, srv, "/stop?room=room1"); r.status != http.StatusOK {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
			if srv.IsRunning("room1") {
				t.Fatal("leftover still running")
			}
		})
	}
}

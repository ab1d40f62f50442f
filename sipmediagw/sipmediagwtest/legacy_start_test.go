package sipmediagwtest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// wrap16 is the body of a v1.6+ start or stop around details, byte for
// byte as json.dumps writes it.
func wrap16(v sipmediagwtest.Version, details string) string {
	if v == sipmediagwtest.V15 {
		return details
	}
	return `{"status": "success", "details": ` + details + `}`
}

func TestLegacyStartStarted(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			uri := rtmpURL
			if v == sipmediagwtest.V15 {
				uri = "" // v1.5's script echoes a variable nothing sets
			}
			r := get(t, srv, startQuery("a1b2c3d4e5"))
			r.expect(t, http.StatusOK, wrap16(v, `{"res": "ok", "app": "streaming", "uri": "`+uri+`"}`))
			if ct := r.contentType(); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			st, ok := srv.Stream("a1b2c3d4e5")
			if !ok || st.Handle != "legacy:a1b2c3d4e5" || st.RTMPURL != rtmpURL ||
				st.Domain != "pod.example.org/meeting/42" || st.Project != "a1b2c3d4e5" || st.Container != "gw0" {
				t.Fatalf("stream %+v, %v", st, ok)
			}
			if !srv.IsRunning("legacy:a1b2c3d4e5") || srv.StartCount() != 1 {
				t.Fatalf("running %v, starts %d", srv.IsRunning("legacy:a1b2c3d4e5"), srv.StartCount())
			}
		})
	}
}

func TestLegacyStartWithoutRoom(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			want := http.StatusBadRequest
			if v == sipmediagwtest.V15 {
				want = http.StatusOK // v1.5 returns its errors with 200
			}
			for _, path := range []string{"/start", "/start?room=0", "/start?domain=x&rtmpDst=y"} {
				get(t, srv, path).expect(t, want, `{"Error": "a room name must be specified"}`)
			}
			if len(srv.Running()) != 0 {
				t.Fatal("a stream runs")
			}
		})
	}
}

func TestLegacyStartBusy(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v) // one slot
			get(t, srv, startQuery("room1"))
			get(t, srv, startQuery("room2")).expect(t, http.StatusOK,
				wrap16(v, `{"res": "error", "type": "No free resources found"}`))
			// The same room again needs a second slot too.
			get(t, srv, startQuery("room1")).expect(t, http.StatusOK,
				wrap16(v, `{"res": "error", "type": "No free resources found"}`))
			if srv.IsRunning("room2") || !srv.IsRunning("room1") {
				t.Fatal("wrong streams running")
			}
		})
	}
}

func TestLegacyStartSlots(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V16, sipmediagwtest.WithSlots(2))
	for _, room := range []string{"room1", "room2"} {
		if m := get(t, srv, startQuery(room)).obj(t); m["details"].(map[string]any)["res"] != "ok" {
			t.Fatalf("%s: %v", room, m)
		}
	}
	if m := get(t, srv, startQuery("room3")).obj(t); m["details"].(map[string]any)["type"] != "No free resources found" {
		t.Fatalf("room3: %v", m)
	}
	run := srv.Running()
	if len(run) != 2 || run[0].Container != "gw0" || run[1].Container != "gw1" {
		t.Fatalf("running %+v", run)
	}
	// A stop frees its slot: the lowest free slot is taken again.
	get(t, srv, "/stop?room=room1")
	get(t, srv, startQuery("room3"))
	if st, _ := srv.Stream("room3"); st.Container != "gw0" {
		t.Fatalf("room3 in %q", st.Container)
	}
}

func TestLegacyStartRunningRoomRecreates(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			mock, clk := withMock()
			srv := start(t, v, sipmediagwtest.WithSlots(2), clk)
			get(t, srv, "/start?room=room1&rtmpDst=rtmp%3A%2F%2Fa%2Fold")
			first, _ := srv.Stream("room1")
			mock.Add(time.Minute)
			// compose up --force-recreate on the second slot removes gw0,
			// then the script asks gw0 for its app, gets nothing, prints
			// nothing, and json.loads("") raises.
			r := get(t, srv, "/start?room=room1&rtmpDst=rtmp%3A%2F%2Fa%2Fnew")
			if r.status != http.StatusInternalServerError || r.contentType() != "application/json | text/html" ||
				!strings.Contains(string(r.body), "json.decoder.JSONDecodeError&#39;&gt; at /start") {
				t.Fatalf("HTTP %d %q %.300s", r.status, r.contentType(), r.body)
			}
			run := srv.Running()
			if len(run) != 1 || run[0].RTMPURL != "rtmp://a/new" || run[0].Container != "gw1" || !run[0].Started.After(first.Started) {
				t.Fatalf("running %+v", run)
			}
			// The first slot is free again: gw0 comes up and answers.
			if m := string(get(t, srv, startQuery("room2")).body); !strings.Contains(m, `"res": "ok"`) {
				t.Fatalf("room2: %s", m)
			}
		})
	}
}

func TestLegacyStartInvalidRoomFailsAfterDelay(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			mock, clk := withMock()
			srv := start(t, v, clk, sipmediagwtest.WithStartDelay(10*time.Second))
			for i, room := range []string{"Room42", "ab%27cd", "_x", "a.b"} {
				ch := async(func() reply { return get(t, srv, "/start?room="+room) })
				waitPending(t, srv, i+1)
				select {
				case r := <-ch:
					t.Fatalf("answered before the delay: %d %s", r.status, r.body)
				default:
				}
				mock.Add(10 * time.Second)
				await(t, ch).expect(t, http.StatusOK, wrap16(v, `{"res": "error", "type": "The gateway failed to launch"}`))
			}
			if len(srv.Running()) != 0 {
				t.Fatalf("running %+v", srv.Running())
			}
			// The slot is free again.
			ch := async(func() reply { return get(t, srv, "/start?room=good") })
			waitPending(t, srv, 5)
			mock.Add(10 * time.Second)
			await(t, ch)
			if err := srv.WaitRunning(testCtx(t), "good", true); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestLegacyStartQuoteInRTMPGivesDebugPageAndRuns(t *testing.T) {
	t.Parallel()
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V16, sipmediagwtest.V17} {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			for i, dst := range []string{"rtmp%3A%2F%2Fx%2Fa%27b", "rtmp%3A%2F%2Fx%2Fa%22b", "rtmp%3A%2F%2Fx%2Fa%5Cqb"} {
				room := "quoted" + string(rune('a'+i))
				path := "/start?room=" + room + "&rtmpDst=" + dst
				r := get(t, srv, path)
				if r.status != http.StatusInternalServerError {
					t.Fatalf("%s: HTTP %d %s", dst, r.status, r.body)
				}
				// web.py keeps the handler's Content-Type and adds its own.
				if ct := r.contentType(); ct != "application/json | text/html" {
					t.Errorf("Content-Type %q", ct)
				}
				page := string(r.body)
				for _, want := range []string{"&lt;class &#39;json.decoder.JSONDecodeError&#39;&gt; at /start", "allowedToken", srv.Token,
					"HTTP_AUTHORIZATION", "QUERY_STRING", room, "web.config.debug"} {
					if !strings.Contains(page, want) {
						t.Errorf("debug page lacks %q", want)
					}
				}
				// The container came up before the launcher choked on its output.
				if !srv.IsRunning(room) {
					t.Fatalf("%s not running", room)
				}
				get(t, srv, "/stop?room="+room+"&force=1")
			}
		})
	}
	// v1.5's script never echoes rtmpDst: nothing to choke on.
	srv := start(t, sipmediagwtest.V15)
	get(t, srv, "/start?room=quoted&rtmpDst=rtmp%3A%2F%2Fx%2Fa%27b").expect(t, http.StatusOK, `{"res": "ok", "app": "streaming", "uri": ""}`)
	if st, _ := srv.Stream("quoted"); st.RTMPURL != "rtmp://x/a'b" {
		t.Fatalf("RTMP URL %q", st.RTMPURL)
	}
}

func TestLegacyStartFromParamGivesDebugPage(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			r := get(t, srv, "/start?room=abcdefghij&from=webinar")
			if r.status != http.StatusInternalServerError || !strings.Contains(string(r.body), srv.Token) ||
				!strings.Contains(string(r.body), "from=webinar") || !strings.Contains(string(r.body), "Expecting value") {
				t.Fatalf("HTTP %d %.300s", r.status, r.body)
			}
			if len(srv.Running()) != 0 {
				t.Fatal("the script ran")
			}
		})
	}
}

func TestLegacyStartEscapesLikePython(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V16)
	// json.dumps escapes non-ASCII (ensure_ascii) and keeps "/" as is.
	get(t, srv, "/start?room=r1&rtmpDst=rtmp%3A%2F%2Fh%2Fcl%C3%A9%F0%9F%8E%A5%3C%3E").expect(t, http.StatusOK,
		`{"status": "success", "details": {"res": "ok", "app": "streaming", "uri": "rtmp://h/cl\u00e9\ud83c\udfa5<>"}}`)
	if st, _ := srv.Stream("r1"); st.RTMPURL != "rtmp://h/clé🎥<>" {
		t.Fatalf("RTMP URL %q", st.RTMPURL)
	}
}

func TestLegacyStartEmptyRoom(t *testing.T) {
	t.Parallel()
	// v1.7 passes "-r", "": the script names the project gw<slot>.
	srv := start(t, sipmediagwtest.V17)
	get(t, srv, "/start?room=&rtmpDst=rtmp%3A%2F%2Fh%2Fk").expect(t, http.StatusOK,
		`{"status": "success", "details": {"res": "ok", "app": "streaming", "uri": "rtmp://h/k"}}`)
	st, ok := srv.Stream("gw0")
	if !ok || st.Project != "gw0" || st.Room != "" {
		t.Fatalf("%+v %v", st, ok)
	}
	get(t, srv, "/stop?room=gw0")
	if srv.IsRunning("gw0") {
		t.Fatal("still running")
	}
	// v1.5 and v1.6 pass "-r": getopts takes the next argument for the
	// room, "-urtmp://h/k", no project name; alone, "-r" lacks its value.
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V15, sipmediagwtest.V16} {
		srv := start(t, v)
		get(t, srv, "/start?room=&rtmpDst=rtmp%3A%2F%2Fh%2Fk").expect(t, http.StatusOK,
			wrap16(v, `{"res": "error", "type": "The gateway failed to launch"}`))
		if r := get(t, srv, "/start?room="); r.status != http.StatusInternalServerError {
			t.Fatalf("%s: HTTP %d %s", v, r.status, r.body)
		}
		if len(srv.Running()) != 0 {
			t.Fatalf("%s: running %+v", v, srv.Running())
		}
	}
}

func TestLegacyStartLoopParam(t *testing.T) {
	t.Parallel()
	// v1.5 and v1.6 pass loop as the literal "-l%s", which getopts refuses.
	for _, v := range []sipmediagwtest.Version{sipmediagwtest.V15, sipmediagwtest.V16} {
		srv := start(t, v)
		if r := get(t, srv, "/start?room=room1&loop=1"); r.status != http.StatusInternalServerError {
			t.Fatalf("%s: HTTP %d %s", v, r.status, r.body)
		}
		if len(srv.Running()) != 0 {
			t.Fatalf("%s: the script ran", v)
		}
	}
	srv := start(t, sipmediagwtest.V17)
	if r := get(t, srv, "/start?room=room1&loop=1"); r.status != http.StatusOK || !srv.IsRunning("room1") {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
}

func TestLegacyStartAfterExit(t *testing.T) {
	t.Parallel()
	for _, v := range sipmediagwtest.LegacyVersions {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v)
			get(t, srv, startQuery("room1"))
			if !srv.Exit("room1") {
				t.Fatal("nothing exited")
			}
			r := get(t, srv, startQuery("room2"))
			if v == sipmediagwtest.V15 {
				// room1's exited container keeps the name gw0: compose
				// cannot create room2's until a stop removes it.
				r.expect(t, http.StatusOK, `{"res": "error", "type": "The gateway failed to launch"}`)
				get(t, srv, "/stop?room=room1").expect(t, http.StatusOK, `{"res": "`+downOutput+`"}`)
				r = get(t, srv, startQuery("room2"))
			}
			// v1.6 on: the script prunes exited containers first.
			if !strings.Contains(string(r.body), `"res": "ok"`) || !srv.IsRunning("room2") {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
		})
	}
}

func TestLegacyStartCompletesAfterClientLeft(t *testing.T) {
	t.Parallel()
	mock, clk := withMock()
	srv := start(t, sipmediagwtest.V16, clk, sipmediagwtest.WithStartDelay(20*time.Second))
	ctx, cancel := contextWithCancel(t)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+startQuery("leftroom"), nil)
	req.Header.Set("Authorization", bearer(srv))
	done := make(chan error, 1)
	go func() {
		resp, err := srv.HTTPClient().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitPending(t, srv, 1)
	cancel()
	if err := <-done; err == nil {
		t.Fatal("the request was not cancelled")
	}
	// The launcher goes on: the container comes up all the same.
	mock.Add(20 * time.Second)
	if err := srv.WaitRunning(testCtx(t), "leftroom", true); err != nil {
		t.Fatal(err)
	}
}

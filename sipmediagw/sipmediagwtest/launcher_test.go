package sipmediagwtest_test

import (
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

var launchers = []sipmediagwtest.Version{sipmediagwtest.V18HeadLauncher, sipmediagwtest.V18Launcher}

const launcherStart = `{"room":"a1b2c3d4e5","gw_id":"gw-7","main_app":"streaming","browsing_name":"bigbluebutton","rtmp_dst":"` + rtmpURL + `","extra":1}`

func TestLauncherLifecycle(t *testing.T) {
	t.Parallel()
	// HEAD's status of a running gateway adds room and browsing from its
	// call history, which a streaming bot never writes.
	up := map[sipmediagwtest.Version]string{
		sipmediagwtest.V18Launcher:     `{"status":"success","error":null,"data":{"gw_state":"up","gw_id":"gw-7"}}`,
		sipmediagwtest.V18HeadLauncher: `{"status":"success","error":null,"data":{"gw_state":"up","gw_id":"gw-7","browsing":"","room":""}}`,
	}
	for _, v := range launchers {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithLauncherIDs("gw-7"))
			if srv.Token != "" {
				t.Fatalf("a launcher has no token, got %q", srv.Token)
			}
			// Created in advance: the project is there, exited.
			get(t, srv, "/gateway/status?gw_id=gw-7").expect(t, http.StatusOK,
				`{"status":"success","error":null,"data":{"gw_state":"down","detail":"exited"}}`)
			// No authentication at all.
			r := do(t, srv, http.MethodPost, "/gateway/start", "", launcherStart)
			r.expect(t, http.StatusOK, `{"status":"success","error":null,"data":{"processing_state":"working","gw_id":"gw-7"}}`)
			if r.contentType() != "application/json" {
				t.Errorf("Content-Type %q", r.contentType())
			}
			st, ok := srv.Stream("v1.8-launcher:gw-7")
			if !ok || st.GatewayID != "gw-7" || st.Room != "a1b2c3d4e5" || st.RTMPURL != rtmpURL ||
				st.MainApp != "streaming" || st.BrowsingName != "bigbluebutton" || st.Project != "gw-7" {
				t.Fatalf("stream %+v %v", st, ok)
			}
			get(t, srv, "/gateway/status?gw_id=gw-7").expect(t, http.StatusOK, up[v])
			post(t, srv, "/gateway/stop", `{"gw_id":"gw-7"}`).expect(t, http.StatusOK,
				`{"status":"success","error":null,"data":{"processing_state":"stopped"}}`)
			// The project stays, exited.
			get(t, srv, "/gateway/status?gw_id=gw-7").expect(t, http.StatusOK,
				`{"status":"success","error":null,"data":{"gw_state":"down","detail":"exited"}}`)
			post(t, srv, "/gateway/stop", `{"gw_id":"gw-7","force":true}`).expect(t, http.StatusNotFound,
				`{"status":"error","error":{"code":404,"detail":"no running container for gw_id=gw-7"},"data":null}`)
			// It starts again.
			post(t, srv, "/gateway/start", launcherStart).expect(t, http.StatusOK,
				`{"status":"success","error":null,"data":{"processing_state":"working","gw_id":"gw-7"}}`)
			if srv.StartCount() != 2 || srv.StopCount() != 2 || !srv.IsRunning("gw-7") {
				t.Fatalf("starts %d stops %d", srv.StartCount(), srv.StopCount())
			}
		})
	}
}

func TestLauncherUnknownStatus(t *testing.T) {
	t.Parallel()
	get(t, start(t, sipmediagwtest.V18HeadLauncher), "/gateway/status?gw_id=nope").expect(t, http.StatusNotFound,
		`{"status":"error","error":{"code":404,"detail":"Gateway not found"},"data":null}`)
	// v1.8.4 tests "'exited' in status" before "status is None".
	get(t, start(t, sipmediagwtest.V18Launcher), "/gateway/status?gw_id=nope").expect(t, http.StatusInternalServerError,
		`{"status":"error","error":{"code":500,"detail":"argument of type 'NoneType' is not iterable"},"data":null}`)
}

func TestLauncherCommands(t *testing.T) {
	t.Parallel()
	chat := `{"gw_id":"gw-7","payload":{"command":"sendChat","param1":"Hello été"}}`
	key := `{"gw_id":"gw-7","payload":{"command":"sendKey","param1":"3"}}`
	const (
		chatAck     = `{"status":"success","error":null,"data":{"ack":true,"received":{"command":"sendChat","param1":"Hello été"}}}`
		notFound    = `{"status":"error","error":{"code":404,"detail":"Gateway not found"},"data":null}`
		noCommand   = `{"gw_id":"gw-7","payload":{"param1":"x"}}`
		noCmdAck    = `{"status":"success","error":null,"data":{"ack":true,"received":{"param1":"x"}}}`
		noCmdKeyErr = `{"status":"error","error":{"code":500,"detail":"'command'"},"data":null}`
	)
	unknown := `{"gw_id":"nope","payload":{"command":"sendChat","param1":"Hello"}}`
	for _, v := range launchers {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithLauncherIDs("gw-7"))
			// An unknown gw_id is not found by either.
			post(t, srv, "/gateway/command", unknown).expect(t, http.StatusNotFound, notFound)
			// v1.8.4 acknowledges any gw_id "compose ls -a" lists, even
			// exited; HEAD looks for a running container.
			before := post(t, srv, "/gateway/command", chat)
			post(t, srv, "/gateway/start", launcherStart)
			post(t, srv, "/gateway/command", chat).expect(t, http.StatusOK, chatAck)
			post(t, srv, "/gateway/command", key)
			reqs := srv.Requests()
			if reqs[len(reqs)-1].Op != sipmediagwtest.OpToggle || reqs[len(reqs)-2].Op != sipmediagwtest.OpChat {
				t.Fatalf("ops %q %q", reqs[len(reqs)-2].Op, reqs[len(reqs)-1].Op)
			}
			withoutCommand := post(t, srv, "/gateway/command", noCommand)
			if v == sipmediagwtest.V18Launcher {
				before.expect(t, http.StatusOK, chatAck)
				withoutCommand.expect(t, http.StatusOK, noCmdAck)
				// Acknowledged, never sent.
				if len(srv.Chat("gw-7")) != 0 || !srv.ChatPanelVisible("gw-7") {
					t.Fatal("v1.8.4 commands had an effect")
				}
				post(t, srv, "/gateway/stop", `{"gw_id":"gw-7"}`)
				post(t, srv, "/gateway/command", chat).expect(t, http.StatusOK, chatAck)
				return
			}
			before.expect(t, http.StatusNotFound, notFound)
			withoutCommand.expect(t, http.StatusInternalServerError, noCmdKeyErr)
			if got := srv.Chat("gw-7"); !reflect.DeepEqual(got, []string{"Hello été"}) {
				t.Fatalf("chat %q", got)
			}
			if srv.ChatPanelVisible("gw-7") {
				t.Fatal("sendKey 3 did not hide the panel")
			}
			post(t, srv, "/gateway/stop", `{"gw_id":"gw-7"}`)
			post(t, srv, "/gateway/command", chat).expect(t, http.StatusNotFound, notFound)
			if got := srv.Chat("gw-7"); len(got) != 1 {
				t.Fatalf("chat after the stop %q", got)
			}
		})
	}
}

func TestLauncherValidation(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V18HeadLauncher)
	post(t, srv, "/gateway/start", `{"room":"r","gw_id":"g"}`).expect(t, http.StatusUnprocessableEntity,
		`{"status":"error","error":"Invalid input","message":[{"type":"missing","loc":["body","main_app"],"msg":"Field required","input":{"room":"r","gw_id":"g"}}]}`)
	post(t, srv, "/gateway/start", `{"room":1,"gw_id":"g","main_app":"streaming"}`).expect(t, http.StatusUnprocessableEntity,
		`{"status":"error","error":"Invalid input","message":[{"type":"string_type","loc":["body","room"],"msg":"Input should be a valid string","input":1}]}`)
	post(t, srv, "/gateway/stop", ``).expect(t, http.StatusUnprocessableEntity,
		`{"status":"error","error":"Invalid input","message":[{"type":"missing","loc":["body"],"msg":"Field required","input":null}]}`)
	post(t, srv, "/gateway/stop", `[1]`).expect(t, http.StatusUnprocessableEntity,
		`{"status":"error","error":"Invalid input","message":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a valid dictionary or object to extract fields from","input":[1]}]}`)
	post(t, srv, "/gateway/command", `{"gw_id":"g","payload":"x"}`).expect(t, http.StatusUnprocessableEntity,
		`{"status":"error","error":"Invalid input","message":[{"type":"dict_type","loc":["body","payload"],"msg":"Input should be a valid dictionary","input":"x"}]}`)
	get(t, srv, "/gateway/status").expect(t, http.StatusUnprocessableEntity,
		`{"status":"error","error":"Invalid input","message":[{"type":"missing","loc":["query","gw_id"],"msg":"Field required","input":null}]}`)
	r := post(t, srv, "/gateway/start", `{not json`)
	if m := r.obj(t); r.status != http.StatusUnprocessableEntity || m["error"] != "Invalid input" {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	// Routing errors keep Starlette's shape.
	get(t, srv, "/start").expect(t, http.StatusNotFound, `{"detail":"Not Found"}`)
	r = get(t, srv, "/gateway/start")
	r.expect(t, http.StatusMethodNotAllowed, `{"detail":"Method Not Allowed"}`)
	if r.header.Get("Allow") != "POST" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
}

func TestLauncherStartFailures(t *testing.T) {
	t.Parallel()
	failed := `{"status":"error","error":{"code":404,"detail":"Failed to start gateway container"},"data":null}`
	started := func(id string) string {
		return `{"status":"success","error":null,"data":{"processing_state":"working","gw_id":"` + id + `"}}`
	}
	for _, v := range launchers {
		t.Run(string(v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, v, sipmediagwtest.WithLauncherIDs("g1", "g3"))
			// Only the gw_ids created on the host start: SIPMediaGW.sh finds
			// no container number for another, nor for a name compose refuses.
			post(t, srv, "/gateway/start", `{"room":"r","gw_id":"g2","main_app":"streaming"}`).expect(t, http.StatusNotFound, failed)
			post(t, srv, "/gateway/start", `{"room":"r","gw_id":"GW 1","main_app":"streaming"}`).expect(t, http.StatusNotFound, failed)
			if len(srv.Running()) != 0 {
				t.Fatalf("running %+v", srv.Running())
			}
			// A start of a streaming gw_id restarts it (compose up
			// --force-recreate): a 200, the new stream's parameters, a
			// fresh page with its chat panel open.
			post(t, srv, "/gateway/start", `{"room":"r1","gw_id":"g1","main_app":"streaming"}`).expect(t, http.StatusOK, started("g1"))
			post(t, srv, "/gateway/command", `{"gw_id":"g1","payload":{"command":"sendKey","param1":"3"}}`)
			post(t, srv, "/gateway/start", `{"room":"r2","gw_id":"g1","main_app":"streaming"}`).expect(t, http.StatusOK, started("g1"))
			if st, ok := srv.Stream("g1"); !ok || st.Room != "r2" || !srv.ChatPanelVisible("g1") || len(srv.Running()) != 1 || srv.MaxRunning() != 1 {
				t.Fatalf("after the restart: %+v %v, panel %v, %d running", st, ok, srv.ChatPanelVisible("g1"), len(srv.Running()))
			}
			// A quote in rtmp_dst breaks json.loads (a ValueError: 404) after
			// the container came up.
			r := post(t, srv, "/gateway/start", `{"room":"r","gw_id":"g3","main_app":"streaming","rtmp_dst":"rtmp://h/a'b"}`)
			if m := r.obj(t); r.status != http.StatusNotFound || m["status"] != "error" {
				t.Fatalf("HTTP %d %s", r.status, r.body)
			}
			if !srv.IsRunning("g3") {
				t.Fatal("the container did not come up")
			}
		})
	}
}

func TestLauncherStartDelay(t *testing.T) {
	t.Parallel()
	mock, clk := withMock()
	srv := start(t, sipmediagwtest.V18Launcher, clk, sipmediagwtest.WithLauncherIDs("gw-7"),
		sipmediagwtest.WithStartDelay(15*time.Second), sipmediagwtest.WithStopDelay(5*time.Second))
	ch := async(func() reply { return post(t, srv, "/gateway/start", launcherStart) })
	waitPending(t, srv, 1)
	if srv.IsRunning("gw-7") {
		t.Fatal("up before the delay")
	}
	mock.Add(15 * time.Second)
	if r := await(t, ch); r.status != http.StatusOK {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
	ch = async(func() reply { return post(t, srv, "/gateway/stop", `{"gw_id":"gw-7"}`) })
	waitPending(t, srv, 2)
	mock.Add(5 * time.Second)
	if r := await(t, ch); r.status != http.StatusOK || srv.IsRunning("gw-7") {
		t.Fatalf("HTTP %d %s", r.status, r.body)
	}
}

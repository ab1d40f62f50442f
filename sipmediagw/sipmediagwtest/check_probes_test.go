package sipmediagwtest_test

import (
	"net/http"
	"testing"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

// The requests sipmediagw.Client.Check sends, each to every kind of
// server, answered as each real release answers them. Where no recording
// holds the exchange, the answer is read from the release's source:
//
//   - web.py (HTTPLauncher.py v1.5.1–v1.7.0): an unknown path is its
//     NotFound, 404 "not found" (text/html; charset=utf-8); a method the
//     route's class lacks its NoMethod, 405 "method not allowed"
//     (text/html, Allow naming the class's methods), before @authorize;
//   - Starlette under FastAPI (HTTPLauncher.py and deploy/proxyAPI/proxy.py
//     at v1.8.4 and HEAD): an unknown path is 404 {"detail":"Not Found"},
//     a known path with another method 405 {"detail":"Method Not
//     Allowed"} with Allow, both from FastAPI's default handler (the
//     apps' own handler is for fastapi.HTTPException, which Starlette's
//     routing does not raise);
//   - proxy.py at HEAD: GET /ivrConfig without gw_id is
//     genericGatewayProxy's 400 "Missing 'gw_id' parameter", with no
//     token check; v1.8.4 has no such route. Both have GET
//     /admin/statuses, which answers the administrator token only.
func TestCheckProbesAnswerAsTheRealReleases(t *testing.T) {
	t.Parallel()
	const (
		notFoundHTML  = "not found"
		noMethodHTML  = "method not allowed"
		starlette404  = `{"detail":"Not Found"}`
		starlette405  = `{"detail":"Method Not Allowed"}`
		noRoom        = `{"Error": "a room name must be specified"}`
		legacyAuth    = `{"Error": "authorization error"}`
		proxyAuth     = `{"error": "authorization error"}`
		missingGwID   = `{"status":"error","error":{"code":400,"detail":"Missing 'gw_id' parameter"},"data":null}`
		unknown184    = `{"status":"error","error":{"code":500,"detail":"argument of type 'NoneType' is not iterable"},"data":null}`
		unknownHead   = `{"status":"error","error":{"code":404,"detail":"Gateway not found"},"data":null}`
		htmlUTF8      = "text/html; charset=utf-8"
		applicationJS = "application/json"
	)
	type want struct {
		status      int
		contentType string
		allow       string
		body        string
	}
	type probe struct {
		method, path, body string
		auth               bool // send the server's token
	}
	var (
		stopGet      = probe{http.MethodGet, "/stop", "", true}
		stopGetNoTok = probe{http.MethodGet, "/stop", "", false}
		stopPost     = probe{http.MethodPost, "/stop", "{}", true}
		stopPostNoT  = probe{http.MethodPost, "/stop", "{}", false}
		status       = probe{http.MethodGet, "/gateway/status?gw_id=bbbcast-probe", "", false}
		progress     = probe{http.MethodGet, "/progress", "", true}
		progressNoT  = probe{http.MethodGet, "/progress", "", false}
		ivrConfig    = probe{http.MethodGet, "/ivrConfig", "", false}
		admin        = probe{http.MethodGet, "/admin/statuses", "", true}
		gwIvrConfig  = probe{http.MethodGet, "/gateway/ivrConfig?gw_id=bbbcast-probe", "", false}
	)
	legacy404 := want{http.StatusNotFound, htmlUTF8, "", notFoundHTML}
	cases := []struct {
		v     sipmediagwtest.Version
		probe probe
		want  want
	}{
		{sipmediagwtest.V15, stopGet, want{http.StatusOK, applicationJS, "", noRoom}},
		{sipmediagwtest.V15, stopGetNoTok, want{http.StatusUnauthorized, "", "", "authorization error"}},
		{sipmediagwtest.V15, stopPost, want{http.StatusMethodNotAllowed, "text/html", "GET", noMethodHTML}},
		{sipmediagwtest.V15, status, legacy404},
		{sipmediagwtest.V15, progress, legacy404},
		{sipmediagwtest.V16, stopGet, want{http.StatusBadRequest, applicationJS, "", noRoom}},
		{sipmediagwtest.V16, stopGetNoTok, want{http.StatusUnauthorized, "", "", legacyAuth}},
		{sipmediagwtest.V16, stopPost, want{http.StatusMethodNotAllowed, "text/html", "GET", noMethodHTML}},
		{sipmediagwtest.V16, status, legacy404},
		{sipmediagwtest.V16, progress, legacy404},
		{sipmediagwtest.V16, progressNoT, legacy404},
		{sipmediagwtest.V17, stopGet, want{http.StatusBadRequest, applicationJS, "", noRoom}},
		{sipmediagwtest.V17, stopGetNoTok, want{http.StatusUnauthorized, "", "", legacyAuth}},
		{sipmediagwtest.V17, stopPost, want{http.StatusMethodNotAllowed, "text/html", "GET", noMethodHTML}},
		{sipmediagwtest.V17, status, legacy404},
		{sipmediagwtest.V17, progress, want{http.StatusBadRequest, applicationJS, "", noRoom}},
		{sipmediagwtest.V17, progressNoT, want{http.StatusUnauthorized, "", "", legacyAuth}},
		{sipmediagwtest.V18, stopGet, want{http.StatusMethodNotAllowed, applicationJS, "POST", starlette405}},
		{sipmediagwtest.V18, stopPost, want{http.StatusBadRequest, applicationJS, "", missingGwID}},
		{sipmediagwtest.V18, stopPostNoT, want{http.StatusUnauthorized, applicationJS, "", proxyAuth}},
		{sipmediagwtest.V18, status, want{http.StatusNotFound, applicationJS, "", starlette404}},
		{sipmediagwtest.V18, ivrConfig, want{http.StatusNotFound, applicationJS, "", starlette404}},
		{sipmediagwtest.V18, admin, want{http.StatusUnauthorized, applicationJS, "", proxyAuth}},
		{sipmediagwtest.V18Head, stopGet, want{http.StatusMethodNotAllowed, applicationJS, "POST", starlette405}},
		{sipmediagwtest.V18Head, stopPost, want{http.StatusBadRequest, applicationJS, "", missingGwID}},
		{sipmediagwtest.V18Head, stopPostNoT, want{http.StatusUnauthorized, applicationJS, "", proxyAuth}},
		{sipmediagwtest.V18Head, status, want{http.StatusNotFound, applicationJS, "", starlette404}},
		{sipmediagwtest.V18Head, ivrConfig, want{http.StatusBadRequest, applicationJS, "", missingGwID}},
		{sipmediagwtest.V18Head, admin, want{http.StatusUnauthorized, applicationJS, "", proxyAuth}},
		{sipmediagwtest.V18Launcher, stopGet, want{http.StatusNotFound, applicationJS, "", starlette404}},
		{sipmediagwtest.V18Launcher, stopPost, want{http.StatusNotFound, applicationJS, "", starlette404}},
		{sipmediagwtest.V18Launcher, status, want{http.StatusInternalServerError, applicationJS, "", unknown184}},
		{sipmediagwtest.V18Launcher, gwIvrConfig, want{http.StatusNotFound, applicationJS, "", starlette404}},
		{sipmediagwtest.V18Launcher, progress, want{http.StatusNotFound, applicationJS, "", starlette404}},
		{sipmediagwtest.V18HeadLauncher, stopGet, want{http.StatusNotFound, applicationJS, "", starlette404}},
		{sipmediagwtest.V18HeadLauncher, stopPost, want{http.StatusNotFound, applicationJS, "", starlette404}},
		{sipmediagwtest.V18HeadLauncher, status, want{http.StatusNotFound, applicationJS, "", unknownHead}},
		{sipmediagwtest.V18HeadLauncher, gwIvrConfig, want{http.StatusNotFound, applicationJS, "", unknownHead}},
	}
	for _, tc := range cases {
		auth := "token"
		if !tc.probe.auth {
			auth = "no token"
		}
		t.Run(string(tc.v)+" "+tc.probe.method+" "+tc.probe.path+" "+auth, func(t *testing.T) {
			t.Parallel()
			srv := start(t, tc.v)
			h := ""
			if tc.probe.auth {
				h = bearer(srv)
			}
			r := do(t, srv, tc.probe.method, tc.probe.path, h, tc.probe.body)
			r.expect(t, tc.want.status, tc.want.body)
			if got := r.contentType(); got != tc.want.contentType {
				t.Errorf("Content-Type %q, want %q", got, tc.want.contentType)
			}
			if got := r.header.Get("Allow"); got != tc.want.allow {
				t.Errorf("Allow %q, want %q", got, tc.want.allow)
			}
			if srv.StartCount() != 0 || srv.StopCount() != 0 || len(srv.Running()) != 0 {
				t.Errorf("the probe started or stopped something: %d starts, %d stops", srv.StartCount(), srv.StopCount())
			}
		})
	}
}

// HEAD's /admin/statuses shows the room and browsing a stop emptied as
// null ("room if room else None"); v1.8.4 shows the stored "None".
func TestAdminStatusesAfterStop(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v          sipmediagwtest.Version
		room, brow any
	}{
		{sipmediagwtest.V18, "None", nil},
		{sipmediagwtest.V18Head, nil, nil},
	} {
		t.Run(string(tc.v), func(t *testing.T) {
			t.Parallel()
			srv := start(t, tc.v, sipmediagwtest.WithToken("admin-secret-key"), sipmediagwtest.WithGateways(1))
			post(t, srv, "/start", `{"room":"abcdef1234","main_app":"streaming","browsing":"bigbluebutton","rtmp_dst":"rtmp://x/y"}`).obj(t)
			post(t, srv, "/stop", `{"gw_id":"1"}`).obj(t)
			gw, _ := get(t, srv, "/admin/statuses").obj(t)["1"].(map[string]any)
			if gw["status"] != "stopped" || gw["room"] != tc.room {
				t.Fatalf("gateway 1: %v", gw)
			}
			if b, has := gw["browsing"]; tc.v.IsHead() && (!has || b != tc.brow) || !tc.v.IsHead() && has {
				t.Fatalf("gateway 1 browsing: %v", gw)
			}
		})
	}
}

package sipmediagwtest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
)

func TestRequestLogRedactsLegacy(t *testing.T) {
	t.Parallel()
	mock, clk := withMock()
	srv := start(t, sipmediagwtest.V16, clk)
	mock.Add(time.Hour)
	get(t, srv, startQuery("room1")+"&note="+srv.Token)
	do(t, srv, http.MethodPost, "/chat", srv.Token, `{"room":"room1","msg":"hi `+srv.Token+`"}`)
	reqs := srv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	r := reqs[0]
	want := "room=room1&domain=REDACTED&rtmpDst=REDACTED&note=REDACTED"
	if r.Query != want || r.Method != http.MethodGet || r.Path != "/start" || r.Op != sipmediagwtest.OpStart ||
		r.StatusCode != http.StatusOK || r.Authorization != "Bearer REDACTED" || !r.Time.Equal(mock.Now()) {
		t.Fatalf("%+v", r)
	}
	if reqs[1].Body != `{"room":"room1","msg":"hi REDACTED"}` || reqs[1].Authorization != "REDACTED" || reqs[1].Op != sipmediagwtest.OpChat {
		t.Fatalf("%+v", reqs[1])
	}
	for _, r := range reqs {
		if strings.Contains(r.Query+r.Body+r.Authorization, srv.Token) || strings.Contains(r.Query, "SECRETKEY") {
			t.Fatalf("secret in %+v", r)
		}
	}
}

func TestRequestLogRedactsV18(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V18)
	post(t, srv, "/start", proxyStart("room-a"))
	r := srv.RequestsFor(sipmediagwtest.OpStart)[0]
	if r.Body != `{"room":"room-a","main_app":"streaming","browsing_name":"bigbluebutton","browsing":"bigbluebutton","rtmp_dst":"REDACTED"}` ||
		r.Authorization != "Bearer REDACTED" {
		t.Fatalf("%+v", r)
	}
	// Not JSON: the token is still replaced.
	post(t, srv, "/stop", "token="+srv.Token)
	if r := srv.Requests()[1]; r.Body != "token=REDACTED" || r.StatusCode != http.StatusInternalServerError {
		t.Fatalf("%+v", r)
	}
	// Every stream helper still shows the RTMP URL as given.
	if st, _ := srv.Stream("1"); st.RTMPURL != rtmpURL {
		t.Fatalf("RTMP URL %q", st.RTMPURL)
	}
}

func TestRequestLogSize(t *testing.T) {
	t.Parallel()
	srv := start(t, sipmediagwtest.V15, sipmediagwtest.WithRequestLogSize(3))
	for _, p := range []string{"/a", "/b", "/c", "/d", "/e"} {
		get(t, srv, p)
	}
	reqs := srv.Requests()
	if len(reqs) != 3 || reqs[0].Path != "/c" || reqs[2].Path != "/e" || reqs[0].StatusCode != http.StatusNotFound || reqs[0].Op != "" {
		t.Fatalf("%+v", reqs)
	}
}

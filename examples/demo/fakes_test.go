package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/webinar"
)

// TestFakesRegistered: a new demo registers its fake gateways, their
// secrets, and the HLS URLs of the test stream.
func TestFakesRegistered(t *testing.T) {
	t.Parallel()
	d := startDemo(t, func(o *options) { o.FakeGateways = 3 })
	list := d.gatewayList(t)
	if len(list) != 3 {
		t.Fatalf("%d gateways, want 3", len(list))
	}
	for i, g := range list {
		want := gateway.Gateway{ID: g.ID, Name: fakeGatewayName(i + 1), Order: i + 1, Enabled: true,
			HLSURL: d.URL + "/hls/gw" + strconv.Itoa(i+1) + "/index.m3u8",
			Server: gateway.Server{URL: d.app.fakes.gws[i].URL, Protocol: sipmediagw.Legacy, Insecure: true}}
		got := g
		got.RTMPURL, got.Server.Token = gateway.Secret{}, gateway.Secret{}
		if got != want {
			t.Errorf("gateway %d:\n got %+v\nwant %+v", i+1, got, want)
		}
		if g.Server.Token.Reveal() != d.app.fakes.gws[i].Token {
			t.Errorf("gateway %d: token is not the fake's", i+1)
		}
		if !strings.HasPrefix(g.RTMPURL.Reveal(), "rtmp://") {
			t.Errorf("gateway %d: RTMP URL %q", i+1, g.RTMPURL.Reveal())
		}
	}
	if !strings.Contains(d.app.Mode(), "fake BigBlueButton and SIPMediaGW") {
		t.Errorf("mode %q", d.app.Mode())
	}
}

// TestNoFakeGateways: with -fake-gateways 0 nothing can be booked, and
// the pages say so.
func TestNoFakeGateways(t *testing.T) {
	t.Parallel()
	d := startDemo(t, func(o *options) { o.FakeGateways = 0 })
	if n := len(d.gatewayList(t)); n != 0 {
		t.Fatalf("%d gateways", n)
	}
	wantContains(t, "gateways page", d.signedIn(t, "grace").get("/admin/gateways").body, "No gateway yet")
	res := d.signedIn(t, "ada").post("/webinars/new", webinarValues("Nowhere", slotStart(time.Now()), 60, true, true))
	if res.status != http.StatusUnprocessableEntity {
		t.Fatalf("create: %d", res.status)
	}
	wantContains(t, "create", res.body, "No gateway is enabled in this pool: an administrator adds them under Admin → Gateways.")
}

// TestFakesAcrossRestarts: a demo started again on the same data finds
// its fake gateways by name and points them at the new fake servers;
// those beyond -fake-gateways are disabled, none is duplicated, and the
// webinars stay.
func TestFakesAcrossRestarts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var (
		oldURLs []string
		oldBase string
		id      string
	)
	t.Run("first run", func(t *testing.T) {
		d := startDemo(t, func(o *options) { o.Data = dir })
		oldBase = d.URL
		for _, gw := range d.app.fakes.gws {
			oldURLs = append(oldURLs, gw.URL)
		}
		id = d.newWebinar(t, d.signedIn(t, "ada"), "Survives")
	})
	if t.Failed() {
		return
	}

	t.Run("second run, one fake", func(t *testing.T) {
		d := startDemo(t, func(o *options) { o.Data = dir; o.FakeGateways = 1 })
		list := d.gatewayList(t)
		if len(list) != 2 {
			t.Fatalf("%d gateways, want 2: %+v", len(list), list)
		}
		g1, g2 := d.gatewayNamed(t, "Fake gateway 1"), d.gatewayNamed(t, "Fake gateway 2")
		// The new fake may get the old one's port back from the kernel:
		// its URL must be stored, and its token (new at each run) shows
		// the gateway was updated.
		if g1.Server.URL != d.app.fakes.gws[0].URL {
			t.Errorf("Fake gateway 1 at %q, want the new fake %q (was %q)", g1.Server.URL, d.app.fakes.gws[0].URL, oldURLs[0])
		}
		if g1.Server.Token.Reveal() != d.app.fakes.gws[0].Token {
			t.Error("Fake gateway 1 has the old token")
		}
		if g1.HLSURL != d.URL+"/hls/gw1/index.m3u8" || strings.HasPrefix(g1.HLSURL, oldBase+"/") {
			t.Errorf("Fake gateway 1 HLS URL %q", g1.HLSURL)
		}
		if !g1.Enabled {
			t.Error("Fake gateway 1 disabled")
		}
		if g2.Enabled {
			t.Error("Fake gateway 2 still enabled without its fake server")
		}
		if g2.Server.URL != oldURLs[1] {
			t.Errorf("Fake gateway 2 at %q", g2.Server.URL)
		}

		// The webinar survived, on its gateway, and runs on the new fake.
		w := d.webinar(t, id)
		if w.Title != "Survives" || w.GatewayID != g1.ID {
			t.Errorf("webinar %+v", w)
		}
		ada := d.signedIn(t, "ada")
		d.act(t, ada, id, "start")
		w = d.wantState(t, id, webinar.Live)
		if !d.app.fakes.gws[0].IsRunning(w.Session) {
			t.Error("not streaming on the new fake")
		}
		if res := d.visitor(t).get("/hls/gw1/index.m3u8"); res.status != http.StatusOK {
			t.Errorf("HLS: %d", res.status)
		}
		d.endWebinar(t, ada, id)

		// Only one gateway to book now.
		start := slotStart(time.Now().Add(time.Hour))
		d.createWebinar(t, ada, webinarValues("One", start, 60, true, true))
		if res := ada.post("/webinars/new", webinarValues("Two", start, 60, true, true)); res.status != http.StatusUnprocessableEntity {
			t.Errorf("second webinar with one gateway: %d", res.status)
		}
	})
	if t.Failed() {
		return
	}

	t.Run("third run, three fakes", func(t *testing.T) {
		d := startDemo(t, func(o *options) { o.Data = dir; o.FakeGateways = 3 })
		list := d.gatewayList(t)
		if len(list) != 3 {
			t.Fatalf("%d gateways, want 3", len(list))
		}
		for i := range 3 {
			g := d.gatewayNamed(t, fakeGatewayName(i+1))
			if g.Server.URL != d.app.fakes.gws[i].URL {
				t.Errorf("%s at %q, want %q", g.Name, g.Server.URL, d.app.fakes.gws[i].URL)
			}
		}
		if g3 := d.gatewayNamed(t, "Fake gateway 3"); !g3.Enabled || g3.Order != 3 {
			t.Errorf("new Fake gateway 3: %+v", g3)
		}
		// Fake gateway 2, disabled by the second run, stays as the
		// administrator would find it: see the report on register.
	})
}

// TestTestStream: the HLS test pattern is served while a gateway streams.
func TestTestStream(t *testing.T) {
	t.Parallel()
	d := startDemo(t, nil)
	ada := d.signedIn(t, "ada")
	v := d.visitor(t)
	for _, p := range []string{"/hls/gw1/index.m3u8", "/hls/gw2/index.m3u8", "/hls/gw3/index.m3u8", "/hls/gw1/0.ts", "/hls/x/index.m3u8"} {
		if res := v.get(p); res.status != http.StatusNotFound {
			t.Errorf("GET %s off air: %d", p, res.status)
		}
	}
	id := d.newWebinar(t, ada, "Pattern")
	d.act(t, ada, id, "start")
	res := v.get("/hls/gw1/index.m3u8")
	if res.status != http.StatusOK || !strings.HasPrefix(res.body, "#EXTM3U\n") || !strings.Contains(res.body, "0.ts") {
		t.Fatalf("playlist: %d %q", res.status, res.body)
	}
	if ct := res.header.Get("Content-Type"); ct != "application/vnd.apple.mpegurl" {
		t.Errorf("playlist Content-Type %q", ct)
	}
	seg := v.get("/hls/gw1/0.ts")
	if seg.status != http.StatusOK || len(seg.body) == 0 || seg.body[0] != 0x47 {
		t.Errorf("segment: %d, %d bytes", seg.status, len(seg.body))
	}
	if res := v.get("/hls/gw2/index.m3u8"); res.status != http.StatusNotFound {
		t.Errorf("idle gateway: %d", res.status)
	}
	d.endWebinar(t, ada, id)
	if res := v.get("/hls/gw1/index.m3u8"); res.status != http.StatusNotFound {
		t.Errorf("after the end: %d", res.status)
	}
}

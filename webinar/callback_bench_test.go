package webinar_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/webinar"
)

// BenchmarkEndCallbackToStop measures, for a live webinar, the time from
// the meeting's end in BBB to the SIPMediaGW stop request having stopped
// the stream: the fake BBB fires its end callback over loopback to the
// Service's handler, which confirms with BBB and stops the stream.
func BenchmarkEndCallbackToStop(b *testing.B) {
	ctx := context.Background()
	store := memory.New()
	clk := clock.NewMock()
	clk.Set(t0.Add(time.Minute)) // in the webinars' slot
	gws := gateway.NewService(gateway.Config{Store: store, Clock: clk})
	fakeBBB := bbbtest.NewServer()
	defer fakeBBB.Close()
	fakeGW := sipmediagwtest.NewServer(sipmediagwtest.V16)
	defer fakeGW.Close()
	if _, err := gws.CreateGateway(ctx, gateway.Gateway{Name: "Amphi", RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/KEY"),
		HLSURL: "https://live.example.org/a.m3u8", Enabled: true,
		Server: gateway.Server{URL: fakeGW.URL, Token: gateway.NewSecret(fakeGW.Token), Protocol: sipmediagw.Legacy, Insecure: true}}); err != nil {
		b.Fatal(err)
	}
	signer, err := bbb.NewCallbackSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	portal := httptest.NewServer(mux)
	defer portal.Close()
	svc, err := webinar.NewService(webinar.Config{Store: store, Gateways: gws, Clock: clk, BBB: fakeBBB.Client(),
		PublicURL: portal.URL + "/webinar", Callbacks: signer})
	if err != nil {
		b.Fatal(err)
	}
	mux.Handle("/webinar/", http.StripPrefix("/webinar", svc.Handler(func(*http.Request) (webinar.User, bool) { return webinar.User{}, false })))

	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w, err := svc.Create(ctx, teacher, draft(slot(0, 2)))
		if err != nil {
			b.Fatal(err)
		}
		if _, err = svc.Start(ctx, teacher, w.ID); err != nil {
			b.Fatal(err)
		}
		if w, err = svc.Wait(ctx, w.ID); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := fakeBBB.EndMeeting(w.MeetingID); err != nil {
			b.Fatal(err)
		}
		if err := fakeGW.WaitRunning(ctx, w.Session, false); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		// The handler has stopped the stream; let it finish ending the
		// webinar before the next one books the gateway.
		for {
			got, err := svc.Get(ctx, w.ID)
			if err != nil {
				b.Fatal(err)
			}
			if got.State == webinar.Ended {
				break
			}
			if got.State == webinar.Failed {
				b.Fatalf("webinar failed: %s", got.FailReason)
			}
		}
		b.StartTimer()
	}
}

package webinar_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/internal/benchcpu"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/webinar"
)

// BenchmarkWatcherTick runs one watcher tick over 1,000 live webinars
// spread over 10 BBB servers (fakes), each server also hosting 100 other
// meetings of 50 attendees: the getMeetings answers are parsed in full.
// It reports the BBB requests per tick and the heap the store and the
// service hold per tracked webinar.
func BenchmarkWatcherTick(b *testing.B) {
	const (
		servers       = 10
		perServer     = 100
		otherMeetings = 100
		attendees     = 50
	)
	ctx := context.Background()
	store := memory.New()
	clk := clock.NewMock()
	clk.Set(t0)
	fakes := make([]*bbbtest.Server, servers)
	named := map[string]*bbb.Client{}
	for i := range fakes {
		fakes[i] = bbbtest.NewServer(bbbtest.WithMeetingExpiry(24 * time.Hour))
		defer fakes[i].Close()
		named[fmt.Sprintf("bbb-%d", i)] = fakes[i].Client()
		c := fakes[i].Client()
		for m := range otherMeetings {
			id := fmt.Sprintf("course-%d-%d", i, m)
			if _, err := c.Create(ctx, &bbb.CreateParams{Name: "Course", MeetingID: id}); err != nil {
				b.Fatal(err)
			}
			for a := range attendees {
				if _, err := fakes[i].UserJoins(id, fmt.Sprintf("Student %d", a), "VIEWER"); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
	// Each live on a gateway of its own: the gateways are the portal's,
	// registered before the webinars come.
	gws := gateway.NewService(gateway.Config{Store: store, Clock: clk})
	pool := make([]gateway.Gateway, servers*perServer)
	for i := range pool {
		g, err := gws.CreateGateway(ctx, gateway.Gateway{Name: "gw", Enabled: true,
			RTMPURL: gateway.NewSecret("rtmp://live.example.org/live/key"), HLSURL: "https://live.example.org/hls.m3u8",
			Server: gateway.Server{URL: fmt.Sprintf("https://gw-%d.example.org", i), Token: gateway.NewSecret("0123456789abcdef"),
				Protocol: sipmediagw.Legacy}})
		if err != nil {
			b.Fatal(err)
		}
		pool[i] = g
	}
	// The webinar of live n on server i, made afresh at each call so that
	// its strings are the store's own.
	liveWebinar := func(i, n int) webinar.Webinar {
		return webinar.Webinar{ID: fmt.Sprintf("w-%d-%d", i, n), Owner: "ada", Title: "Webinar",
			Server: fmt.Sprintf("bbb-%d", i), MeetingID: fmt.Sprintf("bbbcast-%d-%d", i, n),
			Slot: gateway.Slot{Start: t0, End: t0.Add(2 * time.Hour)}, State: webinar.Live, GatewayID: pool[i*perServer+n].ID,
			BotRoom: "b0123456789", BotSecret: gateway.NewSecret("0123456789abcdef0123456789abcdef"),
			Session: fmt.Sprintf("legacy:b%010d", n)}
	}
	// The webinars' meetings in the fakes first, so that the heap growth
	// measured around the store's part below is the store's alone.
	for i := range servers {
		c := fakes[i].Client()
		for n := range perServer {
			id := liveWebinar(i, n).MeetingID
			if _, err := c.Create(ctx, &bbb.CreateParams{Name: "Webinar", MeetingID: id}); err != nil {
				b.Fatal(err)
			}
			if _, err := fakes[i].UserJoins(id, "Ada", "MODERATOR"); err != nil {
				b.Fatal(err)
			}
		}
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range servers {
		for n := range perServer {
			w := liveWebinar(i, n)
			if _, err := store.CreateWebinar(ctx, w); err != nil {
				b.Fatal(err)
			}
			if _, err := gws.AllocateOn(ctx, w.ID, "", w.GatewayID, w.Slot); err != nil { // its booking
				b.Fatal(err)
			}
		}
	}
	signer, err := bbb.NewCallbackSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		b.Fatal(err)
	}
	svc, err := webinar.NewService(webinar.Config{Store: store, Gateways: gws, Clock: clk,
		BBB: fakes[0].Client(), BBBServers: named, PublicURL: publicURL, Callbacks: signer})
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	// The webinars' share: what the store (webinar and booking) and the
	// service hold per webinar, the fakes' meetings left out.
	perWebinar := float64(after.HeapAlloc-before.HeapAlloc) / (servers * perServer)

	o := webinar.WatchOptions{}
	b.Run("with-fakes", func(b *testing.B) { benchTicks(b, svc, fakes, o, servers*perServer, perWebinar) })

	// The same answers served from memory: the watcher's own cost, without
	// the fakes rendering them in the same process.
	canned := map[string]*bbb.Client{}
	for i, f := range fakes {
		body := cannedGetMeetings(b, f)
		c, err := bbb.NewClient("https://bbb-"+fmt.Sprint(i)+".example.org/bigbluebutton", "secret",
			bbb.WithHTTPClient(&http.Client{Transport: cannedTransport(body)}))
		if err != nil {
			b.Fatal(err)
		}
		canned[fmt.Sprintf("bbb-%d", i)] = c
	}
	svcCanned, err := webinar.NewService(webinar.Config{Store: store, Gateways: gateway.NewService(gateway.Config{Store: store}), Clock: clk,
		BBB: canned["bbb-0"], BBBServers: canned, PublicURL: publicURL, Callbacks: signer})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("watcher-only", func(b *testing.B) { benchTicks(b, svcCanned, nil, o, servers*perServer, perWebinar) })
}

// cannedGetMeetings returns the fake's getMeetings answer.
func cannedGetMeetings(b *testing.B, f *bbbtest.Server) []byte {
	resp, err := f.HTTPClient().Get(f.SignedURL("getMeetings", ""))
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

// cannedTransport answers every request with body.
type cannedTransport []byte

func (t cannedTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"text/xml;charset=utf-8"}},
		ContentLength: int64(len(t)), Body: io.NopCloser(bytes.NewReader(t))}, nil
}

func benchTicks(b *testing.B, svc *webinar.Service, fakes []*bbbtest.Server, o webinar.WatchOptions, live int, perWebinar float64) {
	ctx := context.Background()
	count := func() int {
		n := 0
		for _, f := range fakes {
			n += len(f.RequestsFor("getMeetings")) + len(f.RequestsFor("getMeetingInfo"))
		}
		return n
	}
	start := count()
	b.ReportAllocs()
	b.ResetTimer()
	stopCPU := benchcpu.Start(b, "cpu-ms/tick", time.Millisecond)
	for i := 0; i < b.N; i++ {
		if err := svc.Tick(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	stopCPU() // the garbage collector's work on the other core included
	if fakes != nil {
		b.ReportMetric(float64(count()-start)/float64(b.N), "BBB-requests/tick")
	}
	b.ReportMetric(perWebinar, "heap-B/webinar")
	list, err := svc.List(ctx, webinar.Query{States: []webinar.State{webinar.Live}})
	if err != nil || len(list) != live {
		b.Fatalf("%d live webinars after the ticks, %v", len(list), err)
	}
}

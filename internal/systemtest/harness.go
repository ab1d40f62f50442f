package systemtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

// PublicURL is where the portal serves the webinar handler in the tests.
const PublicURL = "https://portal.example.org/webinar"

// T0 is the harness clock's start: a Monday morning.
var T0 = time.Date(2031, time.March, 3, 9, 0, 0, 0, time.UTC)

// Presenter owns the webinars of the tests.
var Presenter = webinar.User{ID: "ada", Name: "Ada Lovelace", Affiliations: []string{"faculty"}}

// Options shape a Harness.
type Options struct {
	// Gateways is how many gateways the pool has, each on its own fake
	// SIPMediaGW server (2 by default).
	Gateways int
	// Version is the servers' SIPMediaGW release (V17 by default).
	Version sipmediagwtest.Version
	// Slots is how many containers each server runs at once (2 by
	// default: a second stream on one gateway would come up and show in
	// MaxRunning, instead of being refused).
	Slots int
	// LaunchDelay makes every start block on the launchers' clock
	// (Harness.Launchers, which the test moves) before its container
	// comes up.
	LaunchDelay time.Duration
	// StartTimeout is the SIPMediaGW clients' start timeout (5 s by
	// default), CleanupWindow their cleanup window after a failed start
	// (50 ms by default: the fakes answer at once).
	StartTimeout, CleanupWindow time.Duration
	// LeaseTTL and StepTimeout configure the processes (the Service's
	// defaults when 0).
	LeaseTTL, StepTimeout time.Duration
}

// Harness is the world of a portal for system tests: one store shared by
// its processes, a fake BBB, a pool of gateways on fake SIPMediaGW
// servers, and the processes' mock clock.
type Harness struct {
	T     testing.TB
	Store Store
	Clock *clock.Mock
	// Launchers is the fake SIPMediaGW servers' clock (see LaunchDelay).
	Launchers *clock.Mock
	BBB       *bbbtest.Server
	Servers   []*sipmediagwtest.Server // one per gateway, in the pool's order
	Gateways  []gateway.Gateway
	opts      Options

	mu   sync.Mutex
	live http.Handler // the handler of the latest process, which BBB's callbacks reach
}

// New builds a Harness on store: its gateways are registered, the clock
// is at T0.
func New(t testing.TB, store Store, o Options) *Harness {
	t.Helper()
	if o.Gateways <= 0 {
		o.Gateways = 2
	}
	if o.Version == "" {
		o.Version = sipmediagwtest.V17
	}
	if o.Slots <= 0 {
		o.Slots = 2
	}
	if o.StartTimeout <= 0 {
		o.StartTimeout = 5 * time.Second
	}
	if o.CleanupWindow <= 0 {
		o.CleanupWindow = 50 * time.Millisecond
	}
	h := &Harness{T: t, Store: store, Clock: clock.NewMock(), Launchers: clock.NewMock(), opts: o}
	h.Clock.Set(T0)
	h.BBB = bbbtest.NewServer(bbbtest.WithMeetingExpiry(24*time.Hour),
		bbbtest.WithCallbackClient(&http.Client{Transport: handlerTransport{h}}))
	t.Cleanup(h.BBB.Close)
	gws := gateway.NewService(gateway.Config{Store: store, Clock: h.Clock})
	for i := 0; i < o.Gateways; i++ {
		srv := sipmediagwtest.NewServer(o.Version, sipmediagwtest.WithSlots(o.Slots),
			sipmediagwtest.WithClock(h.Launchers), sipmediagwtest.WithStartDelay(o.LaunchDelay))
		t.Cleanup(srv.Close)
		g, err := gws.CreateGateway(context.Background(), gateway.Gateway{
			Name: fmt.Sprintf("Amphi %d", i+1), Order: i, Enabled: true,
			RTMPURL: gateway.NewSecret(fmt.Sprintf("rtmp://live.example.org/live/key-%d", i+1)),
			HLSURL:  fmt.Sprintf("https://live.example.org/hls/%d.m3u8", i+1),
			Server: gateway.Server{URL: srv.URL, Token: gateway.NewSecret(srv.Token),
				Protocol: o.Version.Protocol(), Insecure: true, LauncherID: launcherID(o.Version)},
		})
		if err != nil {
			t.Fatal(err)
		}
		h.Servers = append(h.Servers, srv)
		h.Gateways = append(h.Gateways, g)
	}
	return h
}

// Process is one running copy of the host application: a Service on the
// shared store and servers, which a Crash can kill.
type Process struct {
	Svc  *webinar.Service
	Name string
	in   *injector
}

// Start starts a process named name; BBB's end callbacks reach it from
// then on.
func (h *Harness) Start(name string) *Process {
	h.T.Helper()
	in := &injector{}
	servers := map[string]*sipmediagwtest.Server{}
	for _, s := range h.Servers {
		servers[s.URL] = s
	}
	client, err := bbb.NewClient(h.BBB.URL, h.BBB.Secret, bbb.WithInsecureHTTP(), bbb.WithRetries(0),
		bbb.WithHTTPClient(&http.Client{Transport: transport{in: in, base: h.BBB.HTTPClient().Transport, name: "bbb"}}))
	if err != nil {
		h.T.Fatal(err)
	}
	signer, err := bbb.NewCallbackSigner([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		h.T.Fatal(err)
	}
	store := crashStore{Store: h.Store, in: in}
	svc, err := webinar.NewService(webinar.Config{
		Store: store, Gateways: gateway.NewService(gateway.Config{Store: store, Clock: h.Clock}), Clock: h.Clock,
		BBB: client, PublicURL: PublicURL, Callbacks: signer, Holder: name,
		LeaseTTL: h.opts.LeaseTTL, StepTimeout: h.opts.StepTimeout,
		SIPMediaGW: func(g gateway.Gateway) (*sipmediagw.Client, error) {
			srv := servers[g.Server.URL]
			if srv == nil {
				return nil, fmt.Errorf("no fake server at %s", g.Server.URL)
			}
			return srv.Client(sipmediagw.WithRetryWait(time.Millisecond, time.Millisecond),
				sipmediagw.WithStartTimeout(h.opts.StartTimeout), sipmediagw.WithCleanupWindow(h.opts.CleanupWindow, 2*time.Millisecond),
				sipmediagw.WithHTTPClient(&http.Client{Transport: transport{in: in, base: srv.HTTPClient().Transport, name: "gateway"}})), nil
		},
	})
	if err != nil {
		h.T.Fatal(err)
	}
	mux := http.NewServeMux()
	svc.Mount(mux, func(*http.Request) (webinar.User, bool) { return Presenter, true })
	h.mu.Lock()
	h.live = mux
	h.mu.Unlock()
	p := &Process{Svc: svc, Name: name, in: in}
	h.T.Cleanup(func() { p.Stop() })
	return p
}

// Arm makes p count its side effects from now, and die at c.
func (p *Process) Arm(c Crash) { p.in.arm(c) }

// Dead reports whether p has crashed.
func (p *Process) Dead() bool { return p.in.isDead() }

// Effects lists the side effects p made since Arm.
func (p *Process) Effects() []string { return p.in.counted() }

// Stop closes p's Service: a dead process's operations end at once, their
// every call failing.
func (p *Process) Stop() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_ = p.Svc.Close(ctx)
}

// handlerTransport delivers BBB's end callbacks to the latest process's
// handler, in memory: nothing leaves the test.
type handlerTransport struct{ h *Harness }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.h.mu.Lock()
	live := t.h.live
	t.h.mu.Unlock()
	if live == nil || !strings.HasPrefix(r.URL.String(), PublicURL+"/") {
		return nil, fmt.Errorf("systemtest: no portal at %s", r.URL.Host)
	}
	rec := httptest.NewRecorder()
	live.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// Slot is [T0+from, T0+to) in minutes.
func Slot(from, to int) gateway.Slot {
	return gateway.Slot{Start: T0.Add(time.Duration(from) * time.Minute), End: T0.Add(time.Duration(to) * time.Minute)}
}

// Create creates a webinar of Presenter during slot, with p.
func (h *Harness) Create(p *Process, title string, slot gateway.Slot) webinar.Webinar {
	h.T.Helper()
	w, err := p.Svc.Create(context.Background(), Presenter, webinar.Draft{Title: title, Slot: slot, ChatEnabled: true})
	if err != nil {
		h.T.Fatalf("create %s: %v", title, err)
	}
	return w
}

// Do runs a lifecycle call and waits for its background part. When
// another operation of the process drives the webinar (BBB's end
// callback, say), it waits for that one and asks again, as a presenter
// would.
func Do(p *Process, op func(*webinar.Service) func(context.Context, webinar.User, string) (webinar.Webinar, error), id string) (webinar.Webinar, error) {
	ctx := context.Background()
	_, err := op(p.Svc)(ctx, Presenter, id)
	for attempt := 0; errors.Is(err, webinar.ErrBusy) && attempt < 3; attempt++ {
		_, _ = p.Svc.Wait(ctx, id)
		_, err = op(p.Svc)(ctx, Presenter, id)
	}
	if err != nil {
		return webinar.Webinar{}, err
	}
	return p.Svc.Wait(ctx, id)
}

// The lifecycle calls, for Do.
var (
	Start = func(s *webinar.Service) func(context.Context, webinar.User, string) (webinar.Webinar, error) {
		return s.Start
	}
	StopLive = func(s *webinar.Service) func(context.Context, webinar.User, string) (webinar.Webinar, error) {
		return s.StopLive
	}
	RestartLive = func(s *webinar.Service) func(context.Context, webinar.User, string) (webinar.Webinar, error) {
		return s.RestartLive
	}
	End = func(s *webinar.Service) func(context.Context, webinar.User, string) (webinar.Webinar, error) {
		return s.End
	}
)

// MustDo is Do, failing the test unless the webinar ends in want.
func (h *Harness) MustDo(p *Process, op func(*webinar.Service) func(context.Context, webinar.User, string) (webinar.Webinar, error), id string, want webinar.State) webinar.Webinar {
	h.T.Helper()
	w, err := Do(p, op, id) // err: the operation's, when it failed as wanted
	if w.State != want {
		h.T.Fatalf("webinar %s is %s (%s), want %s: %v", id, w.State, w.FailReason, want, err)
	}
	return w
}

// launcherID is the gw_id a fake v1.8 launcher created ("1"), for the
// gateway of such a server.
func launcherID(v sipmediagwtest.Version) string {
	if v.IsLauncher() {
		return "1"
	}
	return ""
}

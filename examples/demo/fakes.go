package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bbbcast/bbbcast/bbb/bbbtest"
	"github.com/bbbcast/bbbcast/examples/demo/internal/teststream"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

// fakeGatewayName names the i-th fake gateway (from 1); the demo finds its
// gateways again by this name after a restart, when the fakes listen on
// new ports.
func fakeGatewayName(i int) string { return fakePrefix + strconv.Itoa(i) }

const fakePrefix = "Fake gateway "

// fakes are what the demo runs against without a real BBB: a fake BBB
// 3.0, one fake SIPMediaGW server per gateway, the HLS test stream each
// gateway "publishes" while it streams, and a stand-in for the streaming
// bot, which joins the meeting as a real bot does, through the bot page.
type fakes struct {
	bbb     *bbbtest.Server
	gws     []*sipmediagwtest.Server
	hls     http.Handler
	base    string
	logger  *slog.Logger
	svc     *webinar.Service // set once the service exists
	client  *http.Client     // the bot's browser
	jobs    chan func(ctx context.Context) error
	pending sync.WaitGroup // the bot's steps queued or running
	wg      sync.WaitGroup
	closed  chan struct{}

	faultMu sync.Mutex
	faults  map[string]bool // the demoFaults turned on
}

// startFakes starts the fakes; the stand-in bot opens its pages with
// client, as the portal's own calls to its public URL do.
func startFakes(o options, base string, client *http.Client, logger *slog.Logger) (*fakes, error) {
	f := &fakes{
		bbb:    bbbtest.NewServer(bbbtest.WithLogger(logger)),
		base:   base,
		logger: logger,
		client: client,
		jobs:   make(chan func(ctx context.Context) error, 64),
		closed: make(chan struct{}),
	}
	f.wg.Add(1)
	go f.runBot()
	for range o.FakeGateways {
		// v1.6, the release Esup-Pod runs, carries chat in UTF-8 (v1.7's
		// bot posts b'…' with non-ASCII spelled as bytes).
		f.gws = append(f.gws, sipmediagwtest.NewServer(sipmediagwtest.V16,
			sipmediagwtest.WithStartDelay(o.FakeStartDelay), sipmediagwtest.WithLogger(logger)))
	}
	f.hls = teststream.Handler(f.onAir, time.Now)
	return f, nil
}

// hlsName is the stream name of the i-th gateway (from 1) in /hls/.
func hlsName(i int) string { return fmt.Sprintf("gw%d", i) }

// onAir tells the test stream whether a gateway streams, and since when.
func (f *fakes) onAir(name string) (time.Time, bool) {
	for i, g := range f.gws {
		if hlsName(i+1) != name {
			continue
		}
		for _, s := range g.Running() {
			if !s.Failed {
				return s.Started, true
			}
		}
	}
	return time.Time{}, false
}

// register points the fake gateways of the store at this run's fake
// servers, creating the missing ones and disabling those beyond
// -fake-gateways. A stored gateway whose old address a new fake server
// now has is first parked at an address of its own, since two gateways
// cannot share a server.
func (f *fakes) register(ctx context.Context, gws *gateway.Service) error {
	existing, err := gws.Gateways(ctx)
	if err != nil {
		return err
	}
	taken := map[string]bool{}
	for _, srv := range f.gws {
		taken[gateway.ServerKey(srv.URL)] = true
	}
	byName := map[string]gateway.Gateway{}
	for _, g := range existing {
		if !strings.HasPrefix(g.Name, fakePrefix) {
			continue
		}
		if taken[gateway.ServerKey(g.Server.URL)] {
			g.Server.URL = "http://parked-" + strconv.FormatInt(g.ID, 10) + ".invalid"
			if err := gws.UpdateGateway(ctx, g); err != nil {
				return err
			}
		}
		byName[g.Name] = g
	}
	for i, srv := range f.gws {
		name := fakeGatewayName(i + 1)
		g, found := byName[name]
		delete(byName, name)
		if !found {
			g = gateway.Gateway{Name: name, Order: i + 1}
		}
		g.Enabled = true
		g.RTMPURL = gateway.NewSecret(fmt.Sprintf("rtmp://127.0.0.1/live/demo-%d", i+1))
		g.HLSURL = f.base + "/hls/" + hlsName(i+1) + "/index.m3u8"
		g.Server = gateway.Server{
			URL:      srv.URL,
			Token:    gateway.NewSecret(srv.Token),
			Protocol: sipmediagw.Legacy,
			Insecure: true, // plain http on loopback
		}
		if found {
			err = gws.UpdateGateway(ctx, g)
		} else {
			_, err = gws.CreateGateway(ctx, g)
		}
		if err != nil {
			return fmt.Errorf("fake gateway %d: %w", i+1, err)
		}
	}
	for _, g := range byName {
		if g.Enabled {
			g.Enabled = false
			if err := gws.UpdateGateway(ctx, g); err != nil {
				return err
			}
		}
	}
	return nil
}

// notify plays the streaming bot: when a webinar goes live it opens the
// bot page and joins the meeting; when its stream stops it leaves.
func (f *fakes) notify(_ context.Context, e webinar.Event) {
	if e.Kind != webinar.StateChanged {
		return
	}
	switch {
	case e.To == webinar.Live && e.From == webinar.Starting:
		f.background(func(ctx context.Context) error { return f.botJoins(ctx, e.WebinarID) })
	case e.From == webinar.Live:
		f.background(func(ctx context.Context) error { return f.botLeaves(ctx, e.WebinarID) })
	}
}

// background queues a step of the bot. The steps run one after the
// other, in the order the events came, so that a restart's leave cannot
// overtake its join.
func (f *fakes) background(do func(ctx context.Context) error) {
	f.pending.Add(1)
	select {
	case f.jobs <- do:
	default:
		f.pending.Done()
		f.logger.Warn("fake streaming bot: too many steps queued, one dropped")
	}
}

// waitBot blocks until the bot has no step queued or running.
func (f *fakes) waitBot() { f.pending.Wait() }

// runBot runs the bot's steps until Close.
func (f *fakes) runBot() {
	defer f.wg.Done()
	for {
		select {
		case <-f.closed:
			for {
				select {
				case <-f.jobs:
					f.pending.Done()
				default:
					return
				}
			}
		case do := <-f.jobs:
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			done := make(chan struct{})
			go func() { // Close cancels the step in flight
				select {
				case <-f.closed:
					cancel()
				case <-done:
				}
			}()
			if err := do(ctx); err != nil {
				f.logger.Warn("fake streaming bot", "err", err)
			}
			close(done)
			cancel()
			f.pending.Done()
		}
	}
}

// botJoins does what the SIPMediaGW bot's browser does: it opens the
// webinar's bot page, submits its name, and follows the redirects into
// the meeting (the fake BBB's client page adds it to the attendees).
func (f *fakes) botJoins(ctx context.Context, id string) error {
	w, err := f.svc.Get(ctx, id)
	if err != nil {
		return err
	}
	page := f.base + servicePath + webinar.BotPagePath(&w)
	if err := f.fetch(ctx, http.MethodGet, page, nil); err != nil {
		return err
	}
	return f.fetch(ctx, http.MethodPost, page, url.Values{"name": {webinar.BotName}})
}

func (f *fakes) fetch(ctx context.Context, method, u string, form url.Values) error {
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return err
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return botFetchError(method, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s bot page: %s", method, resp.Status)
	}
	return nil
}

// botLeaves takes the bot out of the meeting when its stream stopped.
func (f *fakes) botLeaves(ctx context.Context, id string) error {
	w, err := f.svc.Get(ctx, id)
	if err != nil {
		return err
	}
	m, ok := f.bbb.Meeting(w.MeetingID)
	if !ok {
		return nil
	}
	for _, at := range m.Attendees {
		if at.FullName == webinar.BotName {
			if err := f.bbb.UserLeaves(w.MeetingID, at.UserID); err != nil {
				return err
			}
		}
	}
	return nil
}

// Close stops the bot and the fake servers.
func (f *fakes) Close() {
	close(f.closed)
	f.wg.Wait()
	for _, g := range f.gws {
		g.Close()
	}
	f.bbb.Close()
}

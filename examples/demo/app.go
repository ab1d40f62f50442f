package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/store/sqlite"
	"github.com/bbbcast/bbbcast/webinar"
)

// servicePath is where the webinar package's handler is mounted: BBB's
// end callbacks and the streaming bot's page live under it.
const servicePath = "/webinar"

// closeWait bounds how long Close waits for the webinar operations in
// flight.
const closeWait = 90 * time.Second

// app is the running portal: the library's services over one SQLite
// store, the fakes in fake mode, and the pages.
type app struct {
	opts   options
	base   string // the portal's public URL, no trailing slash
	logger *slog.Logger
	loc    *time.Location
	clock  clock.Clock

	store    *sqlite.Store
	gateways *gateway.Service
	bbb      *bbb.Client
	svc      *webinar.Service
	fakes    *fakes // nil with a real BBB
	pages    *pages
	hlsJS    string // path of hls.min.js, "" when it is not installed
}

// newApp opens the store and wires the services; in fake mode it starts
// the fakes first, and registers their gateways.
func newApp(ctx context.Context, o options, base string, logger *slog.Logger) (*app, error) {
	loc, err := time.LoadLocation(o.Timezone)
	if err != nil {
		return nil, fmt.Errorf("-timezone: %w", err)
	}
	if err := os.MkdirAll(o.Data, 0o700); err != nil {
		return nil, err
	}
	a := &app{opts: o, base: base, logger: logger, loc: loc, clock: clock.New()}
	a.store, err = sqlite.Open(ctx, filepath.Join(o.Data, "bbbcast.db"))
	if err != nil {
		return nil, err
	}
	a.gateways = gateway.NewService(gateway.Config{Store: a.store, Logger: logger})

	self, err := selfClient(o.CAFile)
	if err != nil {
		a.Close()
		return nil, err
	}
	relay := webinar.RelaySIPMediaGW
	if o.BBBURL == "" {
		a.fakes, err = startFakes(o, base, self, logger)
		if err != nil {
			a.Close()
			return nil, err
		}
		a.bbb = a.fakes.bbb.Client()
		if err := a.fakes.register(ctx, a.gateways); err != nil {
			a.Close()
			return nil, err
		}
		if o.ChatRelay != "bot" {
			relay = webinar.RelayBBB // the fake BBB is 3.0: sendChatMessage
		}
	} else {
		a.bbb, err = bbb.NewClient(o.BBBURL, o.BBBSecret, bbb.WithLogger(logger))
		if err != nil {
			a.Close()
			return nil, err
		}
		if o.ChatRelay == "bbb" {
			relay = webinar.RelayBBB
		}
	}

	key, err := callbackKey(o)
	if err != nil {
		a.Close()
		return nil, err
	}
	signer, err := bbb.NewCallbackSigner(key)
	if err != nil {
		a.Close()
		return nil, err
	}
	var notifier webinar.Notifier
	botTLS := webinar.BotTLSRequired
	if a.fakes != nil {
		notifier = webinar.NotifierFunc(a.fakes.notify)
		botTLS = webinar.BotTLSNone // the stand-in bot opens http pages
	}
	a.svc, err = webinar.NewService(webinar.Config{
		Store:      a.store,
		Gateways:   a.gateways,
		Policy:     webinar.PodPolicy{},
		Notifier:   notifier,
		Clock:      a.clock,
		Logger:     logger,
		BBB:        a.bbb,
		PublicURL:  base + servicePath,
		Callbacks:  signer,
		ChatRelay:  relay,
		HTTPClient: self,
		BotTLS:     botTLS,
	})
	if err != nil {
		a.Close()
		return nil, err
	}
	if a.fakes != nil {
		a.fakes.svc = a.svc
	}
	a.hlsJS = findHLSJS(o.Assets)
	a.pages, err = newPages(a)
	if err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// callbackKey is the key of the end-callback signatures: DEMO_CALLBACK_KEY,
// else a random key kept in the data directory, so that callbacks signed
// before a restart still verify.
func callbackKey(o options) ([]byte, error) {
	if o.CallbackKey != "" {
		if len(o.CallbackKey) < 32 {
			return nil, errors.New("DEMO_CALLBACK_KEY: at least 32 characters")
		}
		return []byte(o.CallbackKey), nil
	}
	path := filepath.Join(o.Data, "callback.key")
	key, err := os.ReadFile(path)
	if err == nil && len(key) >= 32 {
		return key, nil
	}
	key = make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return key, os.WriteFile(path, key, 0o600)
}

// findHLSJS looks for hls.js as `npm ci` installs it, in dir and then in
// the current directory.
func findHLSJS(dir string) string {
	for _, d := range []string{dir, "."} {
		p := filepath.Join(d, "node_modules", "hls.js", "dist", "hls.min.js")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// Mode names what the portal runs against.
func (a *app) Mode() string {
	if a.fakes != nil {
		return "fake BigBlueButton and SIPMediaGW, SQLite in " + a.opts.Data
	}
	return "BigBlueButton at " + a.opts.BBBURL + ", SQLite in " + a.opts.Data
}

// Watch runs the webinar watcher until ctx ends: it ends webinars whose
// meeting is over and drives the steps a crash interrupted.
func (a *app) Watch(ctx context.Context) {
	err := a.svc.Watch(ctx, webinar.WatchOptions{Interval: 10 * time.Second})
	if err != nil && !errors.Is(err, context.Canceled) {
		a.logger.Error("watcher stopped", "err", err)
	}
}

// Close waits for the webinar operations in flight (a real gateway
// takes up to a minute; those still running after closeWait are left to
// the next start's Reconcile) and releases everything.
func (a *app) Close() {
	if a.svc != nil {
		ctx, cancel := context.WithTimeout(context.Background(), closeWait)
		if err := a.svc.Close(ctx); err != nil {
			a.logger.Warn("webinar operations left to the next start", "err", err)
		}
		cancel()
	}
	if a.fakes != nil {
		a.fakes.Close()
	}
	if a.store != nil {
		a.store.Close()
	}
}

// Handler routes the portal's pages, its assets and the webinar service.
func (a *app) Handler() http.Handler {
	mux := http.NewServeMux()
	a.svc.Mount(mux, a.userOf) // at servicePath, PublicURL's path
	if a.fakes == nil {
		a.pages.routes(mux)
		return securityHeaders(mux)
	}
	mux.Handle("/hls/", http.StripPrefix("/hls", a.fakes.faultyHLS(a.fakes.hls)))
	a.pages.routes(mux)
	return securityHeaders(a.fakes.unforwarded(mux))
}

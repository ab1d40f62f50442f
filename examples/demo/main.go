package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/bbbcast/bbbcast/webinar"
)

// options are the demo's settings, from flags and environment variables.
type options struct {
	Addr      string // listen address
	Data      string // directory of the SQLite database
	PublicURL string // the portal's URL as browsers and BBB see it ("" derives it from Addr)
	Assets    string // directory holding node_modules (hls.js)
	Timezone  string // time zone of the forms and pages

	BBBURL    string // a real BBB (…/bigbluebutton); "" runs the fake one
	BBBSecret string
	ChatRelay string // "bot" or "bbb" ("" picks: bbb on the fake, bot on a real server)

	FakeGateways   int           // fake SIPMediaGW gateways in fake mode
	FakeStartDelay time.Duration // how long a fake gateway takes to start a stream
	CallbackKey    string        // key of the end-callback signatures ("" keeps one in Data)
	CAFile         string        // PEM certificates the portal trusts besides the system's, for its public URL

	JSON bool // demo check: the report as JSON
}

// env returns the environment variable k, or def when it is unset.
func env(k, def string) string {
	if v, ok := os.LookupEnv(k); ok {
		return v
	}
	return def
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.Addr, "addr", env("DEMO_ADDR", "127.0.0.1:8080"), "listen address (DEMO_ADDR)")
	fs.StringVar(&o.Data, "data", env("DEMO_DATA", "demo-data"), "data directory, holds the SQLite database (DEMO_DATA)")
	fs.StringVar(&o.PublicURL, "public-url", env("DEMO_PUBLIC_URL", ""), "the portal's URL as browsers and BBB reach it; default http://ADDR (DEMO_PUBLIC_URL)")
	fs.StringVar(&o.Assets, "assets", env("DEMO_ASSETS", "examples/demo"), "directory holding node_modules/hls.js (DEMO_ASSETS)")
	fs.StringVar(&o.Timezone, "timezone", env("DEMO_TIMEZONE", "Local"), "time zone of dates in the pages (DEMO_TIMEZONE)")
	fs.StringVar(&o.BBBURL, "bbb-url", env("BBB_URL", ""), "a real BigBlueButton API URL, https://…/bigbluebutton; empty runs the fake (BBB_URL)")
	fs.StringVar(&o.BBBSecret, "bbb-secret", "", "the real BBB's shared secret; prefer the BBB_SECRET variable")
	fs.StringVar(&o.ChatRelay, "chat-relay", env("DEMO_CHAT_RELAY", ""), `how audience messages reach BBB: "bot" (the streaming bot types them) or "bbb" (sendChatMessage, BBB 3.0+) (DEMO_CHAT_RELAY)`)
	fs.IntVar(&o.FakeGateways, "fake-gateways", 2, "fake SIPMediaGW gateways to run when no real BBB is set")
	fs.DurationVar(&o.FakeStartDelay, "fake-start-delay", 2*time.Second, "how long a fake gateway takes to start a stream")
	fs.StringVar(&o.CAFile, "ca-file", env("DEMO_CA_FILE", ""), "PEM certificates to trust besides the system's when the portal calls its own public URL (a TLS front with a private CA) (DEMO_CA_FILE)")
	fs.BoolVar(&o.JSON, "json", false, "with the check command: print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if o.BBBSecret == "" {
		o.BBBSecret = os.Getenv("BBB_SECRET")
	}
	o.CallbackKey = os.Getenv("DEMO_CALLBACK_KEY")
	if o.BBBURL != "" && o.BBBSecret == "" {
		return o, errors.New("-bbb-url needs the BBB shared secret: set BBB_SECRET")
	}
	switch o.ChatRelay {
	case "", "bot", "bbb":
	default:
		return o, fmt.Errorf(`-chat-relay: %q is neither "bot" nor "bbb"`, o.ChatRelay)
	}
	if o.FakeGateways < 0 || o.FakeGateways > 20 {
		return o, errors.New("-fake-gateways: between 0 and 20")
	}
	return o, nil
}

// usage is how the command is run; the flags follow it in -h.
const usage = `Usage: demo [flags]         serve the portal
       demo check [flags]   check every server and URL the portal uses, then exit:
                            0 healthy (warnings included), 1 an error found or the check could not run
`

func main() {
	args, check := os.Args[1:], false
	if len(args) > 0 && args[0] == "check" {
		args, check = args[1:], true
	}
	o, err := parseOptions(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	if check {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		sev, err := runCheck(ctx, o, logger, os.Stdout)
		if err == nil && sev == webinar.SeverityError {
			err = errCheckFailed
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "demo check:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, o, logger, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

// serverLimits bound what one client may hold of the server.
type serverLimits struct {
	header, read, write, idle time.Duration
	headerBytes               int
}

// defaultLimits: the headers in 10 s, a whole request (forms of 16 KB at
// most) in 30 s, an answer in 60 s (the largest, an HLS segment of 100
// KB, on a slow link; no route holds a request open), 60 s between
// requests on a kept-alive connection, 64 KB of headers.
var defaultLimits = serverLimits{header: 10 * time.Second, read: 30 * time.Second, write: time.Minute,
	idle: time.Minute, headerBytes: 64 << 10}

// newServer serves h within limits, so that slow or idle clients cannot
// hold the server's connections.
func newServer(h http.Handler, l serverLimits) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: l.header, ReadTimeout: l.read, WriteTimeout: l.write,
		IdleTimeout: l.idle, MaxHeaderBytes: l.headerBytes}
}

// run serves the portal until ctx ends.
func run(ctx context.Context, o options, logger *slog.Logger, stdout io.Writer) error {
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return err
	}
	base := o.PublicURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	a, err := newApp(ctx, o, strings.TrimRight(base, "/"), logger)
	if err != nil {
		ln.Close()
		return err
	}
	defer a.Close()

	srv := newServer(a.Handler(), defaultLimits)
	go a.Watch(ctx)
	fmt.Fprintf(stdout, "bbbcast demo (%s) on %s/\n", a.Mode(), a.base)
	fmt.Fprintln(stdout, "Press Ctrl+C to stop.")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	return srv.Shutdown(shut)
}

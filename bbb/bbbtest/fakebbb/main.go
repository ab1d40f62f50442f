// Command fakebbb runs bbbtest's fake BigBlueButton server as a process,
// for test suites in any language:
//
//	go run github.com/bbbcast/bbbcast/bbb/bbbtest/fakebbb -secret s3cret
//
// It speaks the BBB API under /bigbluebutton/api/ (checksums checked as BBB
// does), serves the minimal HTML5 client join pages, and a JSON control
// API under /_control/ that plays BBB's users and operators (see
// README.md). At start it prints one line to stdout:
//
//	fakebbb: URL: http://127.0.0.1:8090/bigbluebutton/ Secret: s3cret (BBB 3.0.0, control http://127.0.0.1:8090/_control/, listening on 127.0.0.1:8090)
//
// (with -public-url, URL and control are on the public URL). It stops on
// SIGINT or SIGTERM, letting requests in flight finish; go run does not
// pass SIGTERM on to the command, so to stop it with kill, build it first
// (go build -o /tmp/fakebbb …). Flags:
//
//	-addr host:port      where to listen (127.0.0.1:8090; port 0 picks one)
//	-allow-remote        allow a non-loopback -addr (the fake has no authentication)
//	-secret s            shared secret (random by default, printed)
//	-version v           BBB release to behave as (bbbtest.DefaultVersion)
//	-public-url u        scheme://host[:port] used in join and errors= redirects,
//	                     playback and caption URLs and webhook events' domain
//	                     instead of the listening address
//	-checksum list       accepted checksum algorithms (sha1,sha256,sha384,sha512)
//	-recording-delay d   how long a recording stays processing (500ms)
//	-webhook-bearer      webhooks carry Authorization: Bearer <secret>, no checksum
//	-permanent-hook u    a permanent webhook for u (repeatable)
//	-v                   log each API request to stderr
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/bbb/bbbtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case err == nil:
	case errors.Is(err, flag.ErrHelp):
		os.Exit(2)
	default:
		fmt.Fprintln(os.Stderr, "fakebbb:", err)
		os.Exit(1)
	}
}

// run starts the fake with the flags in args, prints its start line to
// stdout, and serves until ctx ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("fakebbb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "`host:port` to listen on (port 0 picks a free one)")
	allowRemote := fs.Bool("allow-remote", false, "allow a non-loopback -addr (the fake has no authentication)")
	secret := fs.String("secret", "", "shared `secret` (random when empty)")
	version := fs.String("version", bbbtest.DefaultVersion, "BBB release to behave as")
	public := fs.String("public-url", "", "scheme://host[:port] of the `URL` used in redirects, playback URLs and webhook events instead of the listening address")
	checksum := fs.String("checksum", "sha1,sha256,sha384,sha512", "accepted checksum `algorithms`, comma-separated")
	recDelay := fs.Duration("recording-delay", bbbtest.DefaultRecordingDelay, "how long an ended recorded meeting's recording stays processing before it is published")
	bearer := fs.Bool("webhook-bearer", false, "authenticate webhook deliveries with Authorization: Bearer <secret> instead of a checksum (bbb-webhooks' auth2_0)")
	var permanent []string
	fs.Func("permanent-hook", "register a permanent webhook for this callback `URL` (repeatable), as bbb-webhooks' permanentURLs", func(u string) error {
		permanent = append(permanent, u)
		return nil
	})
	verbose := fs.Bool("v", false, "log each API request to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if !*allowRemote {
		if err := checkLoopback(*addr); err != nil {
			return err
		}
	}
	algs, err := parseAlgorithms(*checksum)
	if err != nil {
		return err
	}
	opts := []bbbtest.Option{
		bbbtest.WithAddr(*addr),
		bbbtest.WithSecret(*secret),
		bbbtest.WithVersion(*version),
		bbbtest.WithChecksumAlgorithms(algs...),
		bbbtest.WithRecordingDelay(*recDelay),
	}
	if *public != "" {
		opts = append(opts, bbbtest.WithPublicURL(*public))
	}
	if *bearer {
		opts = append(opts, bbbtest.WithWebhookBearer())
	}
	for _, u := range permanent {
		opts = append(opts, bbbtest.WithPermanentHook(u))
	}
	if *verbose {
		opts = append(opts, bbbtest.WithLogger(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	srv, err := newServer(opts)
	if err != nil {
		return err
	}
	defer srv.Close()

	base := strings.TrimSuffix(srv.URL, bbbtest.BasePath)
	if *public != "" {
		base = strings.TrimRight(*public, "/")
	}
	fmt.Fprintf(stdout, "fakebbb: URL: %s%s/ Secret: %s (BBB %s, control %s%s/, listening on %s)\n",
		base, bbbtest.BasePath, srv.Secret, srv.Version(), base, bbbtest.ControlPath,
		strings.TrimPrefix(strings.TrimSuffix(srv.URL, bbbtest.BasePath), "http://"))
	<-ctx.Done()
	srv.Close()
	return nil
}

// newServer turns NewServer's panics (bad version, address in use, …) into
// errors.
func newServer(opts []bbbtest.Option) (srv *bbbtest.Server, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return bbbtest.NewServer(opts...), nil
}

// checkLoopback refuses an address that is not on loopback.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-addr %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("-addr %q is not a loopback address: the fake has no authentication; add -allow-remote to listen there anyway", addr)
}

// parseAlgorithms parses the -checksum list.
func parseAlgorithms(list string) ([]bbb.Algorithm, error) {
	var algs []bbb.Algorithm
	for name := range strings.SplitSeq(list, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		a, err := bbb.ParseAlgorithm(name)
		if err != nil {
			return nil, fmt.Errorf("-checksum: unknown algorithm %q (want sha1, sha256, sha384 or sha512)", name)
		}
		algs = append(algs, a)
	}
	if len(algs) == 0 {
		return nil, errors.New("-checksum: no algorithm")
	}
	return algs, nil
}

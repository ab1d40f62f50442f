// Command minimal serves bbbcast's webinar handler for a real BBB and SIPMediaGW (see README.md).
package main

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/store/sqlite"
	"github.com/bbbcast/bbbcast/webinar"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Getenv, os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, getenv func(string) string, stdout io.Writer) error {
	if m := slices.DeleteFunc(strings.Fields("BBB_URL BBB_SECRET PUBLIC_URL CALLBACK_KEY SIPMEDIAGW_URL "+
		"SIPMEDIAGW_TOKEN RTMP_URL HLS_URL"), func(k string) bool { return getenv(k) != "" }); len(m) > 0 {
		return errors.New("missing environment variables: " + strings.Join(m, ", "))
	}
	store, err := sqlite.Open(ctx, cmp.Or(getenv("DATA"), "bbbcast.db"))
	if err != nil {
		return err
	}
	defer store.Close()
	g := gateway.Gateway{Name: "default", Enabled: true, HLSURL: getenv("HLS_URL"),
		RTMPURL: gateway.NewSecret(getenv("RTMP_URL")), Server: gateway.Server{URL: getenv("SIPMEDIAGW_URL"),
			Token: gateway.NewSecret(getenv("SIPMEDIAGW_TOKEN")), Insecure: getenv("INSECURE_HTTP") == "1",
			Protocol: sipmediagw.Legacy}} // SIPMediaGW v1.5 to v1.7; v1.8: sipmediagw.V18
	gws := gateway.NewService(gateway.Config{Store: store})
	if _, err = gws.CreateGateway(ctx, g); errors.Is(err, gateway.ErrDuplicateServer) {
		err = nil // registered at an earlier start
	}
	logger := slog.New(slog.NewTextHandler(stdout, nil))
	var opts []bbb.Option
	if g.Server.Insecure { // INSECURE_HTTP=1: plain http:// to BBB and SIPMediaGW, for local fakes only
		opts = append(opts, bbb.WithInsecureHTTP())
	}
	client, errBBB := bbb.NewClient(getenv("BBB_URL"), getenv("BBB_SECRET"), opts...)
	signer, errKey := bbb.NewCallbackSigner([]byte(getenv("CALLBACK_KEY"))) // 32+ bytes, stable
	svc, errSvc := webinar.NewService(webinar.Config{Store: store, Gateways: gws, BBB: client,
		Callbacks: signer, PublicURL: getenv("PUBLIC_URL"), Logger: logger})
	if err := errors.Join(err, errBBB, errKey, errSvc); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cmp.Or(getenv("ADDR"), "127.0.0.1:8080"))
	if err != nil {
		return err
	}
	users := func(r *http.Request) (webinar.User, bool) { // a STAND-IN for the host's session lookup
		id := r.Header.Get("X-User")
		return webinar.User{ID: id, Name: id}, id != "" && getenv("TRUST_X_USER") == "1"
	}
	mux := http.NewServeMux()
	svc.Mount(mux, users) // under PUBLIC_URL's path; ADDR is on loopback, behind PUBLIC_URL, and slow clients are let go:
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: time.Minute, IdleTimeout: time.Minute, MaxHeaderBytes: 64 << 10}
	go func() { logger.Info("serving", "addr", ln.Addr().String()); _ = srv.Serve(ln) }()
	_ = svc.Watch(ctx, webinar.WatchOptions{}) // until SIGINT or SIGTERM
	wait, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel() // requests in flight, then background starts and stops, end (or are left to Reconcile)
	return errors.Join(srv.Shutdown(wait), svc.Close(wait))
}

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/webinar"
)

// runCheck is `demo check`: it wires the portal as `demo` does, from the
// same flags and environment, runs the library's health check and writes
// the report (text, or JSON with -json). It returns the report's
// severity.
//
// The check asks PublicURL from this process, as BBB and the bot would:
// when the listen address is free the portal is served there for the
// check's length; when it is taken, whatever serves it answers (with
// real servers, a demo already running). In fake mode the check runs
// fakes of its own, so a demo running on the address is refused: its
// admin page /admin/health shows the same report.
func runCheck(ctx context.Context, o options, logger *slog.Logger, stdout io.Writer) (webinar.Severity, error) {
	ln, listenErr := net.Listen("tcp", o.Addr)
	if listenErr != nil && o.BBBURL == "" {
		return "", fmt.Errorf("%s is taken, a demo runs there: its page /admin/health shows the check (a check in fake mode needs fakes of its own)", o.Addr)
	}
	base := o.PublicURL
	if base == "" {
		base = "http://" + o.Addr
		if ln != nil {
			base = "http://" + ln.Addr().String()
		}
	}
	a, err := newApp(ctx, o, strings.TrimRight(base, "/"), logger)
	if err != nil {
		if ln != nil {
			ln.Close()
		}
		return "", err
	}
	defer a.Close()
	if ln != nil {
		srv := newServer(a.Handler(), defaultLimits)
		go func() { _ = srv.Serve(ln) }()
		defer func() {
			shut, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(shut)
		}()
	} else {
		logger.Info("the listen address is taken: the check asks whatever serves the public URL", "addr", o.Addr)
	}
	report := a.svc.Check(ctx)
	if o.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(report)
	} else {
		err = report.WriteText(stdout)
	}
	if err != nil {
		return "", err
	}
	return report.Severity(), nil
}

// errCheckFailed is the exit of a check whose report holds an error.
var errCheckFailed = errors.New("the health check found errors")

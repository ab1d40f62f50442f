package sipmediagw

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"
)

// StartError is a start that failed after its request was sent. Err is
// the cause (errors.Is and errors.As see through to it). Session names
// what the start was for: its room, and its gw_id when the client knows it
// (a v1.8 launcher's). MayRun reports that a container may still stream
// for that session: the server did not refuse the start outright, and the
// cleanup that followed did not see it stopped (or was turned off). The
// caller then owns Session: keep it, and stop it (Stop, StopRoom) before
// forgetting it.
type StartError struct {
	Session Session
	MayRun  bool
	Err     error
}

func (e *StartError) Error() string {
	if e.MayRun {
		return e.Err.Error() + " (a stream may still run for that room)"
	}
	return e.Err.Error()
}

// Unwrap returns the cause.
func (e *StartError) Unwrap() error { return e.Err }

// session is what a start of p addresses, before the server answered.
func (p *StartParams) session(proto Protocol) Session {
	s := Session{Protocol: proto, Room: p.Room}
	if proto == V18Launcher {
		s.GatewayID = p.GatewayID
	}
	return s
}

// mayHaveLaunched tells the failures after which a container may run:
// all but the server's outright refusals.
func mayHaveLaunched(err error) bool {
	return !errors.Is(err, ErrBusy) && !errors.Is(err, ErrUnauthorized) &&
		!errors.Is(err, ErrRejected) && !errors.Is(err, ErrNotSupported) && !errors.Is(err, ErrInvalidParam) &&
		!errors.Is(err, ErrNilContext)
}

// sideUnknown tells the failures after which the server may still be
// starting the container: no answer (a timeout, a dropped connection), a
// reverse proxy's page or a gateway error (502, 503 or 504 from a proxy
// in front). A launcher's own "failed to launch", its debug page, or the
// v1.8 proxy's JSON 503 once its launcher answered, mean the start has
// ended.
func sideUnknown(err error) bool {
	var (
		oe *OpError
		re *ResponseError
	)
	switch {
	case errors.As(err, &oe):
		return oe.StatusCode == http.StatusBadGateway || oe.StatusCode == http.StatusGatewayTimeout
	case errors.As(err, &re):
		// A reverse proxy's page; the launcher's own debug page (500) is
		// written once its script has ended.
		return re.StatusCode == http.StatusBadGateway || re.StatusCode == http.StatusServiceUnavailable ||
			re.StatusCode == http.StatusGatewayTimeout
	}
	return true
}

// cleanupAfterStart stops what a failed start may have left, on a context
// of its own (the caller's may be the one that timed out), and reports
// whether a container may still run. After a failure that leaves the
// server's side unknown it keeps stopping the room every cleanup interval
// until a stop stops a container or the window ends, since the launcher
// may bring the container up after a first stop found nothing; otherwise
// one stop answered is enough.
func (c *Client) cleanupAfterStart(ctx context.Context, p *StartParams, unknown bool) (mayRun bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.cleanupWindow+c.stopTimeout)
	defer cancel()
	deadline := time.Now().Add(c.cleanupWindow)
	var lastErr error
	for attempt := 1; ; attempt++ {
		stopped, err := c.cleanupStop(ctx, p)
		lastErr = err
		switch {
		case err == nil && stopped:
			c.logger.LogAttrs(ctx, slog.LevelInfo, "sipmediagw cleaned up after a failed start: the container was stopped",
				slog.Int("attempts", attempt))
			return false
		case err == nil && !unknown:
			c.logger.LogAttrs(ctx, slog.LevelInfo, "sipmediagw: no container was left by the failed start")
			return false
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			break
		}
		t := time.NewTimer(min(wait, c.cleanupEvery))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			lastErr = ctx.Err()
		}
		if lastErr != nil && ctx.Err() != nil {
			break
		}
	}
	if lastErr == nil {
		c.logger.LogAttrs(ctx, slog.LevelInfo, "sipmediagw: no container came up after the failed start",
			slog.Duration("watched", c.cleanupWindow))
		return false
	}
	c.logger.LogAttrs(ctx, slog.LevelError, "sipmediagw cleanup after a failed start failed: a container may be left running",
		slog.String("error", lastErr.Error()))
	return true
}

// cleanupStop stops the room or gateway of a failed start once.
func (c *Client) cleanupStop(ctx context.Context, p *StartParams) (bool, error) {
	switch c.protocol {
	case Legacy:
		return c.stopLegacy(ctx, p.Room)
	case V18Launcher:
		return c.stopV18(ctx, p.GatewayID)
	default:
		return c.stopProxyRoom(ctx, p.Room)
	}
}

package sipmediagw

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"sync"
)

// A v1.8 launcher called directly (V18Launcher) starts only the gw_ids its
// host created in advance, and restarts a gw_id that already streams (the
// live is cut) with a 200. The client therefore asks the gateway's status
// before a start and starts only a free, known gw_id.

// checkLauncherFree returns nil when gwID exists on the launcher and
// streams nothing; ErrBusy when it streams (a start would restart it);
// ErrRejected when the launcher has no such gw_id. Nothing is started.
func (c *Client) checkLauncherFree(ctx context.Context, gwID string) error {
	st, err := c.statusV18(ctx, "start", gwID, "")
	switch {
	case errors.Is(err, ErrNotRunning):
		return unknownLauncherGateway("start", gwID)
	case err != nil:
		return err
	case st.State == StateRunning:
		return &OpError{Op: "start", Err: ErrBusy,
			Detail: "gateway " + gwID + " already streams; a start would restart it"}
	}
	return nil
}

// unknownLauncherGateway is the error for a gw_id the launcher does not
// have.
func unknownLauncherGateway(op, gwID string) error {
	return &OpError{Op: op, Err: ErrRejected,
		Detail: "the launcher has no gateway " + gwID + ": create it on the launcher's host first"}
}

// launcherCommands tells whether the launcher's commands reach the bot:
// v1.8.4 acknowledges every command and does nothing, later releases
// carry them out. They differ in their routes: only the later ones have
// /gateway/ivrConfig, whose answer for an unknown gw_id is the
// launcher's own error, where v1.8.4 gives the framework's "Not Found".
// The answer is kept for the client's life once known.
func (c *Client) launcherCommands(ctx context.Context, op string) error {
	r := c.release
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.known {
		return r.commands
	}
	a, err := c.send(ctx, &request{op: op, method: http.MethodGet, path: "/gateway/ivrConfig", idempotent: true,
		query: url.Values{"gw_id": {probeGatewayID}}})
	if err != nil {
		return err
	}
	switch {
	case a.status == http.StatusNotFound && isRouteNotFound(a.body):
		r.commands = a.refused(ErrNotSupported, "SIPMediaGW v1.8.4 launchers acknowledge commands without carrying them out")
	case a.status == http.StatusUnauthorized || a.status == http.StatusForbidden:
		return a.refused(ErrUnauthorized, "")
	case a.status >= 500 && !json200(a):
		return a.unreadable("server error")
	}
	r.known = true
	return r.commands
}

// launcherRelease keeps what the client learnt of its server's release:
// whether a v1.8 launcher's commands work (launcherCommands), whether a
// legacy launcher is v1.7 (legacyV17).
type launcherRelease struct {
	mu       sync.Mutex
	known    bool
	commands error // nil, or why commands do nothing there
	v17      bool
}

// json200 reports whether a is a JSON answer of the launcher itself (an
// error it raised has the status key).
func json200(a *answer) bool {
	var v v18Answer
	return a.decode(&v) == nil && v.Status != ""
}

package sipmediagw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Check asks a server, with requests that change nothing, which of the
// APIs it speaks, and tells each apart by what only that server answers:
//
//   - the legacy web.py launcher answers GET /stop without a room with
//     {"Error": …}: HTTP 200 on v1.5, 400 on v1.6 and v1.7, or its 401
//     (plain text on v1.5, {"Error": …} after), and POST /stop or an
//     unknown path with web.py's HTML 405 or 404. v1.7 alone has
//     GET /progress (401 or 400 without a room; web.py's 404 before);
//   - the v1.8 proxy answers POST /stop without gw_id with its 401
//     {"error": "authorization error"} or a 400 {"status": "error", …},
//     and GET /stop or a path it lacks with Starlette's 405
//     {"detail": "Method Not Allowed"} or 404 {"detail": "Not Found"}.
//     Only later proxies than v1.8.4 have GET /ivrConfig (a 400 without
//     gw_id, where v1.8.4 answers the 404);
//   - a v1.8 launcher answers GET /gateway/status with {"status": …}:
//     the gateway's state, or for a gw_id it lacks a 500 (v1.8.4) or a
//     404 "Gateway not found" (later), and Starlette's 404 for /stop.
//     Only later launchers than v1.8.4 have /gateway/ivrConfig.
//
// v1.8.0 to v1.8.4 share the same proxy.py and HTTPLauncher.py: Check
// reports them as ReleaseV184.

// Releases Check reports in ServerCheck.Release.
const (
	ReleaseV15 = "v1.5" // web.py launcher of v1.5.0 and v1.5.1
	ReleaseV16 = "v1.6" // web.py launcher of v1.6.0
	ReleaseV17 = "v1.7" // web.py launcher of v1.7.0
	// ReleaseV184 is the FastAPI proxy and launcher of v1.8.0 to v1.8.4,
	// which are the same.
	ReleaseV184 = "v1.8.4"
	// ReleaseAfterV184 is a later proxy or launcher (SIPMediaGW's HEAD,
	// unreleased when this was written): /ivrConfig, commands that reach
	// the bot.
	ReleaseAfterV184 = "v1.8.5+"
)

// ServerCheck is what Client.Check found of a server.
type ServerCheck struct {
	Configured Protocol // the client's protocol
	// Detected is the protocol the server really speaks; 0 when it could
	// not be told.
	Detected Protocol
	// Release narrows it when the answers tell (ReleaseV15 …
	// ReleaseAfterV184); "" when they do not.
	Release string
	// TokenOK: the token was accepted (true also for a v1.8 launcher,
	// which has no token).
	TokenOK bool
	// Free and Total are the server's free and total gateways when the
	// protocol tells them; -1 when it does not.
	Free, Total int
	// RTT is the round trip of the first probe.
	RTT time.Duration
}

// ErrWrongProtocol is matched by a *ProtocolError.
var ErrWrongProtocol = errors.New("sipmediagw: the server speaks another protocol than the client's")

// ProtocolError: the server speaks another protocol than the client is configured for.
type ProtocolError struct {
	Configured, Detected Protocol
	Release              string // the server's release when told, such as ReleaseV17
}

func (e *ProtocolError) Error() string {
	server := e.Detected.String()
	if e.Release != "" {
		server += " (SIPMediaGW " + e.Release + ")"
	}
	return fmt.Sprintf("sipmediagw: check: the server speaks %s, the client is configured for %s", server, e.Configured)
}

// Unwrap lets errors.Is(err, ErrWrongProtocol) match.
func (e *ProtocolError) Unwrap() error { return ErrWrongProtocol }

// Check tells whether the server can be used as the client is configured:
// it answers, it speaks the client's protocol, it accepts the token, and
// how many gateways are free where the protocol tells. Every request it
// sends is one no server acts upon (a stop without a room or gw_id, a
// status), whatever the server turns out to be; none is retried: Check
// reports the server as it answers now.
//
// gatewayID is, for V18Launcher, the launcher's gw_id of the gateway
// (its status tells whether it is busy); the other protocols ignore it.
// Check always returns a non-nil *ServerCheck holding what was learned,
// and an error when the server cannot be used as configured.
//
// The error is the transport error when the server does not answer; a
// *ProtocolError (ErrWrongProtocol) when it speaks another protocol,
// whatever it thinks of the token; an error matching ErrUnauthorized when
// it refuses the token; for V18Launcher, ErrRejected when the launcher has
// no gateway gatewayID; a *ResponseError when the answer is no
// SIPMediaGW's (a server error, an HTML page). A busy gateway is no error:
// Free tells it. Free and Total come from a v1.8 launcher's status of
// gatewayID (1 gateway, free when it streams nothing) and from a v1.8
// proxy's /admin/statuses, which answers only the proxy's administrator
// token (so only a client whose token is that one learns them); the
// legacy launcher tells neither.
func (c *Client) Check(ctx context.Context, gatewayID string) (*ServerCheck, error) {
	chk := &ServerCheck{Configured: c.protocol, Free: -1, Total: -1}
	gwID := ""
	if c.protocol == V18Launcher && gatewayID != "" {
		if err := validateGatewayID("check", gatewayID); err != nil {
			return chk, err
		}
		gwID = gatewayID
	}
	probe := c.checkProbe(c.protocol, gwID)
	began := time.Now()
	a, err := c.send(ctx, probe)
	chk.RTT = time.Since(began)
	if err != nil {
		return chk, err
	}
	ok, verdict, err := c.inspect(ctx, chk, c.protocol, a, gwID)
	switch {
	case err != nil:
		return chk, err
	case ok:
		chk.Detected = c.protocol
		return chk, verdict
	case a.status >= http.StatusInternalServerError:
		return chk, serverError(a)
	}
	// Another kind of server answered: ask each other kind's own probe,
	// the likeliest first.
	for _, p := range otherProtocols(c.protocol, a) {
		ok, _, err := c.inspect(ctx, chk, p, nil, "")
		if err != nil {
			return chk, err
		}
		if ok {
			chk.Detected = p
			perr := &ProtocolError{Configured: c.protocol, Detected: p, Release: chk.Release}
			c.logger.LogAttrs(ctx, slog.LevelWarn, "sipmediagw check: wrong protocol",
				slog.String("configured", c.protocol.String()), slog.String("detected", p.String()),
				slog.String("release", chk.Release))
			return chk, perr
		}
	}
	if a.status == http.StatusUnauthorized || a.status == http.StatusForbidden {
		// Something in front of the server (a reverse proxy) refused the
		// token before any SIPMediaGW could answer.
		return chk, a.refused(ErrUnauthorized, "")
	}
	return chk, a.unreadable("the server answers as no SIPMediaGW release does")
}

// checkProbe is the request by which Check asks whether the server is of
// kind p: Probe's for that protocol, sent once.
func (c *Client) checkProbe(p Protocol, gwID string) *request {
	var r *request
	switch p {
	case Legacy:
		r = legacyProbe("check")
	case V18:
		r = proxyProbe("check")
	default:
		if gwID == "" {
			gwID = probeGatewayID
		}
		r = launcherStatus("check", gwID)
	}
	return noRetry(r)
}

// otherProtocols orders the protocols other than configured by what the
// answer a to its probe suggests: web.py's HTML 404 and 405 pages come
// from the legacy launcher; Starlette's 404 for /stop from a launcher, for
// /gateway/status from the proxy; its 405 for GET /stop from the proxy.
func otherProtocols(configured Protocol, a *answer) []Protocol {
	var first Protocol
	switch {
	case a.isHTML():
		first = Legacy
	case a.status == http.StatusNotFound && isRouteNotFound(a.body) && configured == V18Launcher:
		first = V18
	case a.status == http.StatusNotFound && isRouteNotFound(a.body):
		first = V18Launcher
	case a.status == http.StatusMethodNotAllowed:
		first = V18
	}
	out := make([]Protocol, 0, 2)
	if first != 0 && first != configured {
		out = append(out, first)
	}
	for _, p := range []Protocol{Legacy, V18, V18Launcher} {
		if p != configured && p != first {
			out = append(out, p)
		}
	}
	return out
}

// inspect tells whether the answer a to checkProbe(p) comes from a server
// of kind p (a nil a is asked first) and, if so, fills chk in: token,
// release, capacity. verdict is what makes the server unusable as such
// (a refused token, an unknown gateway); err a failure to get an answer.
// chk is left alone when ok is false.
func (c *Client) inspect(ctx context.Context, chk *ServerCheck, p Protocol, a *answer, gwID string) (ok bool, verdict, err error) {
	if a == nil {
		if a, err = c.send(ctx, c.checkProbe(p, gwID)); err != nil {
			return false, nil, err
		}
	}
	switch p {
	case Legacy:
		return c.inspectLegacy(ctx, chk, a)
	case V18:
		return c.inspectProxy(ctx, chk, a)
	default:
		return c.inspectLauncher(ctx, chk, a, gwID)
	}
}

// inspectLegacy reads the answer to GET /stop without a room.
func (c *Client) inspectLegacy(ctx context.Context, chk *ServerCheck, a *answer) (bool, error, error) {
	var release string
	switch {
	case a.status == http.StatusUnauthorized && strings.TrimSpace(string(a.body)) == "authorization error":
		release = ReleaseV15 // v1.5's plain-text 401
	case a.status == http.StatusUnauthorized && legacyError(a):
	case a.status == http.StatusOK && legacyError(a):
		release = ReleaseV15 // v1.5 refuses the missing room with a 200
	case a.status == http.StatusBadRequest && legacyError(a):
	default:
		return false, nil, nil
	}
	_, verdict := readLegacy(a)
	if release == "" {
		p, err := c.send(ctx, noRetry(legacyProgressProbe("check")))
		if err != nil {
			return false, nil, err
		}
		switch v17, ok := hasProgress(p); {
		case !ok:
		case v17:
			release = ReleaseV17
		default:
			release = ReleaseV16
		}
	}
	chk.Release, chk.TokenOK = release, verdict == nil
	return true, verdict, nil
}

// legacyError reports whether a is the legacy launcher's {"Error": "…"}.
func legacyError(a *answer) bool {
	var v map[string]json.RawMessage
	if a.isHTML() || json.Unmarshal(a.body, &v) != nil {
		return false
	}
	var msg string
	return json.Unmarshal(v["Error"], &msg) == nil && msg != ""
}

// inspectProxy reads the answer to POST /stop without gw_id.
func (c *Client) inspectProxy(ctx context.Context, chk *ServerCheck, a *answer) (bool, error, error) {
	var v map[string]json.RawMessage
	if a.isHTML() || json.Unmarshal(a.body, &v) != nil {
		return false, nil, nil
	}
	_, hasError := v["error"]
	_, hasStatus := v["status"]
	switch {
	case a.status == http.StatusUnauthorized && hasError && !hasStatus: // {"error": "authorization error"}
	case a.status == http.StatusBadRequest && string(v["status"]) == `"error"`: // Missing 'gw_id'
	default:
		return false, nil, nil
	}
	verdict := readProxyProbe(a)
	// Only later proxies have /ivrConfig, which refuses a request
	// without gw_id before anything else.
	r, err := c.send(ctx, &request{op: "check", method: http.MethodGet, path: "/ivrConfig"})
	if err != nil {
		return false, nil, err
	}
	release := ""
	switch {
	case r.status == http.StatusNotFound && isRouteNotFound(r.body):
		release = ReleaseV184
	case r.status == http.StatusBadRequest && json200(r):
		release = ReleaseAfterV184
	}
	free, total := -1, -1
	if verdict == nil {
		if free, total, err = c.proxyCapacity(ctx); err != nil {
			return false, nil, err
		}
	}
	chk.Release, chk.TokenOK, chk.Free, chk.Total = release, verdict == nil, free, total
	return true, verdict, nil
}

// proxyCapacity counts the proxy's free ("started") and registered
// gateways from GET /admin/statuses, which answers the administrator
// token only (v1.8.0 on): -1 and -1 when it refuses the client's.
func (c *Client) proxyCapacity(ctx context.Context) (free, total int, err error) {
	a, err := c.send(ctx, &request{op: "check", method: http.MethodGet, path: "/admin/statuses"})
	if err != nil {
		return -1, -1, err
	}
	var gws map[string]struct {
		Status string `json:"status"`
	}
	if a.status != http.StatusOK || a.decode(&gws) != nil {
		return -1, -1, nil
	}
	for _, g := range gws {
		total++
		if g.Status == "started" {
			free++
		}
	}
	return free, total, nil
}

// inspectLauncher reads the answer to GET /gateway/status?gw_id=…; gwID
// is the caller's gateway ("" when the probe's was asked).
func (c *Client) inspectLauncher(ctx context.Context, chk *ServerCheck, a *answer, gwID string) (bool, error, error) {
	var v v18Answer
	if a.isHTML() || json.Unmarshal(a.body, &v) != nil {
		return false, nil, nil
	}
	known, release := false, ""
	switch {
	case a.status == http.StatusOK && v.Status == "success" && v.Data != nil:
		known = true
	case a.status == http.StatusInternalServerError && v.Status == "error" && isUnknownGateway(v.errorDetail()):
		release = ReleaseV184 // its status of an unknown gw_id raises
	case a.status == http.StatusNotFound && v.Status == "error" && len(v.Error) > 0 && v.Error[0] == '{':
		release = ReleaseAfterV184 // {"code": 404, "detail": "Gateway not found"}
	default:
		return false, nil, nil
	}
	free, total := -1, -1
	var verdict error
	switch {
	case gwID != "" && !known:
		verdict = unknownLauncherGateway("check", gwID)
	case gwID != "":
		st, err := c.readStatusV18(a, "")
		switch {
		case err != nil:
			verdict = err
		case st.State == StateRunning:
			free, total = 0, 1
		case st.State == StateStopped:
			free, total = 1, 1
		}
	}
	if known && c.protocol == V18Launcher {
		// The status does not tell the release: the commands' probe does.
		err := c.launcherCommands(ctx, "check")
		var te *TransportError
		switch {
		case errors.As(err, &te):
			return false, nil, err
		case errors.Is(err, ErrNotSupported):
			release = ReleaseV184
		case err == nil:
			release = ReleaseAfterV184
		}
	}
	chk.Release, chk.TokenOK, chk.Free, chk.Total = release, true, free, total
	return true, verdict, nil
}

// noRetry returns r sent once.
func noRetry(r *request) *request {
	r.idempotent = false
	return r
}

// serverError is the error for a 5xx answer that tells nothing.
func serverError(a *answer) error {
	if a.isHTML() {
		return a.unreadable("server error page")
	}
	return a.unreadable("server error")
}

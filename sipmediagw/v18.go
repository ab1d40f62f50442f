package sipmediagw

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// v18Answer reads the FastAPI answers of the v1.8 proxy and launcher:
// {"status", "error", "data"}, where error is null, {"code", "detail"},
// or a string ("Invalid input" for validation, with "message").
type v18Answer struct {
	Status string          `json:"status"`
	Error  json.RawMessage `json:"error"`
	Data   *v18Data        `json:"data"`
}

type v18Data struct {
	ProcessingState string          `json:"processing_state"`
	GwID            json.RawMessage `json:"gw_id"`
	GwState         string          `json:"gw_state"`
	Detail          string          `json:"detail"`
	Progress        json.RawMessage `json:"transcript_progress"`
	Room            json.RawMessage `json:"room"`
}

// errorDetail returns the server's explanation, whatever its shape.
func (v *v18Answer) errorDetail() string {
	if len(v.Error) == 0 || string(v.Error) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v.Error, &s) == nil {
		return s
	}
	var e struct {
		Detail json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(v.Error, &e) == nil && len(e.Detail) > 0 {
		if json.Unmarshal(e.Detail, &s) == nil {
			return s
		}
		return string(e.Detail)
	}
	return ""
}

// scalar reads a JSON string or number as a string.
func scalar(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// paths of the proxy and of a launcher called directly.
func (c *Client) v18Path(route string) string {
	if c.protocol == V18Launcher {
		return "/gateway/" + route
	}
	return "/" + route
}

func readV18(a *answer) (*v18Answer, error) {
	if err := a.common(); err != nil {
		return nil, err
	}
	v := new(v18Answer)
	if err := a.decode(v); err != nil {
		return nil, err
	}
	return v, nil
}

func (c *Client) startV18(ctx context.Context, p *StartParams) (Session, error) {
	body := map[string]string{
		"room":          p.Room,
		"main_app":      c.mainApp,
		"browsing_name": c.browsingName,
		"rtmp_dst":      p.RTMPURL,
	}
	if c.protocol == V18Launcher {
		body["gw_id"] = p.GatewayID
	} else {
		body["browsing"] = c.browsingName
	}
	a, err := c.send(ctx, &request{op: "start", method: http.MethodPost, path: c.v18Path("start"), class: classStart,
		body: body, secrets: p.secrets()})
	if err != nil {
		return Session{}, err
	}
	v, err := readV18(a)
	if err != nil {
		return Session{}, err
	}
	detail := v.errorDetail()
	switch {
	case a.status == http.StatusOK && v.Status == "success":
		id := p.GatewayID
		if v.Data != nil && len(v.Data.GwID) > 0 {
			id = scalar(v.Data.GwID)
		}
		if id == "" || validateGatewayID("start", id) != nil {
			return Session{}, a.unreadable("start answer without a usable gw_id")
		}
		return Session{Protocol: c.protocol, Room: p.Room, GatewayID: id}, nil
	case a.status == http.StatusServiceUnavailable && strings.Contains(strings.ToLower(detail), "no available gateway"),
		a.status == http.StatusConflict:
		return Session{}, a.refused(ErrBusy, detail)
	case a.status == http.StatusBadRequest || a.status == http.StatusUnprocessableEntity:
		return Session{}, a.refused(ErrRejected, detail)
	default:
		return Session{}, a.refused(ErrLaunchFailed, detail)
	}
}

// stopV18 stops a gateway and reports whether one ran (false: the server
// said nothing ran).
func (c *Client) stopV18(ctx context.Context, gwID string) (bool, error) {
	a, err := c.send(ctx, &request{op: "stop", method: http.MethodPost, path: c.v18Path("stop"), class: classStop,
		idempotent: true, body: map[string]string{"gw_id": gwID}})
	if err != nil {
		return false, err
	}
	v, err := readV18(a)
	if err != nil {
		return false, err
	}
	switch {
	case a.status == http.StatusNotFound:
		return false, nil // no mapping, no running container: stopped already
	case a.status == http.StatusOK && v.Status == "success":
		return true, nil
	case a.status == http.StatusOK && v.Data != nil && strings.Contains(v.Data.ProcessingState, "stop"):
		return true, nil
	case a.status == http.StatusBadRequest || a.status == http.StatusUnprocessableEntity || a.status == http.StatusOK:
		return false, a.refused(ErrRejected, v.errorDetail())
	default:
		return false, a.unreadable("unexpected status")
	}
}

// stopProxyRoom finds the gateway the proxy gave a room, if any, and stops
// it: after a start that timed out, the client never learnt the gw_id.
func (c *Client) stopProxyRoom(ctx context.Context, room string) (bool, error) {
	a, err := c.send(ctx, &request{op: "stop", method: http.MethodGet, path: "/status", idempotent: true,
		query: url.Values{"room": {room}}, secrets: roomSecrets(room)})
	if err != nil {
		return false, err
	}
	v, err := readV18(a)
	if err != nil {
		return false, err
	}
	if a.status == http.StatusNotFound {
		return false, nil
	}
	if a.status != http.StatusOK || v.Data == nil || scalar(v.Data.GwID) == "" {
		return false, a.unreadable("status answer without a gw_id")
	}
	return c.stopV18(ctx, scalar(v.Data.GwID))
}

func (c *Client) statusV18(ctx context.Context, op, gwID, room string) (Status, error) {
	a, err := c.send(ctx, &request{op: op, method: http.MethodGet, path: c.v18Path("status"), idempotent: true,
		query: url.Values{"gw_id": {gwID}}})
	if err != nil {
		return Status{}, err
	}
	return c.readStatusV18(a, room)
}

// readStatusV18 reads the answer to a status request of the proxy or of a
// launcher; room is the session's, when known.
func (c *Client) readStatusV18(a *answer, room string) (Status, error) {
	v, err := readV18(a)
	if err != nil {
		return Status{}, err
	}
	if a.status == http.StatusNotFound || c.protocol == V18Launcher && a.status == http.StatusInternalServerError && isUnknownGateway(v.errorDetail()) {
		return Status{}, a.refused(ErrNotRunning, v.errorDetail())
	}
	if a.status != http.StatusOK || v.Data == nil {
		return Status{}, a.unreadable("unexpected status answer")
	}
	return readV18Status(v.Data, room), nil
}

// readV18Status reads a status answer of the proxy (started, working,
// stopped) or of a launcher (up, down). The proxy's "started" is a free
// gateway, registered or seen down by its last check, whatever room it
// still shows; "working" with another room than the session's is another
// stream.
func readV18Status(d *v18Data, room string) Status {
	st := Status{Detail: d.GwState, Progress: scalar(d.Progress)}
	switch d.GwState {
	case "up":
		st.State = StateRunning
	case "working":
		st.State = StateRunning
		if other := proxyRoom(d.Room); room != "" && other != "" && other != room {
			st.State, st.Detail = StateStopped, "working for another room"
		}
	case "started", "down", "stopped":
		st.State = StateStopped
	default:
		st.State = StateUnknown
	}
	if d.Detail != "" {
		st.Detail += " (" + d.Detail + ")"
	}
	return st
}

// proxyRoom reads the room of a proxy's status: the v1.8.4 proxy writes
// the string "None" for no room, later ones null or "".
func proxyRoom(raw json.RawMessage) string {
	if r := scalar(raw); r != "None" {
		return r
	}
	return ""
}

// isUnknownGateway recognises v1.8.4's 500 for a gw_id it does not know.
func isUnknownGateway(detail string) bool {
	d := strings.ToLower(detail)
	return strings.Contains(d, "no such container") || strings.Contains(d, "not found") || isNothingRunning(d) ||
		strings.Contains(d, "'nonetype' is not iterable") // v1.8.4 tests 'exited' in a status that is None
}

func (c *Client) command(ctx context.Context, op, gwID, cmd, param string) error {
	if c.protocol == V18Launcher {
		if err := c.launcherCommands(ctx, op); err != nil {
			return err
		}
	}
	a, err := c.send(ctx, &request{op: op, method: http.MethodPost, path: c.v18Path("command"),
		body: map[string]any{"gw_id": gwID, "payload": map[string]string{"command": cmd, "param1": param}}})
	if err != nil {
		return err
	}
	if a.status == http.StatusForbidden && json.Valid(a.body) {
		// The proxy refuses commands to a stopped gateway with a 403; a
		// bad token is a 401.
		var v v18Answer
		_ = json.Unmarshal(a.body, &v)
		return a.refused(ErrNotRunning, v.errorDetail())
	}
	if a.status == http.StatusNotFound && isRouteNotFound(a.body) {
		// The v1.8.4 proxy forwards to the launcher's /command, a route
		// the launcher does not have: chat never works there.
		return a.refused(ErrNotSupported, "the server has no command route (SIPMediaGW v1.8.4)")
	}
	v, err := readV18(a)
	if err != nil {
		return err
	}
	switch {
	case a.status == http.StatusOK && v.Status != "error":
		return nil
	case a.status == http.StatusNotFound:
		return a.refused(ErrNotRunning, v.errorDetail())
	case a.status == http.StatusBadRequest || a.status == http.StatusUnprocessableEntity || a.status == http.StatusOK:
		return a.refused(ErrRejected, v.errorDetail())
	default:
		return a.unreadable("unexpected status")
	}
}

// isRouteNotFound recognises the answer of a FastAPI (Starlette) server to
// a path it has no route for: {"detail": "Not Found"}, with no "status"
// key, unlike the servers' own errors.
func isRouteNotFound(body []byte) bool {
	var v map[string]json.RawMessage
	if json.Unmarshal(body, &v) != nil || len(v) != 1 {
		return false
	}
	return string(v["detail"]) == `"Not Found"`
}

// probeProxy posts a stop without gw_id: the proxy checks the token, then
// refuses the request (400) without touching any gateway.
func (c *Client) probeProxy(ctx context.Context) error {
	a, err := c.send(ctx, proxyProbe("probe"))
	if err != nil {
		return err
	}
	return readProxyProbe(a)
}

// proxyProbe is the request of probeProxy.
func proxyProbe(op string) *request {
	return &request{op: op, method: http.MethodPost, path: "/stop", idempotent: true, body: map[string]string{}}
}

// readProxyProbe reads the proxy's answer to proxyProbe: nil for its 400,
// ErrUnauthorized for its 401.
func readProxyProbe(a *answer) error {
	if _, err := readV18(a); err != nil {
		return err
	}
	if a.status >= 500 {
		return a.unreadable("server error")
	}
	return nil
}

// probeLauncher asks the status of a gateway that does not exist: any JSON
// answer shows the launcher is alive (it has no token to check).
func (c *Client) probeLauncher(ctx context.Context) error {
	a, err := c.send(ctx, launcherStatus("probe", probeGatewayID))
	if err != nil {
		return err
	}
	_, err = readV18(a)
	return err
}

// probeGatewayID is the gw_id the probes ask about: no launcher has it.
const probeGatewayID = "bbbcast-probe"

// launcherStatus asks a v1.8 launcher the status of gwID. Not retried:
// v1.8.4 answers an unknown gw_id with a 500.
func launcherStatus(op, gwID string) *request {
	return &request{op: op, method: http.MethodGet, path: "/gateway/status", query: url.Values{"gw_id": {gwID}}}
}

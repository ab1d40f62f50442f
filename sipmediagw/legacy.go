package sipmediagw

import (
	"context"
	"net/http"
	"net/url"
	"strings"
)

// The legacy launcher (v1.5 to v1.7) answers JSON written by Python:
// v1.5 bare ({"res": "ok", …}), v1.6 and v1.7 wrapped in
// {"status": "success", "details": {…}} whatever happened, errors as
// {"Error": "…"}. legacyAnswer reads all of them.
type legacyAnswer struct {
	Status   string         `json:"status"`
	Details  *legacyDetails `json:"details"`
	Error    string         `json:"Error"`
	GwState  string         `json:"gw_state"`
	Progress string         `json:"transcript_progress"`
	legacyDetails
}

type legacyDetails struct {
	Res  string `json:"res"`
	Type string `json:"type"`
}

// result returns the details wherever they are.
func (la *legacyAnswer) result() legacyDetails {
	if la.Details != nil {
		return *la.Details
	}
	return la.legacyDetails
}

// readLegacy decodes a 200 or 400 JSON answer; other statuses are errors.
func readLegacy(a *answer) (*legacyAnswer, error) {
	if err := a.common(); err != nil {
		return nil, err
	}
	switch {
	case a.status >= http.StatusInternalServerError && a.isHTML():
		// web.py's debug page: the launcher's code raised (a quote in a
		// value, an unknown parameter, Docker down). It shows the token.
		return nil, a.unreadable("server error page")
	case a.status >= http.StatusInternalServerError:
		return nil, a.unreadable("server error")
	case a.status != http.StatusOK && a.status != http.StatusBadRequest:
		return nil, a.unreadable("unexpected status")
	}
	la := new(legacyAnswer)
	if err := a.decode(la); err != nil {
		return nil, err
	}
	return la, nil
}

func isNothingRunning(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "no running container") || strings.Contains(m, "no resource found")
}

func (c *Client) startLegacy(ctx context.Context, p *StartParams) (Session, error) {
	a, err := c.send(ctx, &request{op: "start", method: http.MethodGet, path: "/start", class: classStart,
		query: url.Values{"room": {p.Room}, "domain": {p.Domain}, "rtmpDst": {p.RTMPURL}}, secrets: p.secrets()})
	if err != nil {
		return Session{}, err
	}
	la, err := readLegacy(a)
	if err != nil {
		return Session{}, err
	}
	if la.Error != "" {
		return Session{}, a.refused(ErrRejected, la.Error)
	}
	// "status": "success" says nothing: the details do.
	switch r := la.result(); r.Res {
	case "ok":
		return Session{Protocol: Legacy, Room: p.Room}, nil
	case "error":
		if strings.Contains(strings.ToLower(r.Type), "no free resources") {
			return Session{}, a.refused(ErrBusy, r.Type)
		}
		return Session{}, a.refused(ErrLaunchFailed, r.Type)
	default:
		return Session{}, a.unreadable("start answer without a result")
	}
}

// stopLegacy stops a room's container and reports whether the launcher
// stopped one (false: it said nothing ran).
func (c *Client) stopLegacy(ctx context.Context, room string) (bool, error) {
	a, err := c.send(ctx, &request{op: "stop", method: http.MethodGet, path: "/stop", class: classStop,
		idempotent: true, query: url.Values{"room": {room}}})
	if err != nil {
		return false, err
	}
	la, err := readLegacy(a)
	if err != nil {
		return false, err
	}
	res := la.result().Res
	switch {
	case la.Error == "" && strings.Contains(res, "Cannot connect to the Docker daemon"):
		return false, a.refused(ErrStopFailed, res)
	case la.Error == "":
		// The compose output: empty, a warning or a refused project name
		// when nothing ran (v1.5, v1.6), the containers' steps otherwise.
		nothing := strings.TrimSpace(res) == "" || isNothingRunning(res) || strings.Contains(res, "invalid project name")
		return !nothing, nil
	case isNothingRunning(la.Error):
		return false, nil // v1.7's 400 when nothing runs
	default:
		return false, a.refused(ErrRejected, la.Error)
	}
}

func (c *Client) toggleLegacy(ctx context.Context, room string) error {
	a, err := c.send(ctx, &request{op: "toggleChat", method: http.MethodGet, path: "/chat",
		query: url.Values{"room": {room}, "toggle": {"True"}}})
	if err != nil {
		return err
	}
	return legacyOK(a)
}

func (c *Client) chatLegacy(ctx context.Context, room, msg string) error {
	a, err := c.send(ctx, &request{op: "sendChat", method: http.MethodPost, path: "/chat",
		body: map[string]string{"room": room, "msg": msg}})
	if err != nil {
		return err
	}
	return legacyOK(a)
}

// legacyOK reads the {"res": "ok"} answer of the chat routes.
func legacyOK(a *answer) error {
	la, err := readLegacy(a)
	if err != nil {
		return err
	}
	if la.Error != "" {
		if isNothingRunning(la.Error) {
			return a.refused(ErrNotRunning, la.Error)
		}
		return a.refused(ErrRejected, la.Error)
	}
	switch r := la.result(); r.Res {
	case "ok":
		return nil
	case "":
		return a.unreadable("answer without a result")
	case "error":
		return a.refused(ErrNotRunning, r.Type)
	default:
		// The launcher relays what failed, netcat's complaint that no bot
		// listens for instance.
		return a.refused(ErrNotRunning, r.Res)
	}
}

func (c *Client) progressLegacy(ctx context.Context, room string) (Status, error) {
	a, err := c.send(ctx, &request{op: "status", method: http.MethodGet, path: "/progress",
		idempotent: true, query: url.Values{"room": {room}}})
	if err != nil {
		return Status{}, err
	}
	la, err := readLegacy(a)
	if err != nil {
		return Status{}, err
	}
	if la.Error != "" {
		if isNothingRunning(la.Error) {
			return Status{}, a.refused(ErrNotRunning, la.Error)
		}
		return Status{}, a.refused(ErrRejected, la.Error)
	}
	st := Status{Detail: la.GwState, Progress: la.Progress}
	switch {
	case la.GwState == "down":
		st.State = StateStopped
	case la.GwState == "up", la.GwState == "" && la.Status == "success":
		// A running bot that neither records nor transcribes, every
		// streaming bot, gets a bare {"status": "success"}.
		st.State = StateRunning
	default:
		st.State = StateUnknown
	}
	return st, nil
}

// probeLegacy calls /stop without a room: the launcher checks the token
// first (401) and then refuses the missing room, stopping nothing.
func (c *Client) probeLegacy(ctx context.Context) error {
	a, err := c.send(ctx, legacyProbe("probe"))
	if err != nil {
		return err
	}
	_, err = readLegacy(a)
	return err
}

// legacyProbe is the request of probeLegacy.
func legacyProbe(op string) *request {
	return &request{op: op, method: http.MethodGet, path: "/stop", idempotent: true}
}

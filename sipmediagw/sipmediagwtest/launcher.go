package sipmediagwtest

import (
	"net/http"
	"strings"
)

// The v1.8 launcher is HTTPLauncher.py rewritten with FastAPI (port 8100,
// no authentication): pydantic models for the bodies, SIPMediaGW.sh and
// docker compose as subprocesses, ValueError → 404 and anything else →
// 500 through the HTTPException handler.

var (
	startFields = []field{
		{name: "room", kind: kindStr, required: true},
		{name: "gw_id", kind: kindStr, required: true},
		{name: "main_app", kind: kindStr, required: true},
		{name: "from_id", kind: kindStr},
		{name: "prefix", kind: kindStr},
		{name: "rtmp_dst", kind: kindStr},
		{name: "dial", kind: kindStr},
		{name: "loop", kind: kindBool},
		{name: "transcript", kind: kindStr},
		{name: "audio_only", kind: kindStr},
		{name: "api_key", kind: kindStr},
		{name: "recipient_mail", kind: kindStr},
	}
	stopFields = []field{
		{name: "gw_id", kind: kindStr, required: true},
		{name: "force", kind: kindBool},
	}
	commandFields = []field{
		{name: "gw_id", kind: kindStr, required: true},
		{name: "payload", kind: kindDict, required: true},
	}
)

func (s *Server) serveLauncher(e *exchange) {
	m := e.r.Method
	switch e.r.URL.Path {
	case "/gateway/start", "/gateway/stop", "/gateway/command":
		if m != http.MethodPost {
			writeMethodNotAllowed(e, "POST")
			return
		}
	case "/gateway/status":
		if m != http.MethodGet && m != http.MethodHead {
			writeMethodNotAllowed(e, "GET, HEAD")
			return
		}
	default:
		writeNotFound(e)
		return
	}
	v184 := s.version == V184
	q := parseQuery(e.r.URL.RawQuery)
	switch e.r.URL.Path {
	case "/gateway/start":
		e.op = OpStart
	case "/gateway/stop":
		e.op = OpStop
	case "/gateway/status":
		e.op = OpStatus
		gwID, _ := q.last("gw_id")
		s.mu.Lock()
		if s.host.projects[gwID] == nil {
			e.op = OpProbe
		}
		s.mu.Unlock()
	case "/gateway/command":
		e.op = commandOp(e.body)
	}
	s.count(e.op)
	if s.applyFault(e) {
		return
	}
	var a answer
	switch e.op {
	case OpStart:
		a = s.launcherStart(e, s.host, e.body, "v1.8-launcher:")
	case OpStop:
		a = s.launcherStop(e, s.host, e.body)
	case OpStatus, OpProbe:
		gwID, ok := q.last("gw_id")
		a = s.launcherStatus(e, s.host, gwID, ok, v184)
	default:
		a = s.launcherCommand(e, s.host, e.body, v184)
	}
	writeFast(e, a)
}

// commandOp tells a toggle (sendKey) from a chat message (anything else).
func commandOp(body []byte) string {
	v, _ := decodeJSON(body)
	obj, _ := v.(object)
	p, _ := obj.get("payload")
	payload, _ := p.(object)
	if payload.str("command") == "sendKey" {
		return OpToggle
	}
	return OpChat
}

// launcherStart is POST /gateway/start: SIPMediaGW.sh with the room, the
// gw_id as compose project and main_app; its output must be "res": "ok".
func (s *Server) launcherStart(e *exchange, h *host, body []byte, handlePrefix string) answer {
	obj, bad := parseBody(body, startFields)
	if bad != nil {
		return *bad
	}
	gwID, mainApp, rtmp := obj.str("gw_id"), obj.str("main_app"), obj.str("rtmp_dst")
	st := Stream{
		Handle: handlePrefix + gwID, Room: obj.str("room"), GatewayID: gwID, RTMPURL: rtmp,
		MainApp: mainApp, BrowsingName: obj.str("browsing_name"), Browsing: obj.str("browsing"),
	}
	switch outcome, _ := s.launch(e, h, st, func(int) string { return gwID }); outcome {
	case launchAborted:
		panic(http.ErrAbortHandler)
	case launchBusy, launchFailed:
		return fastError(http.StatusNotFound, "Failed to start gateway container")
	}
	// The script's last words depend on MAIN_APP; the launcher parses
	// them after swapping quotes, and JSONDecodeError is a ValueError:
	// a 404, with the container up.
	var script string
	switch mainApp {
	case "streaming":
		script = "{'res':'ok', 'app': 'streaming', 'uri': '" + rtmp + "'}"
	case "recording":
		script = "{'res':'ok', 'app': 'recording', 'uri': ''}"
	case "baresip":
		script = "{'res':'ok', 'app': 'baresip', 'uri':'sip:" + gwID + "@127.0.0.1'}"
	}
	out := []byte(strings.ReplaceAll(script, "'", `"`) + "\n")
	if _, err := decodeJSON(out); err != nil {
		return fastError(http.StatusNotFound, pyDecodeError(out, err))
	}
	return fastSuccess(object{{"processing_state", "working"}, {"gw_id", gwID}})
}

// launcherStop is POST /gateway/stop: "compose stop gw" for a running
// project. Its force field never works: the launcher tests
// "'force' in req" on a pydantic model.
func (s *Server) launcherStop(e *exchange, h *host, body []byte) answer {
	obj, bad := parseBody(body, stopFields)
	if bad != nil {
		return *bad
	}
	gwID := obj.str("gw_id")
	if _, found := s.halt(e.now, h, gwID, false, true); !found {
		return fastError(http.StatusNotFound, "no running container for gw_id="+gwID)
	}
	return fastSuccess(object{{"processing_state", "stopped"}})
}

// launcherStatus is GET /gateway/status: the project's state in "compose
// ls -a". v1.8.4 checks "'exited' in status" before "status is None", so
// an unknown gw_id raises a TypeError: a 500.
func (s *Server) launcherStatus(e *exchange, h *host, gwID string, present, v184 bool) answer {
	if !present {
		return invalidInput([]any{validationError("missing", []any{"query", "gw_id"}, "Field required", nil)})
	}
	s.lockAt(e.now)
	c := h.projects[gwID]
	running := c != nil && c.running
	s.mu.Unlock()
	switch {
	case c == nil && v184:
		return fastError(http.StatusInternalServerError, "argument of type 'NoneType' is not iterable")
	case c == nil:
		return fastError(http.StatusNotFound, "Gateway not found")
	case !running:
		return fastSuccess(object{{"gw_state", "down"}, {"detail", "exited"}})
	}
	return fastSuccess(object{{"gw_state", "up"}, {"gw_id", gwID}})
}

// launcherCommand is POST /gateway/command. v1.8.4 acknowledges every
// command without sending it; later launchers pass sendChat's param1 to
// the bot and sendKey's to its key map ("3" or "c" toggles the chat
// panel) and refuse a stopped gateway with a 403.
func (s *Server) launcherCommand(e *exchange, h *host, body []byte, v184 bool) answer {
	obj, bad := parseBody(body, commandFields)
	if bad != nil {
		return *bad
	}
	gwID := obj.str("gw_id")
	pv, _ := obj.get("payload")
	payload, _ := pv.(object)
	s.lockAt(e.now)
	defer s.mu.Unlock()
	c := h.projects[gwID]
	switch {
	case c == nil:
		return fastError(http.StatusNotFound, "Gateway not found")
	case v184:
	case !c.running:
		return fastError(http.StatusForbidden, "Gateway is stopped")
	default:
		p1, _ := payload.get("param1")
		switch payload.str("command") {
		case "sendChat":
			s.chats[c.Handle] = append(s.chats[c.Handle], pyStr(p1))
		case "sendKey":
			if k := pyStr(p1); k == "3" || k == "c" {
				c.panelHidden = !c.panelHidden
			}
		}
	}
	return fastSuccess(object{{"ack", true}, {"received", payload}})
}

package sipmediagwtest

import (
	"mime"
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
	head := s.version.IsHead()
	if head && m == http.MethodOptions && e.r.Header.Get("Access-Control-Request-Method") != "" {
		// HEAD's CORSMiddleware allows any origin and method.
		h := e.w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT")
		h.Set("Access-Control-Max-Age", "600")
		if rh := e.r.Header.Get("Access-Control-Request-Headers"); rh != "" {
			h.Set("Access-Control-Allow-Headers", rh)
		}
		e.write(http.StatusOK, "text/plain; charset=utf-8", []byte("OK"))
		return
	}
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
	case "/gateway/ivrConfig":
		if !head {
			writeNotFound(e)
			return
		}
		if m != http.MethodGet {
			writeMethodNotAllowed(e, "GET")
			return
		}
	default:
		writeNotFound(e)
		return
	}
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
	if e.op != "" {
		s.count(e.op)
		if s.applyFault(e) {
			return
		}
	}
	if m == http.MethodPost && !jsonContent(e.r) {
		// FastAPI decodes JSON only for a JSON (or absent) content type;
		// the model then gets the raw bytes.
		writeFast(e, invalidInput([]any{validationError("model_attributes_type", []any{"body"},
			"Input should be a valid dictionary or object to extract fields from", string(e.body))}))
		return
	}
	var a answer
	switch e.r.URL.Path {
	case "/gateway/start":
		a = s.launcherStart(e, s.host, e.body, "v1.8-launcher:")
	case "/gateway/stop":
		a = s.launcherStop(e, s.host, e.body)
	case "/gateway/status":
		gwID, ok := q.last("gw_id")
		a = s.launcherStatus(e, s.host, gwID, ok)
	case "/gateway/ivrConfig":
		a = s.launcherIvrConfig(e, q)
	default:
		a = s.launcherCommand(e, s.host, e.body)
	}
	writeFast(e, a)
}

// jsonContent reports whether FastAPI would decode r's body as JSON: no
// Content-Type, or application/json or a +json type.
func jsonContent(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// launcherIvrConfig is HEAD's GET /gateway/ivrConfig: the IVR menu of a
// running gateway; the fake's gateways have none.
func (s *Server) launcherIvrConfig(e *exchange, q params) answer {
	if _, ok := q.last("gw_id"); !ok {
		return invalidInput([]any{validationError("missing", []any{"query", "gw_id"}, "Field required", nil)})
	}
	return fastError(http.StatusNotFound, "Gateway not found")
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
// Only a gw_id created in advance starts (the script takes its container
// number from "compose ps -a"); one already streaming is restarted.
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
	switch s.launchPinned(e, h, st) {
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
	s.mu.Lock()
	down := s.dockerDown // "compose ls" lists nothing
	s.mu.Unlock()
	if down {
		return fastError(http.StatusNotFound, "no running container for gw_id="+gwID)
	}
	if _, found := s.halt(e.now, h, gwID, false, true); !found {
		return fastError(http.StatusNotFound, "no running container for gw_id="+gwID)
	}
	return fastSuccess(object{{"processing_state", "stopped"}})
}

// launcherStatus is GET /gateway/status: the project's state in "compose
// ls -a". v1.8.4 checks "'exited' in status" before "status is None", so
// an unknown gw_id (or a Docker daemon down, which lists nothing) raises a
// TypeError: a 500; HEAD answers 404. A container created but never up
// (a launch that failed) is "down" without detail.
func (s *Server) launcherStatus(e *exchange, h *host, gwID string, present bool) answer {
	if !present {
		return invalidInput([]any{validationError("missing", []any{"query", "gw_id"}, "Field required", nil)})
	}
	s.lockAt(e.now)
	c := h.projects[gwID]
	if s.dockerDown {
		c = nil
	}
	var running, created bool
	if c != nil {
		running, created = c.running, c.created
	}
	s.mu.Unlock()
	switch {
	case c == nil && !s.version.IsHead():
		return fastError(http.StatusInternalServerError, "argument of type 'NoneType' is not iterable")
	case c == nil:
		return fastError(http.StatusNotFound, "Gateway not found")
	case created:
		return fastSuccess(object{{"gw_state", "down"}})
	case !running:
		return fastSuccess(object{{"gw_state", "down"}, {"detail", "exited"}})
	case s.version.IsHead():
		// Room and browsing come from the gateway's call history, which a
		// streaming bot never writes.
		return fastSuccess(object{{"gw_state", "up"}, {"gw_id", gwID}, {"browsing", ""}, {"room", ""}})
	}
	return fastSuccess(object{{"gw_state", "up"}, {"gw_id", gwID}})
}

// launcherCommand is POST /gateway/command. v1.8.4 acknowledges every
// command to a gw_id "compose ls -a" lists, running or not, without
// sending it. HEAD looks the running container up ("compose ps": a
// stopped one is not found), types sendChat's param1 into the bot's chat
// through its shell (which drops double quotes; the fake leaves $, ` and
// \ alone) and passes sendKey's to xdotool ("3" or "c" toggles the chat
// panel); a payload without a command is a KeyError, a 500.
func (s *Server) launcherCommand(e *exchange, h *host, body []byte) answer {
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
	if s.dockerDown {
		c = nil
	}
	ack := fastSuccess(object{{"ack", true}, {"received", payload}})
	if !s.version.IsHead() {
		if c == nil {
			return fastError(http.StatusNotFound, "Gateway not found")
		}
		return ack
	}
	if c == nil || !c.running {
		return fastError(http.StatusNotFound, "Gateway not found")
	}
	cmd, ok := payload.get("command")
	if !ok {
		return fastError(http.StatusInternalServerError, "'command'")
	}
	p1, _ := payload.get("param1")
	switch pyStr(cmd) {
	case "sendChat":
		s.chats[c.Handle] = append(s.chats[c.Handle], strings.ReplaceAll(pyStr(p1), `"`, ""))
	case "sendKey":
		if k := pyStr(p1); k == "3" || k == "c" {
			c.panelHidden = !c.panelHidden
		}
	}
	return ack
}

// launchPinned plays SIPMediaGW.sh -g <gw_id>: the project must exist (the
// script finds no container number otherwise and answers an error after
// looking for a free lock it does not take); its container is brought up
// again after the start delay, a running one restarted (the live is cut:
// its chat and panel state go). A streaming or recording bot is not
// waited for, so a LaunchFailure still answers "ok" with the container
// down; a baresip one is, and fails.
func (s *Server) launchPinned(e *exchange, h *host, st Stream) launchOutcome {
	s.lockAt(e.now)
	known := h.projects[st.GatewayID] != nil && !s.dockerDown
	s.mu.Unlock()
	if !known {
		return launchFailed
	}
	if e.forced == Busy {
		return launchBusy
	}
	if !s.wait(s.cfg.startDelay) {
		return launchAborted
	}
	now := s.clock.Now()
	s.lockAt(now)
	defer s.events.Broadcast()
	defer s.mu.Unlock()
	old := h.projects[st.GatewayID]
	if old == nil {
		return launchFailed
	}
	if old.running {
		h.exit(old, false)
	}
	st.Project, st.Container, st.Started = st.GatewayID, old.Container, now
	c := &container{Stream: st, running: true, slot: -1}
	h.projects[st.GatewayID] = c
	if e.forced == LaunchFailure {
		c.Failed = true
		if st.MainApp != "baresip" {
			// The container was created but never came up; the script
			// does not wait for a streaming bot and answers ok.
			c.running, c.created = false, true
			return launchOK
		}
		return launchFailed
	}
	s.notePeakLocked()
	return launchOK
}

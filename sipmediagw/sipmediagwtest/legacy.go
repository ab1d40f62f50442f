package sipmediagwtest

import (
	"net/http"
	"strings"
)

// The legacy launcher is HTTPLauncher.py, a web.py application: one class
// per route, GET (and POST for /chat) methods, an authorize decorator, and
// SIPMediaGW.sh or docker compose run as subprocesses.

// legacyRoute is a web.py URL mapping: its path and the methods its class
// defines.
type legacyRoute struct {
	allow string // the class's methods, for 405's Allow header
	get   bool
	post  bool
}

func (s *Server) legacyRoutes(path string) (legacyRoute, bool) {
	switch path {
	case "/start", "/stop":
		return legacyRoute{allow: "GET", get: true}, true
	case "/chat":
		return legacyRoute{allow: "GET, POST", get: true, post: true}, true
	case "/progress":
		if s.version == V17 {
			return legacyRoute{allow: "GET", get: true}, true
		}
	}
	return legacyRoute{}, false
}

func (s *Server) serveLegacy(e *exchange) {
	m := e.r.Method
	if strings.ToUpper(m) != m {
		// web.py allows upper-case methods only, before routing.
		e.w.Header().Set("Allow", "GET, HEAD, POST, PUT, DELETE")
		e.write(http.StatusMethodNotAllowed, "text/html", []byte("None"))
		return
	}
	rt, ok := s.legacyRoutes(e.r.URL.Path)
	if !ok {
		e.write(http.StatusNotFound, "text/html", []byte("not found"))
		return
	}
	isGet := m == http.MethodGet || m == http.MethodHead // HEAD runs GET
	if !(isGet && rt.get) && !(m == http.MethodPost && rt.post) {
		e.w.Header().Set("Allow", rt.allow)
		e.write(http.StatusMethodNotAllowed, "text/html", []byte("None"))
		return
	}
	q := parseQuery(e.r.URL.RawQuery)
	switch e.r.URL.Path {
	case "/start":
		e.op = OpStart
	case "/stop":
		e.op = OpStop
		if room, ok := q.last("room"); !ok || room == "0" {
			e.op = OpProbe
		}
	case "/progress":
		e.op = OpStatus
	case "/chat":
		e.op = OpToggle
		if !isGet {
			e.op = OpChat
		}
	}
	s.count(e.op)
	if s.applyFault(e) {
		return
	}
	if e.op != OpChat && !s.legacyAuthorized(e.r) {
		// POST /chat has no @authorize.
		s.writeUnauthorized(e)
		return
	}
	switch e.op {
	case OpStart:
		s.legacyStart(e, q)
	case OpStop, OpProbe:
		s.legacyStop(e, q)
	case OpStatus:
		s.legacyProgress(e, q)
	case OpToggle:
		s.legacyToggle(e, q)
	case OpChat:
		s.legacyChat(e)
	}
}

// count notes a start or a stop request.
func (s *Server) count(op string) {
	if op != OpStart && op != OpStop {
		return
	}
	s.mu.Lock()
	if op == OpStart {
		s.starts++
	} else {
		s.stops++
	}
	s.mu.Unlock()
}

// legacyAuthorized is the launcher's authorize decorator: a leading
// "Bearer " is cut, then the rest must be the token, so a bare token
// passes and "bearer <token>" does not.
func (s *Server) legacyAuthorized(r *http.Request) bool {
	vals := r.Header.Values("Authorization")
	if len(vals) == 0 {
		return false
	}
	auth := strings.TrimPrefix(strings.Join(vals, ", "), "Bearer ")
	return auth == s.Token
}

// legacyJSON sends a legacy answer: Python's json.dumps, application/json.
func legacyJSON(e *exchange, status int, v any) {
	e.write(status, jsonType, pyJSON(v))
}

// legacyError sends {"Error": msg}: with HTTP 200 from a literal string in
// v1.5, with status (400) from v1.6 on.
func (s *Server) legacyError(e *exchange, status int, msg string) {
	if s.version == V15 {
		status = http.StatusOK
	}
	legacyJSON(e, status, object{{"Error", msg}})
}

const msgNoRoom = "a room name must be specified"

// legacyWrap puts a start or stop result in v1.6's envelope.
func (s *Server) legacyWrap(details object) object {
	if s.version == V15 {
		return details
	}
	return object{{"status", "success"}, {"details", details}}
}

func (s *Server) legacyStart(e *exchange, q params) {
	room, ok := q.last("room")
	if !ok || room == "0" {
		s.legacyError(e, http.StatusBadRequest, msgNoRoom)
		return
	}
	if q.has("from") {
		// SIPMediaGW.sh no longer knows -f: it prints its usage error on
		// stderr, nothing on stdout, and json.loads("") raises.
		s.writeDebugPage(e, "JSONDecodeError", "Expecting value: line 1 column 1 (char 0)", jsonType)
		return
	}
	domain, _ := q.last("domain")
	rtmp, _ := q.last("rtmpDst")
	st := Stream{Handle: "legacy:" + room, Room: room, Domain: domain, RTMPURL: rtmp}
	outcome, _ := s.launch(e, s.host, st, func(slot int) string {
		if room == "" {
			return containerName(slot) // ${room:-"gw"$id}
		}
		return room
	})
	var script string
	switch outcome {
	case launchAborted:
		panic(http.ErrAbortHandler)
	case launchBusy:
		script = "{'res':'error','type':'No free resources found'}"
	case launchFailed:
		script = "{'res':'error','type':'The gateway failed to launch'}"
	default:
		script = "{'res':'ok', 'app': 'streaming', 'uri': '" + rtmp + "'}"
	}
	// The launcher turns the script's quotes into JSON's and parses: a
	// quote or a stray backslash in rtmpDst breaks it, after the container
	// came up.
	out := strings.ReplaceAll(script, "'", `"`) + "\n"
	v, err := decodeJSON([]byte(out))
	if err != nil {
		s.writeDebugPage(e, "JSONDecodeError", pyDecodeError([]byte(out), err), jsonType)
		return
	}
	res, _ := v.(object)
	legacyJSON(e, http.StatusOK, s.legacyWrap(res))
}

func (s *Server) legacyStop(e *exchange, q params) {
	room, ok := q.last("room")
	if !ok || room == "0" {
		s.legacyError(e, http.StatusBadRequest, msgNoRoom)
		return
	}
	if s.version == V17 {
		s.legacyStop17(e, q, room)
		return
	}
	// v1.5 and v1.6: docker compose -p<room> down, whatever runs.
	var res string
	switch lines, found := s.halt(e.now, s.host, room, true, false); {
	case !validProject(room):
		res = `invalid project name "` + room + `": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`
	case !found:
		res = `Warning: No resource found to remove for project "` + room + `".`
	default:
		res = strings.Join(lines, " => ")
	}
	legacyJSON(e, http.StatusOK, s.legacyWrap(object{{"res", res}}))
}

// legacyStop17 lists the running projects, refuses a room that is not
// among them, and runs "compose stop gw" ("down" with a non-empty force).
func (s *Server) legacyStop17(e *exchange, q params, room string) {
	force, _ := q.last("force")
	lines, found := s.halt(e.now, s.host, sanitizeProject(room), force != "", true)
	if !found {
		legacyJSON(e, http.StatusBadRequest, object{{"Error", "no running container for room=" + room}})
		return
	}
	legacyJSON(e, http.StatusOK, s.legacyWrap(object{{"res", strings.Join(lines, " => ")}}))
}

// legacyProgress is v1.7's /progress. For a running streaming container it
// answers only {"status": "success"}: the launcher adds
// recording_duration for the recording app only, and compares
// "echo $WITH_TRANSCRIPT" with 'true' without stripping the newline, so
// transcript_progress never appears.
func (s *Server) legacyProgress(e *exchange, q params) {
	room, ok := q.last("room")
	if !ok || room == "0" {
		s.legacyError(e, http.StatusBadRequest, msgNoRoom)
		return
	}
	s.lockAt(e.now)
	c := s.host.running(sanitizeProject(room))
	s.mu.Unlock()
	resp := object{{"status", "success"}}
	if c == nil {
		resp = append(resp, member{"gw_state", "down"})
	}
	legacyJSON(e, http.StatusOK, resp)
}

func (s *Server) legacyToggle(e *exchange, q params) {
	room, ok := q.last("room")
	if !ok {
		s.legacyError(e, http.StatusBadRequest, msgNoRoom)
		return
	}
	if !q.has("toggle") {
		// Any value toggles, "False" included: only the name counts.
		s.legacyError(e, http.StatusBadRequest, "toggle parameter is expected")
		return
	}
	legacyJSON(e, http.StatusOK, s.forwardCommand(e, room, func(c *container) {
		c.panelHidden = !c.panelHidden
	}))
}

func (s *Server) legacyChat(e *exchange) {
	v, err := decodeJSON(e.body)
	if err != nil {
		s.writeDebugPage(e, "JSONDecodeError", pyDecodeError(e.body, err), "")
		return
	}
	data, isObj := v.(object)
	switch v.(type) {
	case object, string, []any:
		// 'room' in data: a string or a list without it has no room.
	default:
		s.writeDebugPage(e, "TypeError", "argument of type '"+pyTypeName(v)+"' is not iterable", jsonType)
		return
	}
	roomV, ok := data.get("room")
	if !isObj {
		ok = false
	}
	if !ok {
		s.legacyError(e, http.StatusBadRequest, msgNoRoom)
		return
	}
	msgV, ok := data.get("msg")
	if !ok {
		s.legacyError(e, http.StatusBadRequest, "message missing or not readable")
		return
	}
	msg, isStr := msgV.(string)
	if !isStr {
		if s.version != V15 {
			s.writeDebugPage(e, "AttributeError", "object has no attribute 'encode'", jsonType)
			return
		}
		msg = string(compactJSON(msgV))
	}
	room, _ := roomV.(string)
	if s.version == V15 && strings.Contains(msg, "'") {
		// v1.5 puts the message inside echo '…' unescaped: the shell
		// stops at the quote.
		legacyJSON(e, http.StatusOK, object{{"res", "/bin/sh: 1: Syntax error: Unterminated quoted string"}})
		return
	}
	legacyJSON(e, http.StatusOK, s.forwardCommand(e, room, func(c *container) {
		s.chats[c.Handle] = append(s.chats[c.Handle], msg)
	}))
}

// forwardCommand plays "docker compose run … netcat <room> 4444": the
// room's container gets the command (apply runs under the lock) and the
// answer is {"res": "ok"}, or netcat's error when no container answers to
// that name.
func (s *Server) forwardCommand(e *exchange, room string, apply func(*container)) object {
	s.lockAt(e.now)
	c := s.host.running(room)
	if c != nil {
		apply(c)
	}
	s.mu.Unlock()
	if c == nil {
		return object{{"res", `nc: getaddrinfo for host "` + room + `" port 4444: Name or service not known`}}
	}
	return object{{"res", "ok"}}
}

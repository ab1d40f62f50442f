package sipmediagwtest

import (
	"net/http"
	"strings"
)

// The legacy launcher is HTTPLauncher.py, a web.py application: one class
// per route, GET (and POST for /chat) methods, an authorize decorator, and
// SIPMediaGW.sh or docker compose run as subprocesses.

// legacyRoute is a web.py URL mapping: the methods its class defines.
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

// webpyMethodNotAllowed is web.py's nomethod: its message, text/html.
func webpyMethodNotAllowed(e *exchange, allow string) {
	e.w.Header().Set("Allow", allow)
	e.write(http.StatusMethodNotAllowed, "text/html", []byte("method not allowed"))
}

func (s *Server) serveLegacy(e *exchange) {
	m := e.r.Method
	if strings.ToUpper(m) != m {
		// web.py allows upper-case methods only, before routing.
		webpyMethodNotAllowed(e, "GET, HEAD, POST, PUT, DELETE")
		return
	}
	rt, ok := s.legacyRoutes(e.r.URL.Path)
	if !ok {
		e.write(http.StatusNotFound, "text/html; charset=utf-8", []byte("not found"))
		return
	}
	isGet := m == http.MethodGet || m == http.MethodHead // HEAD runs GET
	if !(isGet && rt.get) && !(m == http.MethodPost && rt.post) {
		webpyMethodNotAllowed(e, rt.allow)
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
	opts, ok := s.scriptOptions(q)
	if !ok {
		// SIPMediaGW.sh refuses its command line: "Error in command line
		// parsing" on stderr, nothing on stdout, and json.loads("")
		// raises.
		s.writeDebugPage(e, "JSONDecodeError", "Expecting value: line 1 column 1 (char 0)", jsonType)
		return
	}
	st := Stream{Handle: "legacy:" + room, Room: room, Domain: opts['w'], RTMPURL: opts['u']}
	var script string
	switch outcome := s.legacyLaunch(e, st, opts['r']); outcome {
	case launchAborted:
		panic(http.ErrAbortHandler)
	case launchBusy:
		script = "{'res':'error','type':'No free resources found'}\n"
	case launchFailed:
		script = "{'res':'error','type':'The gateway failed to launch'}\n"
	case launchNoApp:
		// MAIN_APP=$(docker exec gw0 …) found no gw0: the script echoes
		// nothing.
	default:
		uri := opts['u']
		if s.version == V15 {
			uri = "" // '$RTMP_DST_URI', a variable nothing sets
		}
		script = "{'res':'ok', 'app': 'streaming', 'uri': '" + uri + "'}\n"
	}
	// The launcher turns the script's quotes into JSON's and parses: a
	// quote or a stray backslash in rtmpDst breaks it, after the container
	// came up.
	out := strings.ReplaceAll(script, "'", `"`)
	v, err := decodeJSON([]byte(out))
	if err != nil {
		s.writeDebugPage(e, "JSONDecodeError", pyDecodeError([]byte(out), err), jsonType)
		return
	}
	res, _ := v.(object)
	legacyJSON(e, http.StatusOK, s.legacyWrap(res))
}

// scriptOptions returns the options SIPMediaGW.sh reads from the command
// line the launcher gives it, by their letter, or false when it refuses
// them. v1.5 and v1.6 pass "-r<room>" and the like to getopts, so an
// empty value takes the next argument as its own, and "loop" (passed as
// "-l%s") and "from" (-f) are errors; v1.7 passes "-r", room pairs to a
// loop that knows no -f.
func (s *Server) scriptOptions(q params) (map[byte]string, bool) {
	type param struct {
		name string
		flag byte
	}
	params := []param{{"room", 'r'}, {"from", 'f'}, {"prefix", 'p'}, {"domain", 'w'}, {"rtmpDst", 'u'}, {"dial", 'd'}}
	opts := map[byte]string{}
	if s.version == V17 {
		params = append(params, param{"apiKey", 'a'}, param{"userMail", 'm'})
		for _, p := range params {
			if v, ok := q.last(p.name); ok {
				if p.flag == 'f' {
					return nil, false
				}
				opts[p.flag] = v
			}
		}
		return opts, true
	}
	var argv []string
	for _, p := range params {
		if v, ok := q.last(p.name); ok {
			argv = append(argv, "-"+string(p.flag)+v)
		}
	}
	if q.has("loop") {
		argv = append(argv, "-l%s")
	}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		if len(a) < 2 || a[0] != '-' || a == "--" {
			break
		}
		for j := 1; j < len(a); j++ {
			switch c := a[j]; {
			case c == 'l':
				continue
			case strings.IndexByte("dgprtuw", c) >= 0:
				switch {
				case j+1 < len(a):
					opts[c] = a[j+1:]
				case i+1 < len(argv):
					i++
					opts[c] = argv[i]
				default:
					return nil, false
				}
				j = len(a)
			default:
				return nil, false
			}
		}
	}
	return opts, true
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
	// v1.5 and v1.6: "docker compose -p<room> down", whatever runs; the
	// answer is its stderr.
	var res string
	switch lines, found, down := s.composeDown(e, room); {
	case down:
		res = msgDaemonDown
	case !validProject(room):
		res = `invalid project name "` + room + `": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`
	case found:
		res = strings.Join(lines, " => ")
	case s.version == V15:
		// compose 2.27 prints this warning plainly; from 2.29.3 it is a
		// logrus warning, which the launcher leaves out.
		res = `Warning: No resource found to remove for project "` + room + `".`
	}
	legacyJSON(e, http.StatusOK, s.legacyWrap(object{{"res", res}}))
}

// legacyStop17 looks the room up among the running projects ("docker
// compose ls -q", which lists nothing when the daemon is down), and runs
// "compose stop gw", or "down" with a non-empty force.
func (s *Server) legacyStop17(e *exchange, q params, room string) {
	force, _ := q.last("force")
	s.mu.Lock()
	down := s.dockerDown
	s.mu.Unlock()
	var lines []string
	found := false
	if !down {
		lines, found = s.halt(e.now, s.host, room, force != "", true)
	}
	if !found {
		legacyJSON(e, http.StatusBadRequest, object{{"Error", "no running container for room=" + room}})
		return
	}
	legacyJSON(e, http.StatusOK, s.legacyWrap(object{{"res", strings.Join(lines, " => ")}}))
}

// legacyProgress is v1.7's /progress: "docker compose -p <room> ps" lists
// the project's running containers (none when the daemon is down, as
// json.loads of nothing falls back to no lines). For a running streaming
// bot recording_duration is left out (its probe prints nothing) and
// transcript_progress is "0%" (no mp4 in /var/recording).
func (s *Server) legacyProgress(e *exchange, q params) {
	room, ok := q.last("room")
	if !ok || room == "0" {
		s.legacyError(e, http.StatusBadRequest, msgNoRoom)
		return
	}
	s.lockAt(e.now)
	up := !s.dockerDown && s.host.running(room) != nil
	s.mu.Unlock()
	if !up {
		legacyJSON(e, http.StatusOK, object{{"status", "success"}, {"gw_state", "down"}})
		return
	}
	legacyJSON(e, http.StatusOK, object{{"status", "success"}, {"transcript_progress", "0%"}})
}

package sipmediagwtest

import (
	"net/http"
	"strings"
	"time"
)

// The v1.8 proxy is deploy/proxyAPI/proxy.py, a FastAPI application that
// keeps a Redis mapping per gateway ("ip|state|type|room|…"), allocates
// the first gateway in state "started" (free) on /start, marks it
// "working", forwards to its launcher, and relays the launcher's JSON
// through json.dumps. A background monitor asks every launcher its status
// every 30 s: "up" makes a gateway "working", "down" makes it "started"
// again. Only the routes clients call are reproduced (not pairing,
// register or admin).

func (s *Server) serveProxy(e *exchange) {
	m := e.r.Method
	switch e.r.URL.Path {
	case "/start", "/stop", "/command":
		if m != http.MethodPost {
			writeMethodNotAllowed(e, "POST")
			return
		}
	case "/status", "/progress":
		if m != http.MethodGet && m != http.MethodHead {
			writeMethodNotAllowed(e, "GET, HEAD")
			return
		}
	default:
		writeNotFound(e)
		return
	}
	switch e.r.URL.Path {
	case "/start":
		e.op = OpStart
	case "/stop":
		e.op = OpProbe
		if v, err := decodeJSON(e.body); err == nil {
			if obj, ok := v.(object); ok {
				if id, _ := obj.get("gw_id"); truthy(id) {
					e.op = OpStop
				}
			}
		}
	case "/status", "/progress":
		e.op = OpStatus
	case "/command":
		e.op = commandOp(e.body)
	}
	s.count(e.op)
	if s.applyFault(e) {
		return
	}
	switch e.op {
	case OpStart:
		s.proxyStart(e)
	case OpStop, OpProbe:
		s.proxyStop(e)
	case OpStatus:
		s.proxyStatus(e)
	default:
		s.proxyCommand(e)
	}
}

// proxyAuthorized is the proxy's authorize(): "Bearer " (case-sensitive)
// then exactly the token.
func (s *Server) proxyAuthorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	if !strings.HasPrefix(auth, "Bearer ") {
		return false
	}
	_, tok, _ := strings.Cut(auth, " ")
	return tok == s.Token
}

// proxyJSON relays v as the proxy does: Response(json.dumps(v)).
func proxyJSON(e *exchange, status int, v any) { e.write(status, jsonType, pyJSON(v)) }

// requestObject is "await request.json()" followed by ".get": a body that
// is not JSON, or not an object, is an unhandled exception.
func requestObject(e *exchange) (object, bool) {
	v, err := decodeJSON(e.body)
	if err != nil {
		writeServerError(e)
		return nil, false
	}
	obj, ok := v.(object)
	if !ok {
		writeServerError(e)
		return nil, false
	}
	return obj, true
}

func (s *Server) proxyStart(e *exchange) {
	if !s.proxyAuthorized(e.r) {
		s.writeUnauthorized(e)
		return
	}
	obj, ok := requestObject(e)
	if !ok {
		return
	}
	for _, name := range []string{"browsing", "room", "main_app"} {
		if v, _ := obj.get(name); !truthy(v) {
			writeFast(e, fastError(http.StatusBadRequest, "Missing '"+name+"' parameter"))
			return
		}
	}
	roomV, _ := obj.get("room")
	browsingV, _ := obj.get("browsing")
	s.lockAt(e.now)
	var gw *gateway
	if e.forced != Busy {
		for _, g := range s.gateways {
			if g.state == gwFree {
				gw = g
				break
			}
		}
	}
	s.mu.Unlock()
	if gw == nil {
		writeFast(e, fastError(http.StatusServiceUnavailable, "No available gateways"))
		return
	}
	fwd := append(object(nil), obj...).set("gw_id", gw.id)
	a := s.launcherStart(e, gw.host, compactJSON(fwd), "v1.8:")
	resp, _ := a.body.(object)
	if resp.str("status") != "success" {
		writeFast(e, fastError(http.StatusServiceUnavailable, "Faild to parse Gateway Json response"))
		return
	}
	s.lockAt(s.clock.Now())
	gw.state = gwWorking
	gw.room = pyStr(roomV)
	gw.browsing = pyStr(browsingV)
	s.mu.Unlock()
	proxyJSON(e, a.status, resp)
}

func (s *Server) proxyStop(e *exchange) {
	if !s.proxyAuthorized(e.r) {
		s.writeUnauthorized(e)
		return
	}
	obj, ok := requestObject(e)
	if !ok {
		return
	}
	idV, _ := obj.get("gw_id")
	if !truthy(idV) {
		writeFast(e, fastError(http.StatusBadRequest, "Missing 'gw_id' parameter"))
		return
	}
	id := pyStr(idV)
	gw := s.gatewayByID(e.now, id)
	if gw == nil {
		writeFast(e, fastError(http.StatusNotFound, "No mapping found for gateway '"+id+"'"))
		return
	}
	a := s.launcherStop(e, gw.host, e.body)
	resp, _ := a.body.(object)
	data, hasData := resp.get("data")
	if !hasData {
		data = object{}
	}
	switch d, isObj := data.(object); {
	case !isObj:
		// None.get(...) raises: the proxy wraps the launcher's answer.
		resp = object{{"status", "error"}, {"error", "Failed to parse gateway response"}, {"data", a.body}}
	case strings.Contains(d.str("processing_state"), "stopping") || strings.Contains(d.str("processing_state"), "stopped"):
		s.lockAt(s.clock.Now())
		gw.room, gw.browsing, gw.peerURI, gw.peerName, gw.callStarted = "", "", "", "", ""
		gw.state = gwStopped
		s.mu.Unlock()
		resp = resp.set("status", "success")
	default:
		resp = resp.set("status", "error")
	}
	proxyJSON(e, a.status, resp)
}

// proxyStatus is GET /status (and /progress): the gateway's Redis entry,
// found by gw_id or by room. Its authorization check is commented out in
// proxy.py: anyone may ask.
func (s *Server) proxyStatus(e *exchange) {
	q := parseQuery(e.r.URL.RawQuery)
	id, _ := q.last("gw_id")
	room, _ := q.last("room")
	if id == "" && room == "" {
		writeFast(e, fastError(http.StatusBadRequest, "Missing 'gw_id' or 'room' parameter"))
		return
	}
	s.lockAt(e.now)
	defer s.mu.Unlock()
	if room != "" {
		id = ""
		for _, g := range s.gateways {
			if g.room == room {
				id = g.id
				break
			}
		}
		if id == "" {
			writeFast(e, fastError(http.StatusNotFound, "No gateway found for room '"+room+"'"))
			return
		}
	}
	var gw *gateway
	for _, g := range s.gateways {
		if g.id == id {
			gw = g
		}
	}
	if gw == nil {
		writeFast(e, fastError(http.StatusNotFound, "Gateway '"+id+"' not found"))
		return
	}
	proxyJSON(e, http.StatusOK, object{{"status", "success"}, {"data", object{
		{"gw_id", gw.id},
		{"gw_type", cleanPart(gw.gwType)},
		{"gw_state", gw.state},
		{"room", cleanPart(gw.room)},
		{"browsing", cleanPart(gw.browsing)},
		{"peer_uri", cleanPart(gw.peerURI)},
		{"peer_name", cleanPart(gw.peerName)},
		{"call_started", cleanPart(gw.callStarted)},
		{"media_duration", gw.mediaDuration},
		{"transcript_progress", gw.transcript},
	}}})
}

// cleanPart reads "" and "None" as null.
func cleanPart(v string) any {
	if v == "" || v == "None" {
		return nil
	}
	return v
}

// proxyCommand relays POST /command to the gateway's launcher, for a
// gateway in state "working" only. No authorization is checked.
func (s *Server) proxyCommand(e *exchange) {
	id, _ := parseQuery(e.r.URL.RawQuery).last("gw_id")
	if v, err := decodeJSON(e.body); err == nil {
		if obj, ok := v.(object); ok {
			if b, _ := obj.get("gw_id"); truthy(b) {
				id = pyStr(b)
			}
		}
	}
	if id == "" {
		writeFast(e, fastError(http.StatusBadRequest, "Missing 'gw_id' parameter"))
		return
	}
	gw := s.gatewayByID(e.now, id)
	if gw == nil {
		writeFast(e, fastError(http.StatusNotFound, "Gateway '"+id+"' not found"))
		return
	}
	s.mu.Lock()
	working := gw.state == gwWorking
	s.mu.Unlock()
	if !working {
		writeFast(e, fastError(http.StatusForbidden, "Gateway '"+id+"' is stopped, cannot send commands"))
		return
	}
	if _, err := decodeJSON(e.body); err != nil {
		writeServerError(e)
		return
	}
	a := s.launcherCommand(e, gw.host, e.body, false)
	proxyJSON(e, a.status, a.body)
}

func (s *Server) gatewayByID(now time.Time, id string) *gateway {
	s.lockAt(now)
	defer s.mu.Unlock()
	for _, g := range s.gateways {
		if g.id == id {
			return g
		}
	}
	return nil
}

// catchUpPolls runs the monitor's passes that fell due by now (one is
// enough: nothing changes between them). s.mu is held.
func (s *Server) catchUpPolls(now time.Time) {
	if s.version != V18 || now.Before(s.nextPoll) {
		return
	}
	s.pollLocked()
	d := s.cfg.freeDelay
	n := now.Sub(s.nextPoll)/d + 1
	s.nextPoll = s.nextPoll.Add(n * d)
}

// pollLocked is one pass of monitorGateways: each launcher's status
// updates its mapping; an error answer deletes it. s.mu is held.
func (s *Server) pollLocked() {
	kept := s.gateways[:0]
	for _, g := range s.gateways {
		c := g.host.projects[g.id]
		if c == nil {
			continue // the launcher answers 404: mapping deleted
		}
		if c.running {
			g.state = gwWorking
		} else {
			g.state = gwFree
		}
		// The launcher's status carries neither room nor browsing.
		g.room, g.browsing, g.peerURI, g.peerName, g.callStarted = "None", "None", "None", "None", "None"
		kept = append(kept, g)
	}
	s.gateways = kept
}

// Poll runs a pass of the V18 proxy's monitor now, as if its period had
// elapsed: gateways whose container is down become free, running ones
// "working", and room and browsing are forgotten (the launcher's status
// does not report them). It does nothing for other versions.
func (s *Server) Poll() {
	if s.version != V18 {
		return
	}
	s.lockAt(s.clock.Now())
	s.pollLocked()
	s.mu.Unlock()
	s.events.Broadcast()
}

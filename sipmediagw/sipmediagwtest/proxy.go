package sipmediagwtest

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/internal/fakekit"
)

// The v1.8 proxy is deploy/proxyAPI/proxy.py, a FastAPI application that
// keeps a Redis mapping per gateway ("ip|state|type|room|…"), allocates
// the first gateway in state "started" (free) on /start, marks it
// "working", forwards to its launcher, and relays the launcher's JSON
// through json.dumps. A background monitor asks every launcher its status
// every 30 s: "up" makes a gateway "working", "down" makes it "started"
// again. Launchers join with POST /register. The released v1.8.4 checks
// the token on every route; HEAD leaves /status and /command open.

// proxyRoute is a route of proxy.py: the methods it answers and whether
// it checks the token.
type proxyRoute struct {
	methods []string
	auth    bool
}

func (s *Server) proxyRoutes(path string) (proxyRoute, bool) {
	head := s.version.IsHead()
	post := []string{http.MethodPost}
	get := []string{http.MethodGet}
	switch path {
	case "/start", "/stop", "/register", "/unregister":
		return proxyRoute{methods: post, auth: true}, true
	case "/status", "/progress":
		return proxyRoute{methods: get, auth: !head}, true
	case "/command":
		if head {
			return proxyRoute{methods: post}, true
		}
		return proxyRoute{methods: []string{http.MethodGet, http.MethodPost}, auth: true}, true
	case "/ivrConfig":
		return proxyRoute{methods: get}, head
	case "/admin/statuses":
		return proxyRoute{methods: get}, true
	}
	return proxyRoute{}, false
}

func (s *Server) serveProxy(e *exchange) {
	rt, ok := s.proxyRoutes(e.r.URL.Path)
	if !ok {
		writeNotFound(e)
		return
	}
	if !slices.Contains(rt.methods, e.r.Method) {
		writeMethodNotAllowed(e, strings.Join(rt.methods, ", "))
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
	if e.op != "" {
		s.count(e.op)
		if s.applyFault(e) {
			return
		}
	}
	if rt.auth && !s.proxyAuthorized(e.r) {
		s.writeUnauthorized(e)
		return
	}
	switch e.r.URL.Path {
	case "/start":
		s.proxyStart(e)
	case "/stop":
		s.proxyStop(e)
	case "/status", "/progress":
		s.proxyStatus(e)
	case "/command":
		s.proxyCommand(e)
	case "/register":
		s.proxyRegister(e)
	case "/unregister":
		s.proxyUnregister(e)
	case "/ivrConfig":
		s.proxyIvrConfig(e)
	case "/admin/statuses":
		s.proxyAdminStatuses(e)
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
	obj, ok := requestObject(e)
	if !ok {
		return
	}
	required := []string{"room", "main_app"}
	if s.version.IsHead() {
		required = []string{"browsing", "room", "main_app"}
	}
	for _, name := range required {
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
	if gw.host == nil {
		writeServerError(e) // httpx cannot connect: unhandled
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
	if s.version.IsHead() {
		gw.browsing = pyStr(browsingV)
	}
	s.mu.Unlock()
	proxyJSON(e, a.status, resp)
}

func (s *Server) proxyStop(e *exchange) {
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
	if gw.host == nil {
		writeServerError(e)
		return
	}
	a := s.launcherStop(e, gw.host, e.body)
	resp, _ := a.body.(object)
	data, hasData := resp.get("data")
	if !hasData {
		data = object{}
	}
	switch d, isObj := data.(object); {
	case !isObj && s.version.IsHead():
		// None.get(...) raises: HEAD wraps the launcher's answer.
		resp = object{{"status", "error"}, {"error", "Failed to parse gateway response"}, {"data", a.body}}
	case !isObj:
		resp = resp.set("status", "error")
	case strings.Contains(d.str("processing_state"), "stopping") || strings.Contains(d.str("processing_state"), "stopped"):
		s.lockAt(s.clock.Now())
		gw.room, gw.browsing = "None", "None"
		if s.version.IsHead() {
			gw.room, gw.browsing = "", ""
		}
		gw.state = gwStopped
		s.mu.Unlock()
		resp = resp.set("status", "success")
	default:
		resp = resp.set("status", "error")
	}
	proxyJSON(e, a.status, resp)
}

// proxyStatus is GET /status (and /progress): the gateway's Redis entry,
// found by gw_id or by room. v1.8.4 shows the stored room as is (the
// string "None" once stopped); HEAD adds browsing and shows null for an
// empty or "None" room.
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
	data := object{{"gw_id", gw.id}, {"gw_state", gw.state}, {"room", gw.room}}
	if s.version.IsHead() {
		data = object{{"gw_id", gw.id}, {"gw_state", gw.state}, {"room", cleanPart(gw.room)}, {"browsing", cleanPart(gw.browsing)}}
	}
	data = append(data, member{"media_duration", gw.mediaDuration}, member{"transcript_progress", gw.transcript})
	proxyJSON(e, http.StatusOK, object{{"status", "success"}, {"data", data}})
}

// orNull is Python's "v if v else None" for a string.
func orNull(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// cleanPart reads "" and "None" as null.
func cleanPart(v string) any {
	if v == "" || v == "None" {
		return nil
	}
	return v
}

// proxyCommand relays POST /command to the gateway's launcher, for a
// gateway in state "working" only. v1.8.4 forwards to the launcher's
// /command, a route the launcher does not have, and relays its 404;
// HEAD forwards to /gateway/command.
func (s *Server) proxyCommand(e *exchange) {
	id, _ := parseQuery(e.r.URL.RawQuery).last("gw_id")
	v, err := decodeJSON(e.body)
	if err != nil && !s.version.IsHead() {
		writeServerError(e) // await request.json() raises
		return
	}
	if obj, ok := v.(object); ok {
		id = ""
		if b, _ := obj.get("gw_id"); truthy(b) {
			id = pyStr(b)
		}
	}
	gw := s.workingGateway(e, id)
	if gw == nil {
		return
	}
	if err != nil {
		writeServerError(e)
		return
	}
	if !s.version.IsHead() {
		proxyJSON(e, http.StatusNotFound, object{{"detail", "Not Found"}})
		return
	}
	if gw.host == nil {
		writeServerError(e)
		return
	}
	a := s.launcherCommand(e, gw.host, e.body)
	proxyJSON(e, a.status, a.body)
}

// proxyRegister is POST /register, which a launcher calls at boot: the
// gateway joins the pool free ("started"). HEAD also takes a pairing
// code and timeout (both required in practice) and answers a new code.
func (s *Server) proxyRegister(e *exchange) {
	obj, ok := requestObject(e)
	if !ok {
		return
	}
	ipV, _ := obj.get("gw_ip")
	idV, _ := obj.get("gw_id")
	typ := "media"
	if t, found := obj.get("gw_type"); found {
		typ = pyStr(t)
	}
	head := s.version.IsHead()
	if head {
		if t, _ := obj.get("pairing_timeout"); t == nil {
			writeFast(e, fastError(http.StatusBadRequest, "Invalid input of type: 'NoneType'. Convert to a bytes, string, int or float first."))
			return
		}
	}
	if !truthy(ipV) || !truthy(idV) {
		writeFast(e, fastError(http.StatusBadRequest, "400: Missing 'gwIp' or 'gw_id'"))
		return
	}
	id, ip := pyStr(idV), pyStr(ipV)
	s.lockAt(e.now)
	s.registerLocked(id, ip, typ, e.now)
	s.mu.Unlock()
	resp := object{{"status", "success"}, {"gw_id", id}, {"gw_ip", ip}}
	if head {
		resp = append(resp, member{"pairing_code", fakekit.RandomString(5, pairingAlphabet)})
	}
	proxyJSON(e, http.StatusOK, resp)
}

const pairingAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// registerLocked adds or refreshes the mapping of gateway id, on the
// launcher host that has that gw_id (a host without it when none has).
// v1.8.4 resets the mapping; HEAD keeps its state. s.mu is held.
func (s *Server) registerLocked(id, addr, typ string, now time.Time) *gateway {
	for _, g := range s.gateways {
		if g.id == id {
			g.addr, g.host = addr, s.launcherHost(addr)
			if !s.version.IsHead() {
				g.state, g.gwType, g.room = gwFree, typ, "None"
				g.startTime, g.mediaDuration, g.transcript = pyTime(now), "0", "0"
			}
			return g
		}
	}
	g := &gateway{id: id, addr: addr, host: s.launcherHost(addr), state: gwFree, gwType: typ, room: "None", browsing: "None",
		startTime: pyTime(now), mediaDuration: "0", transcript: "0"}
	s.gateways = append(s.gateways, g)
	return g
}

// LauncherAddr is the gw_ip (host:port) of the launcher behind a fake
// V18 or V18Head proxy: a gateway registered with another address has no
// launcher answering, as when its host is down.
const LauncherAddr = "127.0.0.1:8100"

// launcherHost returns the launcher at addr, nil when none answers there.
func (s *Server) launcherHost(addr string) *host {
	if addr == LauncherAddr {
		return s.host
	}
	return nil
}

func pyTime(t time.Time) string { return t.Format("2006-01-02T15:04:05.000000") }

// proxyUnregister is POST /unregister: the mapping goes.
func (s *Server) proxyUnregister(e *exchange) {
	obj, ok := requestObject(e)
	if !ok {
		return
	}
	idV, _ := obj.get("gw_id")
	if !truthy(idV) {
		writeFast(e, fastError(http.StatusBadRequest, "400: Missing 'gw_id'"))
		return
	}
	id := pyStr(idV)
	s.lockAt(e.now)
	i := slices.IndexFunc(s.gateways, func(g *gateway) bool { return g.id == id })
	if i >= 0 {
		s.gateways = slices.Delete(s.gateways, i, i+1)
	}
	s.mu.Unlock()
	if i < 0 {
		writeFast(e, fastError(http.StatusNotFound, "Gateway '"+id+"' not found"))
		return
	}
	proxyJSON(e, http.StatusOK, object{{"status", "success"}, {"gw_id", id}, {"removed", true}})
}

// workingGateway checks a relayed request's gw_id as proxy.py does before
// forwarding (genericGatewayProxy at HEAD): given, registered, working.
// It answers the refusal and returns nil otherwise.
func (s *Server) workingGateway(e *exchange, id string) *gateway {
	if id == "" {
		writeFast(e, fastError(http.StatusBadRequest, "Missing 'gw_id' parameter"))
		return nil
	}
	gw := s.gatewayByID(e.now, id)
	if gw == nil {
		writeFast(e, fastError(http.StatusNotFound, "Gateway '"+id+"' not found"))
		return nil
	}
	s.mu.Lock()
	working := gw.state == gwWorking
	s.mu.Unlock()
	if !working {
		writeFast(e, fastError(http.StatusForbidden, "Gateway '"+id+"' is stopped, cannot send commands"))
		return nil
	}
	return gw
}

// proxyIvrConfig is HEAD's GET /ivrConfig, relayed to a working gateway's
// launcher; the fake's launchers have no IVR.
func (s *Server) proxyIvrConfig(e *exchange) {
	id, _ := parseQuery(e.r.URL.RawQuery).last("gw_id")
	if s.workingGateway(e, id) != nil {
		writeFast(e, fastError(http.StatusNotFound, "Gateway not found"))
	}
}

// adminToken is proxy.py's hard-coded administrator token.
const adminToken = "admin-secret-key"

// proxyAdminStatuses is GET /admin/statuses, for the administrator token
// only (v1.8.4 and HEAD alike): every mapping as stored, where HEAD shows
// an empty room or browsing (a gateway stopped through it) as null.
func (s *Server) proxyAdminStatuses(e *exchange) {
	if e.r.Header.Get("Authorization") != "Bearer "+adminToken {
		e.w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		e.write(http.StatusUnauthorized, jsonType, pyJSON(object{{"error", "authorization error"}}))
		return
	}
	s.lockAt(e.now)
	out := object{}
	for _, g := range s.gateways {
		var room any = g.room
		if s.version.IsHead() {
			room = orNull(g.room)
		}
		entry := object{{"gateway", g.ip()}, {"status", g.state}, {"room", room},
			{"media_duration", g.mediaDuration}, {"transcript_progress", g.transcript}}
		if s.version.IsHead() {
			entry = append(entry, member{"browsing", orNull(g.browsing)})
		}
		out = append(out, member{g.id, entry})
	}
	s.mu.Unlock()
	writeFast(e, answer{http.StatusOK, out})
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
	if !s.version.IsProxy() || now.Before(s.nextPoll) {
		return
	}
	s.pollLocked()
	d := s.cfg.freeDelay
	n := now.Sub(s.nextPoll)/d + 1
	s.nextPoll = s.nextPoll.Add(n * d)
}

// pollLocked is one pass of monitorGateways: each launcher's status
// updates its mapping ("up" working, "down" started); an error answer
// deletes it. v1.8.4 keeps the room it had; HEAD takes the launcher's,
// which a streaming launcher reports empty. s.mu is held.
func (s *Server) pollLocked() {
	kept := s.gateways[:0]
	for _, g := range s.gateways {
		if g.host == nil || s.dockerDown {
			continue // the launcher does not answer, or answers an error: mapping deleted
		}
		c := g.host.projects[g.id]
		if c == nil {
			continue // the launcher answers an error: mapping deleted
		}
		if c.running {
			g.state = gwWorking
		} else {
			g.state = gwFree
		}
		if s.version.IsHead() {
			g.room, g.browsing = "None", "None"
		}
		kept = append(kept, g)
	}
	s.gateways = kept
}

// Poll runs a pass of the V18 proxy's monitor now, as if its period had
// elapsed: gateways whose container is down become free, running ones
// "working", and room and browsing are forgotten (the launcher's status
// does not report them). It does nothing for other versions.
func (s *Server) Poll() {
	if !s.version.IsProxy() {
		return
	}
	s.lockAt(s.clock.Now())
	s.pollLocked()
	s.mu.Unlock()
	s.events.Broadcast()
}

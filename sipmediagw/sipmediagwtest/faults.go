package sipmediagwtest

import (
	"net/http"

	"github.com/bbbcast/bbbcast/internal/fakekit"
)

// FaultKind is a failure Fail can inject.
type FaultKind uint8

// The failures Fail can inject.
const (
	// LaunchFailure makes a launch fail, after the start delay. The legacy
	// launcher and a v1.8 baresip start wait for the bot and fail: "The
	// gateway failed to launch" (legacy), a 404 "Failed to start gateway
	// container" (launcher), a 503 (proxy); the container is left behind,
	// running (Stream.Failed): a stop finds it. A v1.8 streaming or
	// recording start does not wait: it answers success, the container
	// created but never up (its launcher status "down"; the proxy says
	// "working" until its monitor's next pass). Only starts take it.
	LaunchFailure FaultKind = iota + 1
	// Busy makes a start find no free slot: "No free resources found"
	// (legacy), a 404 (launcher), 503 "No available gateways" (proxy),
	// at once. Only starts take it.
	Busy
	// HTML500 answers the crash page of the version: web.py's debug page
	// for the legacy launcher (HTTP 500, text/html, the token and the
	// query in it), Starlette's plain-text "Internal Server Error" for
	// v1.8.
	HTML500
	// Hang never answers: the request blocks until the client gives up or
	// the server closes, then the connection is dropped. WaitPending
	// counts it.
	Hang
	// Unauthorized answers the version's 401 whatever the token.
	Unauthorized
	// Status answers Code (500 by default) with Body and ContentType
	// (application/json when Body starts with { or [, text/html
	// otherwise).
	Status
)

// String names the kind.
func (k FaultKind) String() string {
	switch k {
	case LaunchFailure:
		return "LaunchFailure"
	case Busy:
		return "Busy"
	case HTML500:
		return "HTML500"
	case Hang:
		return "Hang"
	case Unauthorized:
		return "Unauthorized"
	case Status:
		return "Status"
	}
	return "FaultKind(0)"
}

// Fault is a failure to inject with Fail. Times is how many requests it
// applies to; 0 means every request until ClearFaults.
type Fault struct {
	Kind        FaultKind
	Code        int
	Body        string
	ContentType string
	Times       int
}

// Operations Fail and the request log know. A request's operation is set
// by its route:
//
//	op       legacy (v1.5–v1.7)        v1.8 proxy              v1.8 launcher
//	start    GET /start                POST /start             POST /gateway/start
//	stop     GET /stop?room=…          POST /stop with gw_id   POST /gateway/stop
//	probe    GET /stop without room    POST /stop without it   GET /gateway/status of an unknown gw_id
//	status   GET /progress             GET /status, /progress  GET /gateway/status
//	toggle   GET /chat                 POST /command sendKey   POST /gateway/command sendKey
//	chat     POST /chat                POST /command (other)   POST /gateway/command (other)
//
// Requests on no route have the operation "".
const (
	OpStart  = "start"
	OpStop   = "stop"
	OpProbe  = "probe"
	OpStatus = "status"
	OpToggle = "toggle"
	OpChat   = "chat"
	// AllOps makes Fail apply to every operation.
	AllOps = fakekit.AnyOp
)

// Fail injects f into the answers of op (OpStart, …, or AllOps). Faults
// apply after routing and before authentication, like an overloaded or
// broken server. Several faults for an operation apply one after the
// other, in the order they were added. LaunchFailure and Busy apply only
// to starts and are skipped by the other operations.
func (s *Server) Fail(op string, f Fault) { s.faults.Add(op, f, f.Times) }

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

// takeFault consumes one use of the first fault that applies to op:
// LaunchFailure and Busy apply to starts only.
func (s *Server) takeFault(op string) (Fault, bool) {
	if op == "" {
		return Fault{}, false
	}
	return s.faults.Take(op, func(f Fault) bool {
		return op == OpStart || f.Kind != LaunchFailure && f.Kind != Busy
	})
}

// applyFault applies the fault for e.op, if any, and reports whether the
// answer was sent. A start's LaunchFailure or Busy is left in e.forced for
// the start to play out.
func (s *Server) applyFault(e *exchange) bool {
	f, ok := s.takeFault(e.op)
	if !ok {
		return false
	}
	switch f.Kind {
	case LaunchFailure, Busy:
		e.forced = f.Kind
		return false
	case Hang:
		s.hang(e)
	case Unauthorized:
		s.writeUnauthorized(e)
	case HTML500:
		if s.version.IsLegacy() {
			s.writeDebugPage(e, "JSONDecodeError", "Expecting value: line 1 column 1 (char 0)", jsonType)
		} else {
			writeServerError(e)
		}
	default:
		code := f.Code
		if code == 0 {
			code = http.StatusInternalServerError
		}
		ct := f.ContentType
		if ct == "" {
			ct = "text/html"
			if len(f.Body) > 0 && (f.Body[0] == '{' || f.Body[0] == '[') {
				ct = jsonType
			}
		}
		e.write(code, ct, []byte(f.Body))
	}
	return true
}

// hang blocks until the client or the server gives up, then drops the
// connection without an answer.
func (s *Server) hang(e *exchange) {
	s.noteBlocked()
	select {
	case <-e.r.Context().Done():
	case <-s.ctx.Done():
	}
	panic(http.ErrAbortHandler)
}

// writeUnauthorized sends the version's 401.
func (s *Server) writeUnauthorized(e *exchange) {
	e.w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	switch {
	case s.version == V15:
		e.write(http.StatusUnauthorized, "", []byte("authorization error"))
	case s.version.IsLegacy():
		e.write(http.StatusUnauthorized, "", pyJSON(object{{"Error", "authorization error"}}))
	case e.op == OpStart && s.version.IsHead():
		e.write(http.StatusUnauthorized, jsonType, pyJSON(object{{"error", "authorization error invalid_token "}}))
	default:
		e.write(http.StatusUnauthorized, jsonType, pyJSON(object{{"error", "authorization error"}}))
	}
}

// writeServerError is Starlette's answer to an unhandled exception.
func writeServerError(e *exchange) {
	e.write(http.StatusInternalServerError, "text/plain; charset=utf-8", []byte("Internal Server Error"))
}

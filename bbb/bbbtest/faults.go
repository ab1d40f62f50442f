package bbbtest

import (
	"context"
	"io"
	"time"

	"github.com/bbbcast/bbbcast/internal/fakekit"
)

// Fault is a failure to inject into the answers of a call with Fail. The
// fields combine:
//
//   - Delay holds the answer back for that long on the server's clock
//     (WithClock), so with a mock clock a test advances the clock instead
//     of sleeping; WaitDelayed tells when the request is waiting. The wait
//     also ends when the client gives up or the server closes.
//   - Status answers with that HTTP status instead of the call: Body with
//     ContentType (text/html by default), or, without Body, an nginx-like
//     HTML error page, or a FAILED XML answer when Key is set too.
//   - Key (without Status) answers HTTP 200 FAILED with that messageKey
//     and Message, as if BBB had refused the call.
//
// A Fault with only a Delay delays the real answer. Times is how many
// requests the fault applies to; 0 means every request until ClearFaults.
type Fault struct {
	Status      int
	Body        string
	ContentType string
	Key         string
	Message     string
	Delay       time.Duration
	Times       int
}

// AllCalls makes Fail apply to every API call, the version probe included.
const AllCalls = fakekit.AnyOp

// Fail injects f into the answers of call ("create", "hooks/create", "" for
// the version probe at <URL>/api, AllCalls for every call). Faults apply
// before the checksum is checked, like a proxy or an overloaded server in
// front of BBB. Several faults for a call apply one after the other, in
// the order they were added.
func (s *Server) Fail(call string, f Fault) { s.faults.Add(call, f, f.Times) }

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() { s.faults.Clear() }

// applyFault applies the fault for e's call, if any, and reports whether
// the answer was sent.
func (s *Server) applyFault(e *exchange) bool {
	f, ok := s.faults.Take(e.call, nil)
	if !ok {
		return false
	}
	if f.Delay > 0 && !s.delay(e.r.Context(), f.Delay) {
		return true // client gone or server closing: no answer
	}
	switch {
	case f.Status != 0 && f.Body == "" && f.Key != "":
		x := newXMLWriter()
		defer x.release()
		x.start("FAILED")
		x.text("messageKey", f.Key)
		x.text("message", f.Message)
		x.end()
		h := e.w.Header()
		h.Set("Content-Type", xmlContentType)
		e.w.WriteHeader(f.Status)
		_, _ = e.w.Write(x.b)
		e.status, e.key = f.Status, f.Key
		return true
	case f.Status != 0:
		body, ct := f.Body, f.ContentType
		if body == "" {
			body = htmlStatusPage(f.Status)
		}
		if ct == "" {
			ct = "text/html"
		}
		e.w.Header().Set("Content-Type", ct)
		e.w.WriteHeader(f.Status)
		_, _ = io.WriteString(e.w, body)
		e.status = f.Status
		return true
	case f.Key != "":
		s.fail(e, f.Key, f.Message)
		return true
	}
	return false
}

// delay waits d on the server's clock; false when ctx or the server ended
// first.
func (s *Server) delay(ctx context.Context, d time.Duration) bool {
	t := s.clock.Timer(d)
	s.delayed.Add(1)
	s.events.Broadcast()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
	case <-s.ctx.Done():
	}
	t.Stop()
	return false
}

// WaitDelayed blocks until n requests in total have started waiting on a
// Fault's Delay (their timers are armed: advancing a mock clock by the
// delay releases them), or ctx ends.
func (s *Server) WaitDelayed(ctx context.Context, n int) error {
	return s.events.WaitUntil(ctx, func() bool { return s.delayed.Load() >= int64(n) })
}

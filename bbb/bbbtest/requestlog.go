package bbbtest

import (
	"log/slog"
	"time"

	"github.com/bbbcast/bbbcast/internal/fakekit"
)

// Request is one API request the server received, as Requests reports it.
type Request struct {
	Time   time.Time // on the server's clock
	Method string
	// Call is the path after /api/ ("create", "hooks/create"), "" for the
	// version probe at <URL>/api.
	Call string
	// Query is the raw query string with the values of checksum,
	// password, attendeePW and moderatorPW replaced by Redacted.
	Query string
	// StatusCode is the HTTP status answered; 0 when the client went away
	// during an injected delay.
	StatusCode int
	// MessageKey is the messageKey answered, if any.
	MessageKey string
}

// requestLog is a ring of the latest requests, stored raw and redacted
// when read, which keeps the request path cheap.
type requestLog = fakekit.Ring[Request]

func (s *Server) logRequest(e *exchange) {
	r := Request{
		Time:       e.now,
		Method:     e.r.Method,
		Call:       e.call,
		Query:      e.r.URL.RawQuery,
		StatusCode: e.status,
		MessageKey: e.key,
	}
	s.logMu.Lock()
	s.reqLog.Add(r, s.cfg.requestLogSize)
	s.logMu.Unlock()
	if s.logger.Enabled(e.r.Context(), slog.LevelDebug) {
		s.logger.LogAttrs(e.r.Context(), slog.LevelDebug, "bbbtest request",
			slog.String("method", r.Method), slog.String("call", r.Call),
			slog.Int("status", r.StatusCode), slog.String("messageKey", r.MessageKey))
	}
}

// Requests returns the latest API requests (up to WithRequestLogSize), the
// oldest first, with checksums and passwords redacted.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	out := s.reqLog.Snapshot()
	s.logMu.Unlock()
	for i := range out {
		out[i].Query = redactQuery(out[i].Query)
	}
	return out
}

// RequestsFor returns the logged requests of one call, like Requests.
func (s *Server) RequestsFor(call string) []Request {
	all := s.Requests()
	out := all[:0]
	for _, r := range all {
		if r.Call == call {
			out = append(out, r)
		}
	}
	return out
}

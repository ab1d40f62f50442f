package sipmediagwtest

import (
	"log/slog"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/internal/fakekit"
)

// Redacted replaces secrets in Requests: the token, and the values of
// rtmpDst, rtmp_dst (they hold stream keys) and domain (Pod's domain holds
// the meeting's secret link).
const Redacted = "REDACTED"

// redactedKeys are the parameters whose values Requests never shows.
var redactedKeys = map[string]bool{"rtmpDst": true, "rtmp_dst": true, "domain": true}

// Request is one request the server received, as Requests reports it.
type Request struct {
	Time   time.Time // on the server's clock
	Method string
	Path   string
	// Op is the operation the route maps to (OpStart, …), "" for none.
	Op string
	// Query is the raw query string, redacted.
	Query string
	// Body is the request body, redacted: a JSON body is re-encoded
	// compactly, in its order.
	Body string
	// Authorization is the Authorization header with the token replaced
	// by Redacted ("Bearer REDACTED"), "" when absent.
	Authorization string
	// StatusCode is the HTTP status answered; 0 when the request was
	// dropped (Hang, or the server closed).
	StatusCode int
}

// requestLog is a ring of the latest requests, stored raw and redacted
// when read, which keeps the request path cheap.
type requestLog = fakekit.Ring[Request]

func (s *Server) logRequest(e *exchange) {
	r := Request{
		Time:          e.now,
		Method:        e.r.Method,
		Path:          e.r.URL.Path,
		Op:            e.op,
		Query:         e.r.URL.RawQuery,
		Body:          string(e.body),
		Authorization: strings.Join(e.r.Header.Values("Authorization"), ", "),
		StatusCode:    e.status,
	}
	s.logMu.Lock()
	s.reqLog.Add(r, s.cfg.requestLogSize)
	s.logMu.Unlock()
	s.mu.Lock()
	s.answered[e.op]++
	s.mu.Unlock()
	s.events.Broadcast()
	if s.logger.Enabled(e.r.Context(), slog.LevelDebug) {
		s.logger.LogAttrs(e.r.Context(), slog.LevelDebug, "sipmediagwtest request",
			slog.String("method", r.Method), slog.String("path", r.Path),
			slog.String("op", r.Op), slog.Int("status", r.StatusCode))
	}
}

// Requests returns the latest requests (up to WithRequestLogSize), the
// oldest first, redacted.
func (s *Server) Requests() []Request {
	s.logMu.Lock()
	out := s.reqLog.Snapshot()
	s.logMu.Unlock()
	for i := range out {
		out[i].Query = s.redactQuery(out[i].Query)
		out[i].Body = s.redactBody(out[i].Body)
		out[i].Authorization = s.redactText(out[i].Authorization)
	}
	return out
}

// RequestsFor returns the logged requests of one operation.
func (s *Server) RequestsFor(op string) []Request {
	all := s.Requests()
	out := all[:0]
	for _, r := range all {
		if r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

// redactText replaces the token wherever it appears.
func (s *Server) redactText(t string) string {
	if s.Token == "" || !strings.Contains(t, s.Token) {
		return t
	}
	return strings.ReplaceAll(t, s.Token, Redacted)
}

func (s *Server) redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		k, v, _ := strings.Cut(p, "=")
		switch {
		case redactedKeys[pyUnquote(k)]:
			parts[i] = k + "=" + Redacted
		case s.Token != "" && strings.Contains(pyUnquote(v), s.Token):
			parts[i] = k + "=" + Redacted
		default:
			parts[i] = s.redactText(p)
		}
	}
	return strings.Join(parts, "&")
}

func (s *Server) redactBody(body string) string {
	if body == "" {
		return body
	}
	v, err := decodeJSON([]byte(body))
	if err != nil {
		return s.redactText(body)
	}
	return string(compactJSON(s.redactValue(v)))
}

func (s *Server) redactValue(v any) any {
	switch t := v.(type) {
	case string:
		return s.redactText(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = s.redactValue(e)
		}
		return out
	case object:
		out := make(object, len(t))
		for i, m := range t {
			if redactedKeys[m.k] {
				out[i] = member{m.k, Redacted}
				continue
			}
			out[i] = member{m.k, s.redactValue(m.v)}
		}
		return out
	}
	return v
}

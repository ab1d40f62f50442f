package sipmediagw

import (
	"fmt"
	"log/slog"
	"strings"
)

// Session identifies a running stream. Start returns it; persist it (its
// Handle) to stop, toggle the chat of, or query the stream later, from
// any process. The legacy API addresses a stream by its room, v1.8 by the
// gateway ID that start answered.
type Session struct {
	Protocol  Protocol
	Room      string
	GatewayID string // v1.8 only
}

// Handle returns the session as one string to store, such as
// "legacy:a1b2c3d4e5" or "v1.8:3".
func (s Session) Handle() string {
	if s.IsZero() {
		return ""
	}
	if s.Protocol == Legacy {
		return "legacy:" + s.Room
	}
	return s.Protocol.String() + ":" + s.GatewayID
}

// String is the handle.
func (s Session) String() string { return s.Handle() }

// LogValue logs the handle.
func (s Session) LogValue() slog.Value { return slog.StringValue(s.Handle()) }

// IsZero reports whether s is the zero Session (no stream).
func (s Session) IsZero() bool { return s == Session{} }

// ParseSession reads a Handle back.
func ParseSession(h string) (Session, error) {
	proto, id, ok := strings.Cut(h, ":")
	if !ok || id == "" {
		return Session{}, fmt.Errorf("sipmediagw: malformed session handle")
	}
	p, err := ParseProtocol(proto)
	if err != nil {
		return Session{}, err
	}
	if p == Legacy {
		return Session{Protocol: p, Room: id}, nil
	}
	return Session{Protocol: p, GatewayID: id}, nil
}

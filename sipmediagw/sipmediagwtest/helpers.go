package sipmediagwtest

import (
	"context"
	"strings"
)

// Helpers take a stream key: a sipmediagw.Session handle
// ("legacy:<room>", "v1.8:<gw_id>", "v1.8-launcher:<gw_id>"), or the bare
// room (legacy; the compose project name works too) or gw_id (v1.8).

// handlePrefixes are the Session.Handle prefixes, longest first.
var handlePrefixes = []string{"v1.8-launcher:", "legacy:", "v1.8:"}

func bareKey(key string) string {
	for _, p := range handlePrefixes {
		if k, ok := strings.CutPrefix(key, p); ok {
			return k
		}
	}
	return key
}

// hostsLocked lists the hosts the server runs containers on. s.mu is held.
func (s *Server) hostsLocked() []*host {
	if s.host != nil {
		return []*host{s.host}
	}
	out := make([]*host, 0, len(s.gateways))
	for _, g := range s.gateways {
		out = append(out, g.host)
	}
	return out
}

// findLocked returns the container a key names, preferring a running one,
// or nil. s.mu is held.
func (s *Server) findLocked(key string) (*host, *container) {
	k := bareKey(key)
	switch {
	case s.version.IsLegacy():
		var best *container
		for _, c := range s.host.projects {
			if c.Handle == "legacy:"+k || c.Project == k {
				if best == nil || c.running && !best.running {
					best = c
				}
			}
		}
		return s.host, best
	case s.host != nil:
		return s.host, s.host.projects[k]
	}
	for _, g := range s.gateways {
		if g.id == k {
			return g.host, g.host.projects[k]
		}
	}
	return nil, nil
}

// handleOf returns the Session handle a key stands for.
func (s *Server) handleOf(key string) string {
	k := bareKey(key)
	switch {
	case s.version.IsLegacy():
		if _, c := s.findLocked(key); c != nil {
			return c.Handle
		}
		return "legacy:" + k
	case s.version.IsProxy():
		return "v1.8:" + k
	}
	return "v1.8-launcher:" + k
}

// Running returns the running containers, oldest first, with their
// parameters as the start requests gave them (RTMP stream keys included).
func (s *Server) Running() []Stream {
	s.lockAt(s.clock.Now())
	var out []Stream
	for _, h := range s.hostsLocked() {
		for _, c := range h.projects {
			if c.running {
				out = append(out, c.Stream)
			}
		}
	}
	s.mu.Unlock()
	sortStreams(out)
	return out
}

// MaxRunning returns the most containers the server has run at once since
// it started: the streams of one gateway that overlapped in time. A
// gateway carries one webinar's stream at a time, so a test of that rule
// requires it to stay at 1 (give the server WithSlots(2) or more, so that
// a second start would succeed and show, rather than be refused).
func (s *Server) MaxRunning() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.peak
}

// Stream returns the running stream a key names.
func (s *Server) Stream(key string) (Stream, bool) {
	s.lockAt(s.clock.Now())
	defer s.mu.Unlock()
	if _, c := s.findLocked(key); c != nil && c.running {
		return c.Stream, true
	}
	return Stream{}, false
}

// IsRunning reports whether the stream a key names runs (a container left
// behind by a failed launch counts).
func (s *Server) IsRunning(key string) bool {
	_, ok := s.Stream(key)
	return ok
}

// Chat returns the chat messages the server accepted for a stream, in
// order, as it received them (POST /chat's msg, sendChat's param1), across
// the stream's restarts. For the legacy versions it is the text the bot
// decoded, as it would post it: v1.7's b'…' repr, nothing for a message
// the bot could not decode. Behind a V18 proxy a gw_id serves one room after
// another: its history is the gateway's. A v1.8.4 launcher records
// nothing (its commands do not reach the bot).
func (s *Server) Chat(key string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.chats[s.handleOf(key)]...)
}

// ChatPanelVisible reports whether the streamed page shows its chat panel.
// BigBlueButton opens the public chat panel when the bot joins and the bot
// leaves it open, so a new stream shows it; each toggle (GET /chat with
// toggle, sendKey "3") flips it. It is false when the stream does not run.
func (s *Server) ChatPanelVisible(key string) bool {
	s.lockAt(s.clock.Now())
	defer s.mu.Unlock()
	_, c := s.findLocked(key)
	return c != nil && c.running && !c.panelHidden
}

// Exit makes the stream's container exit on its own, as when the bot
// crashes or the meeting ends: its slot is freed and its project stays,
// exited, until a stop removes it (or a v1.6+ legacy start prunes it). It
// reports whether a container ran.
func (s *Server) Exit(key string) bool {
	s.lockAt(s.clock.Now())
	h, c := s.findLocked(key)
	ok := c != nil && c.running
	if ok {
		h.exit(c, false)
	}
	s.mu.Unlock()
	s.events.Broadcast()
	return ok
}

// GatewayState returns a V18 proxy's state for a gw_id: "started" (free),
// "working" or "stopped" (free again after the monitor's next pass); ""
// for an unknown gw_id or another version.
func (s *Server) GatewayState(gwID string) string {
	s.lockAt(s.clock.Now())
	defer s.mu.Unlock()
	for _, g := range s.gateways {
		if g.id == bareKey(gwID) {
			return g.state
		}
	}
	return ""
}

// StartCount returns how many start requests the server received,
// whatever their outcome.
func (s *Server) StartCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.starts
}

// StopCount returns how many stop requests (not probes) the server
// received, whatever their outcome.
func (s *Server) StopCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stops
}

// Pending returns how many requests in total have started blocking on a
// start or stop delay or a Hang fault.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.blocked
}

// WaitPending blocks until n requests in total have started blocking on a
// start or stop delay (their timers are armed on the server's clock: a
// mock clock advanced by the delay releases them) or on a Hang fault, or
// until ctx ends.
func (s *Server) WaitPending(ctx context.Context, n int) error {
	return s.events.WaitUntil(ctx, func() bool { return s.Pending() >= n })
}

// WaitAnswered blocks until the server has answered n requests of
// operation op (OpStart, OpStop, OpStatus…) in total, or until ctx ends.
func (s *Server) WaitAnswered(ctx context.Context, op string, n int) error {
	return s.events.WaitUntil(ctx, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.answered[op] >= n
	})
}

// WaitRunning blocks until the stream a key names runs (running true) or
// not (false), or until ctx ends.
func (s *Server) WaitRunning(ctx context.Context, key string, running bool) error {
	return s.events.WaitUntil(ctx, func() bool { return s.IsRunning(key) == running })
}

// SetDockerDown makes the host's Docker daemon unreachable (down true) or
// back: every docker command then fails as the real CLI does ("Cannot
// connect to the Docker daemon…"), and each version answers what its
// code makes of that.
func (s *Server) SetDockerDown(down bool) {
	s.mu.Lock()
	s.dockerDown = down
	s.mu.Unlock()
}

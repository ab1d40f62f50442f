package sipmediagw

import (
	"context"
	"errors"
	"log/slog"
	"unicode/utf8"
)

// State is what a server says of a stream.
type State string

// The states Status reports.
const (
	StateRunning State = "running" // the container is up and streaming
	StateStopped State = "stopped" // the container is gone or exited
	StateUnknown State = "unknown" // the server answered something else
)

// Status is a stream's state as the server reports it.
type Status struct {
	State State
	// Detail is the server's own word: v1.8's gw_state ("started",
	// "working", "up", "down") or its detail ("exited").
	Detail string
	// Progress is v1.7's and v1.8's transcript_progress, when sent.
	Progress string
}

// Start starts streaming p.Room to p.RTMPURL and returns the session to
// persist. A legacy "status: success" is not taken at its word: the
// answer's details decide. Start is never retried. When the start fails
// (other than for busy, unauthorized or rejected answers) or times out,
// the client stops the room or gateway at once, so no container is left
// behind, unless WithCleanupAfterFailedStart(false) was given.
func (c *Client) Start(ctx context.Context, p StartParams) (Session, error) {
	if err := p.validate(c.protocol); err != nil {
		return Session{}, err
	}
	var (
		s   Session
		err error
	)
	if c.protocol == Legacy {
		s, err = c.startLegacy(ctx, &p)
	} else {
		s, err = c.startV18(ctx, &p)
	}
	if err != nil {
		c.logger.LogAttrs(ctx, slog.LevelWarn, "sipmediagw start failed", slog.String("error", err.Error()))
		if c.cleanup && needsCleanup(err) {
			c.cleanupAfterStart(ctx, &p)
		}
		return Session{}, err
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "sipmediagw stream started", slog.Any("session", s))
	return s, nil
}

// needsCleanup tells the failures after which a container may be running.
func needsCleanup(err error) bool {
	return !errors.Is(err, ErrBusy) && !errors.Is(err, ErrUnauthorized) &&
		!errors.Is(err, ErrRejected) && !errors.Is(err, ErrNotSupported)
}

// cleanupAfterStart stops what a failed start may have left, on a context
// of its own: the caller's may be the one that timed out.
func (c *Client) cleanupAfterStart(ctx context.Context, p *StartParams) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), c.stopTimeout)
	defer cancel()
	var err error
	switch c.protocol {
	case Legacy:
		err = c.Stop(ctx, Session{Protocol: Legacy, Room: p.Room})
	case V18Launcher:
		err = c.Stop(ctx, Session{Protocol: V18Launcher, GatewayID: p.GatewayID})
	case V18:
		err = c.stopProxyRoom(ctx, p.Room)
	}
	if err != nil {
		c.logger.LogAttrs(ctx, slog.LevelError, "sipmediagw cleanup after a failed start failed: a container may be left running",
			slog.String("error", err.Error()))
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "sipmediagw cleaned up after a failed start")
}

// Stop stops a session's stream. It is idempotent: every "nothing is
// running" answer is success. Stops are retried on connection errors and
// 5xx answers.
func (c *Client) Stop(ctx context.Context, s Session) error {
	if err := validateSession("stop", c, s); err != nil {
		return err
	}
	var err error
	if c.protocol == Legacy {
		err = c.stopLegacy(ctx, s.Room)
	} else {
		err = c.stopV18(ctx, s.GatewayID)
	}
	if err == nil {
		c.logger.LogAttrs(ctx, slog.LevelInfo, "sipmediagw stream stopped", slog.Any("session", s))
	}
	return err
}

// StopRoom stops the stream of a room when its session was lost (a crash
// between a start and the recording of its session): the legacy launcher
// addresses streams by room anyway, the v1.8 proxy is asked which gateway
// holds the room. A v1.8 launcher knows no rooms: stop its gw_id with Stop.
// Stopping nothing is success.
func (c *Client) StopRoom(ctx context.Context, room string) error {
	switch c.protocol {
	case Legacy:
		return c.Stop(ctx, Session{Protocol: Legacy, Room: room})
	case V18:
		if err := validateRoom("stop", V18, room); err != nil {
			return err
		}
		return c.stopProxyRoom(ctx, room)
	default:
		return &ParamError{Op: "stop", Param: "room", Reason: "a v1.8 launcher stops by gw_id only"}
	}
}

// ToggleChat flips the visibility of the chat panel in the streamed page.
// The servers offer only a blind toggle: keep the desired state yourself
// and toggle only when it differs. Never retried (twice is undone).
func (c *Client) ToggleChat(ctx context.Context, s Session) error {
	if err := validateSession("toggleChat", c, s); err != nil {
		return err
	}
	if c.protocol == Legacy {
		return c.toggleLegacy(ctx, s.Room)
	}
	return c.command(ctx, "toggleChat", s.GatewayID, "sendKey", "3")
}

// SendChat makes the bot post msg in the meeting's public chat, after
// SanitizeChat. An empty message (once sanitized) or one longer than
// MaxChatLen characters is refused. Never retried.
func (c *Client) SendChat(ctx context.Context, s Session, msg string) error {
	const op = "sendChat"
	if err := validateSession(op, c, s); err != nil {
		return err
	}
	clean := SanitizeChat(msg)
	if clean == "" {
		return &ParamError{Op: op, Param: "message", Reason: "empty"}
	}
	if utf8.RuneCountInString(clean) > MaxChatLen {
		return &ParamError{Op: op, Param: "message", Reason: "longer than 500 characters"}
	}
	if c.protocol == Legacy {
		return c.chatLegacy(ctx, s.Room, clean)
	}
	return c.command(ctx, op, s.GatewayID, "sendChat", clean)
}

// Status reports a session's state: v1.7's /progress for the legacy
// launcher (ErrNotSupported before v1.7), /status for v1.8. An unknown
// session gives ErrNotRunning. Retried like Stop.
func (c *Client) Status(ctx context.Context, s Session) (Status, error) {
	if err := validateSession("status", c, s); err != nil {
		return Status{}, err
	}
	if c.protocol == Legacy {
		return c.progressLegacy(ctx, s.Room)
	}
	return c.statusV18(ctx, s.GatewayID)
}

// Probe checks that the server answers and accepts the token, with no
// side effect. It returns nil, an error matching ErrUnauthorized, or the
// transport or response error.
func (c *Client) Probe(ctx context.Context) error {
	switch c.protocol {
	case Legacy:
		return c.probeLegacy(ctx)
	case V18:
		return c.probeProxy(ctx)
	default:
		return c.probeLauncher(ctx)
	}
}

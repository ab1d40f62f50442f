package sipmediagw

import (
	"context"
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
// answer's details decide. Start is never retried.
//
// A start that fails after its request was sent returns a *StartError
// wrapping the cause. Unless the server refused it outright (busy,
// unauthorized, rejected), a container may have been left behind or may
// still be coming up (a launcher goes on after the client gave up), so the
// client stops the room at once and, when the failure left the server's
// side unknown (a timeout, a dropped connection, an unreadable answer),
// keeps stopping it over the cleanup window (WithCleanupWindow) until it
// sees a container stopped. StartError.MayRun reports what it could not
// rule out: then the caller owns StartError.Session and must stop it.
func (c *Client) Start(ctx context.Context, p StartParams) (Session, error) {
	if err := p.validate(c.protocol); err != nil {
		return Session{}, err
	}
	if c.protocol == V18Launcher {
		if err := c.checkLauncherFree(ctx, p.GatewayID); err != nil {
			c.logger.LogAttrs(ctx, slog.LevelWarn, "sipmediagw start refused", slog.String("error", err.Error()))
			return Session{}, &StartError{Session: p.session(c.protocol), Err: err} // nothing was started
		}
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
		se := &StartError{Session: p.session(c.protocol), Err: err}
		switch {
		case !mayHaveLaunched(err):
		case c.cleanup:
			se.MayRun = c.cleanupAfterStart(ctx, &p, sideUnknown(err))
		default:
			se.MayRun = true
		}
		return Session{}, se
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "sipmediagw stream started", slog.Any("session", s))
	return s, nil
}

// Stop stops a session's stream. It is idempotent: every "nothing is
// running" answer is success. Stops are retried on connection errors and
// 5xx answers.
func (c *Client) Stop(ctx context.Context, s Session) error {
	if err := validateSession("stop", c, s); err != nil {
		return err
	}
	_, err := c.stop(ctx, s)
	if err == nil {
		c.logger.LogAttrs(ctx, slog.LevelInfo, "sipmediagw stream stopped", slog.Any("session", s))
	}
	return err
}

// stop stops s and reports whether the server stopped a container.
func (c *Client) stop(ctx context.Context, s Session) (bool, error) {
	if c.protocol == Legacy {
		return c.stopLegacy(ctx, s.Room)
	}
	return c.stopV18(ctx, s.GatewayID)
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
		_, err := c.stopProxyRoom(ctx, room)
		return err
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
		carried, err := c.legacyChat(ctx, clean)
		if err != nil {
			return err
		}
		return c.chatLegacy(ctx, s.Room, carried)
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
	return c.statusV18(ctx, "status", s.GatewayID, s.Room)
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

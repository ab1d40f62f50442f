package webinar

import (
	"context"

	"github.com/bbbcast/bbbcast/sipmediagw"
)

// SessionByRoom is the Session of a webinar owning a stream whose handle
// is unknown (a start that failed without the server's answer, on a v1.8
// proxy, which names the gateway it took only in that answer): the stream
// is stopped by the bot's room.
const SessionByRoom = "by-room"

// ownedSession is the Session a webinar keeps for a stream that a failed
// start may have left running.
func ownedSession(s sipmediagw.Session) string {
	if s.Protocol != sipmediagw.Legacy && s.GatewayID == "" {
		return SessionByRoom
	}
	return s.Handle()
}

// stopStream stops the stream w owns, if any: by its session, or by the
// bot's room when the session is SessionByRoom. Stopping what does not
// run is not an error.
func (s *Service) stopStream(ctx context.Context, w Webinar) error {
	switch w.Session {
	case "":
		return nil
	case SessionByRoom:
		return s.stopByRoom(ctx, w)
	}
	session, client, err := s.sessionClient(ctx, w)
	if err != nil {
		return err
	}
	ctx, cancel := s.stepCtx(ctx)
	defer cancel()
	return client.Stop(ctx, session)
}

// sessionClient returns w's stream session and its gateway's client.
func (s *Service) sessionClient(ctx context.Context, w Webinar) (sipmediagw.Session, *sipmediagw.Client, error) {
	session, err := sipmediagw.ParseSession(w.Session)
	if err != nil {
		return session, nil, err
	}
	_, client, err := s.gatewayClient(ctx, w)
	return session, client, err
}

// stopAnyStream stops whatever stream w may have: by its session, or, when
// none was recorded (a crash between a start and the recording of its
// session), by what the start would have used: the bot's room, or the
// gateway's gw_id on a v1.8 launcher. A webinar never booked has
// none.
func (s *Service) stopAnyStream(ctx context.Context, w Webinar) error {
	if w.Session != "" {
		return s.stopStream(ctx, w)
	}
	if w.GatewayID == 0 {
		return nil
	}
	return s.stopByRoom(ctx, w)
}

// stopByRoom stops the stream a start of w would have started.
func (s *Service) stopByRoom(ctx context.Context, w Webinar) error {
	g, client, err := s.gatewayClient(ctx, w)
	if err != nil {
		return err
	}
	ctx, cancel := s.stepCtx(ctx)
	defer cancel()
	switch client.Protocol() {
	case sipmediagw.V18Launcher:
		return client.Stop(ctx, sipmediagw.Session{Protocol: sipmediagw.V18Launcher, GatewayID: g.Server.LauncherID})
	default:
		return client.StopRoom(ctx, s.botStart(w, g, client.Protocol()).Room)
	}
}

// dropStream stops the stream w owns and, once the gateway confirmed it,
// forgets its session.
func (s *Service) dropStream(ctx context.Context, w Webinar) (Webinar, error) {
	if err := s.stopStream(ctx, w); err != nil {
		return w, err
	}
	return s.save(ctx, w, func(w *Webinar) { w.Session, w.ChatVisible = "", false })
}

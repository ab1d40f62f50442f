package webinar

import (
	"context"
	"errors"
	"log/slog"

	"github.com/bbbcast/bbbcast/sipmediagw"
)

// Reconcile drives the webinars a crash left in a step (Starting,
// StoppingLive, Ending) to a stable state, once nobody holds their lease
// (a dead process's lease expires after LeaseTTL):
//
//   - Starting: whatever stream may run is stopped (by session, or by the
//     bot's room when the session was not recorded) and the webinar is
//     Failed ("interrupted while starting"); its presenter starts it again;
//   - StoppingLive: the stream is stopped again, the webinar LiveStopped;
//   - Ending: the meeting is ended, the stream stopped, the gateway freed,
//     the webinar Ended.
//
// It returns how many webinars it settled. Run it at startup; the watcher
// runs it at every tick.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	if err := s.checkLive(); err != nil {
		return 0, err
	}
	stuck, err := s.store.Webinars(ctx, Query{States: []State{Starting, StoppingLive, Ending}})
	if err != nil {
		return 0, err
	}
	settled := 0
	var errs []error
	for _, w := range stuck {
		_, err := s.drive(ctx, w.ID, func() (Webinar, error) { return s.settle(ctx, w.ID) })
		switch {
		case errors.Is(err, ErrBusy):
			continue // being driven by a live process
		case err != nil:
			errs = append(errs, err)
			s.logger.LogAttrs(ctx, slog.LevelError, "webinar: reconcile failed", slog.Any("webinar", w), slog.String("error", err.Error()))
		default:
			settled++
		}
	}
	return settled, errors.Join(errs...)
}

func (s *Service) settle(ctx context.Context, id string) (Webinar, error) {
	w, err := s.store.Webinar(ctx, id)
	if err != nil {
		return w, err
	}
	s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: settling an interrupted step", slog.Any("webinar", w))
	switch w.State {
	case Starting:
		if err := s.stopAnyStream(ctx, w); err != nil {
			return s.fail(ctx, w, "stopping the stream of an interrupted start", err)
		}
		return s.transition(ctx, w, Failed, func(w *Webinar) {
			w.Session, w.ChatVisible = "", false
			w.FailReason = "interrupted while starting"
		})
	case StoppingLive:
		if err := s.stopAnyStream(ctx, w); err != nil {
			return s.fail(ctx, w, "SIPMediaGW stop", err)
		}
		return s.transition(ctx, w, LiveStopped, func(w *Webinar) { w.Session, w.ChatVisible = "", false })
	case Ending:
		return s.finish(ctx, id, true)
	}
	return w, nil // settled meanwhile
}

// stopAnyStream stops the webinar's stream by its session, or, when none
// was recorded, by what the start would have used: the bot's room, or the
// gw_id (the webinar ID) of a v1.8 launcher.
func (s *Service) stopAnyStream(ctx context.Context, w Webinar) error {
	if w.Session != "" {
		return s.stopStream(ctx, w)
	}
	g, client, err := s.gatewayClient(ctx, w)
	if err != nil {
		return err
	}
	switch client.Protocol() {
	case sipmediagw.V18Launcher:
		return client.Stop(ctx, sipmediagw.Session{Protocol: sipmediagw.V18Launcher, GatewayID: w.ID})
	default:
		return client.StopRoom(ctx, s.botStart(w, g, client.Protocol()).Room)
	}
}

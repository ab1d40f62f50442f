package webinar

import (
	"context"
	"errors"
	"log/slog"

	"github.com/bbbcast/bbbcast/bbb"
)

// End ends the webinar: it stores it Ending and returns it at once; in
// the background (Wait waits) the BBB meeting is ended once, whatever
// stream the webinar may own is stopped (by its session or by the bot's
// room, whatever the state), the gateway is freed and the webinar is
// Ended. When the gateway does not confirm the stop the webinar is Failed,
// still owning the stream and its booking, and End may be called again.
// Ending an ended webinar is not an error.
func (s *Service) End(ctx context.Context, u User, id string) (Webinar, error) {
	return s.operate(ctx, u, id, func(st State) bool { return st == Ended },
		func(ctx context.Context) (Webinar, error) { return s.beginEnd(ctx, id) },
		func(ctx context.Context, _ *run, w Webinar) (Webinar, error) { return s.finish(ctx, w, true) })
}

// beginEnd stores the webinar Ending.
func (s *Service) beginEnd(ctx context.Context, id string) (Webinar, error) {
	w, err := s.store.Webinar(ctx, id)
	switch {
	case err != nil:
		return w, err
	case w.State == Ended:
		return w, errNothingToDo
	case w.State == Ending:
		return w, nil // an interrupted end: finish it
	}
	return s.transition(ctx, w, Ending, nil)
}

// MeetingEnded reacts to the end of a meeting in BBB (the end callback,
// the watcher): once BBB confirms the meeting of that run is over, the
// webinar is stored Ending, and its stream stopped and the webinar ended
// in the background, as End does (without ending the meeting again). A
// meeting BBB says still runs, or one of another run, changes nothing; so
// does an unknown meeting ID (ErrNotFound). It is idempotent.
func (s *Service) MeetingEnded(ctx context.Context, meetingID string) (Webinar, error) {
	if err := s.checkLive(); err != nil {
		return Webinar{}, err
	}
	if meetingID == "" {
		return Webinar{}, ErrNotFound // an empty query would match them all
	}
	list, err := s.store.Webinars(ctx, Query{MeetingID: meetingID})
	if err != nil {
		return Webinar{}, err
	}
	if len(list) == 0 {
		return Webinar{}, ErrNotFound
	}
	w := list[0]
	if w.State == Ended || w.State == Scheduled {
		return w, nil
	}
	over, err := s.meetingOver(ctx, w)
	if err != nil || !over {
		return w, err
	}
	end := func() (Webinar, error) {
		return s.launch(ctx, w.ID, func(ctx context.Context) (Webinar, error) { return s.beginEnd(ctx, w.ID) },
			func(ctx context.Context, _ *run, w Webinar) (Webinar, error) { return s.finish(ctx, w, false) })
	}
	ended, err := end()
	if errors.Is(err, ErrBusy) && s.running(w.ID) {
		// A step of this process (a start finishing) is on it: the end
		// follows it rather than wait for BBB's next call.
		if _, werr := s.Wait(ctx, w.ID); werr != nil && ctx.Err() != nil {
			return w, werr
		}
		ended, err = end()
	}
	return ended, err
}

// meetingOver asks BBB whether the webinar's current run of its meeting
// is over: gone, ended, or replaced by a later run.
func (s *Service) meetingOver(ctx context.Context, w Webinar) (bool, error) {
	ctx, cancel := s.stepCtx(ctx)
	defer cancel()
	m, err := s.bbbFor(&w).GetMeetingInfo(ctx, w.MeetingID)
	switch {
	case errors.Is(err, bbb.ErrNotFound):
		return true, nil
	case err != nil:
		return false, err
	}
	return m.HasBeenForciblyEnded || !m.EndTime.IsZero() || w.CreateTime != 0 && m.CreateTime != w.CreateTime, nil
}

// finish ends a webinar stored Ending: the BBB meeting when endMeeting
// (not when BBB ended it already), the stream it may own, the booking.
func (s *Service) finish(ctx context.Context, w Webinar, endMeeting bool) (Webinar, error) {
	if endMeeting {
		sctx, cancel := s.stepCtx(ctx)
		err := s.bbbFor(&w).End(sctx, w.MeetingID, "")
		cancel()
		if err != nil && !errors.Is(err, bbb.ErrNotFound) {
			return s.fail(ctx, w, "BBB end", err)
		}
	}
	if w.Session != "" || w.CreateTime != 0 {
		if err := s.stopAnyStream(ctx, w); err != nil {
			if w.Session == "" {
				w.Session = SessionByRoom // not seen stopped: still its own
			}
			return s.fail(ctx, w, "SIPMediaGW stop", err)
		}
	}
	if err := s.gateways.Release(ctx, w.ID); err != nil {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: releasing the gateway failed", slog.Any("webinar", w), slog.String("error", err.Error()))
	}
	return s.transition(ctx, w, Ended, func(w *Webinar) { w.Session, w.ChatVisible, w.GatewayID = "", false, 0 })
}

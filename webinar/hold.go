package webinar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
)

// Defaults of the live period.
const (
	// DefaultEarlyStart is how long before its slot a webinar may start.
	DefaultEarlyStart = 30 * time.Minute
	// DefaultOverrun is how long a live may outlast its slot when its
	// gateway is not booked next.
	DefaultOverrun = 15 * time.Minute
	// minHold is the least a start books ahead of now, however late in
	// its slot: the watcher extends a live's booking before it ends.
	minHold = 5 * time.Minute
)

// ErrOutsideWindow is matched by a *WindowError.
var ErrOutsideWindow = errors.New("webinar: outside the period the webinar may stream in")

// WindowError refuses a start outside the period a webinar may stream
// in: from Config.EarlyStart before its slot to Config.Overrun after it.
type WindowError struct {
	Opens, Closes time.Time
	At            time.Time // when the start was asked
}

func (e *WindowError) Error() string {
	if e.At.Before(e.Opens) {
		return "webinar: too early: the webinar may start from " + e.Opens.Format(time.RFC3339)
	}
	return "webinar: too late: the webinar's slot and its overrun ended at " + e.Closes.Format(time.RFC3339)
}

// Unwrap lets errors.Is(err, ErrOutsideWindow) match.
func (e *WindowError) Unwrap() error { return ErrOutsideWindow }

// ErrGatewayBusy is matched by a *GatewayBusyError.
var ErrGatewayBusy = errors.New("webinar: the gateway still carries another webinar's stream")

// GatewayBusyError is a start that found its gateway still carrying the
// stream of another webinar (one that overran its booking), which could
// not be stopped: nothing was launched.
type GatewayBusyError struct {
	GatewayID int64
	Webinar   string // the other webinar
	Err       error  // why its stream could not be stopped
}

func (e *GatewayBusyError) Error() string {
	return fmt.Sprintf("webinar: gateway %d still carries the stream of webinar %s: %v", e.GatewayID, e.Webinar, e.Err)
}

// Unwrap lets errors.Is(err, ErrGatewayBusy) match.
func (e *GatewayBusyError) Unwrap() []error { return []error{ErrGatewayBusy, e.Err} }

// MayStream reports whether a stream may run for w: a step of its live is
// in progress, or a stream it started has not been seen stopped (Session
// is kept until the gateway confirms the stop, in any state).
func (w *Webinar) MayStream() bool {
	return w.State.Streaming() || w.State == Ending || w.Session != ""
}

// liveWindow is when w may stream.
func (s *Service) liveWindow(w *Webinar) gateway.Slot {
	return gateway.Slot{Start: w.Slot.Start.Add(-s.earlyStart), End: w.Slot.End.Add(s.overrun)}
}

// liveHold is what a start of w at now must book: from now (or the slot's
// start) to the slot's end, at least minHold ahead, never past the
// overrun; a *WindowError outside the live window.
func (s *Service) liveHold(w *Webinar, now time.Time) (gateway.Slot, error) {
	win := s.liveWindow(w)
	if now.Before(win.Start) || !now.Before(win.End) {
		return gateway.Slot{}, &WindowError{Opens: win.Start, Closes: win.End, At: now}
	}
	start := w.Slot.Start
	if now.Before(start) {
		start = now
	}
	end := w.Slot.End
	if least := now.Add(minHold); end.Before(least) {
		end = least
	}
	if win.End.Before(end) {
		end = win.End
	}
	return gateway.Slot{Start: start, End: end}, nil
}

func covers(outer, inner gateway.Slot) bool {
	return !inner.Start.Before(outer.Start) && !outer.End.Before(inner.End)
}

// holdGateway makes w's booking cover hold: kept as it is when it does,
// else booked again, on the same gateway when it is free for hold, else on
// another free gateway of the pool (never while a stream of w may run),
// else refused with the *gateway.NoGatewayFreeError. It returns w with its
// gateway, and whether the gateway changed (the audience's HLS URL did).
func (s *Service) holdGateway(ctx context.Context, w Webinar, hold gateway.Slot) (Webinar, bool, error) {
	b, err := s.gateways.Booking(ctx, w.ID)
	switch {
	case err == nil && b.GatewayID == w.GatewayID && covers(b.Slot, hold):
		return w, false, nil
	case err != nil && !errors.Is(err, gateway.ErrNotFound):
		return w, false, err
	}
	if err == nil && b.Slot.Start.Before(hold.Start) && b.GatewayID == w.GatewayID {
		hold.Start = b.Slot.Start // never shorten what is held
	}
	if err == nil && b.Slot.End.After(hold.End) && b.GatewayID == w.GatewayID {
		hold.End = b.Slot.End
	}
	if w.MayStream() && w.GatewayID != 0 {
		b, err = s.gateways.AllocateOn(ctx, w.ID, w.Pool, w.GatewayID, hold)
	} else {
		b, err = s.gateways.Allocate(ctx, w.ID, w.Pool, hold)
	}
	if err != nil {
		s.capacity(ctx, w.ID, err)
		return w, false, err
	}
	moved := b.GatewayID != w.GatewayID
	w.GatewayID = b.GatewayID
	s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar: live period booked", slog.Any("webinar", w),
		slog.String("hold", hold.String()), slog.Bool("moved", moved))
	return w, moved, nil
}

// clearGateway makes sure that no other webinar may stream on w's
// gateway before w launches there. w's booking covers now, so another
// webinar's stream there has outlasted its own booking (an overrun into
// w's slot, or one whose stop failed): it is stopped now, the booked
// webinar first. When it cannot be, the error is a *GatewayBusyError.
func (s *Service) clearGateway(ctx context.Context, w Webinar) error {
	others, err := s.store.Webinars(ctx, Query{GatewayID: w.GatewayID, States: mayStreamStates})
	if err != nil {
		return err
	}
	for _, x := range others {
		if x.ID == w.ID || !x.MayStream() {
			continue
		}
		s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: the gateway still carries another webinar's stream, stopping it",
			slog.Any("webinar", w), slog.Any("other", x))
		if err := s.stopOverrun(ctx, x.ID, "the gateway is booked by the next webinar"); err != nil {
			return &GatewayBusyError{GatewayID: w.GatewayID, Webinar: x.ID, Err: err}
		}
	}
	return nil
}

// mayStreamStates are the states in which a webinar may have a stream.
var mayStreamStates = []State{Starting, Live, StoppingLive, Ending, Failed}

// stopOverrun stops the stream of the webinar id, which runs outside its
// booking, under its lease (waiting for an operation of this process on
// it to end first). A live goes LiveStopped with reason as its last
// error; an interrupted step is settled as Reconcile would.
func (s *Service) stopOverrun(ctx context.Context, id, reason string) error {
	for attempt := 0; ; attempt++ {
		w, err := s.drive(ctx, id, func(ctx context.Context) (Webinar, error) {
			return s.stopOutside(ctx, id, reason)
		})
		switch {
		case errors.Is(err, ErrBusy) && attempt == 0:
			if _, werr := s.Wait(ctx, id); werr != nil && ctx.Err() != nil {
				return werr
			}
			continue
		case err != nil:
			return err
		case w.MayStream():
			return fmt.Errorf("its stream is not stopped (it is %s)", w.State)
		}
		return nil
	}
}

// stopOutside is stopOverrun's step under the lease.
func (s *Service) stopOutside(ctx context.Context, id, reason string) (Webinar, error) {
	w, err := s.store.Webinar(ctx, id)
	if err != nil {
		return w, err
	}
	switch {
	case w.State == Live:
		if w, err = s.transition(ctx, w, StoppingLive, func(w *Webinar) { w.LastError = "live stopped: " + reason }); err != nil {
			return w, err
		}
		return s.stopLiveStep(ctx, w)
	case w.State.Transient():
		return s.settle(ctx, id)
	case w.Session != "":
		return s.dropStream(ctx, w)
	}
	return w, nil
}

// keepHold keeps a live's booking ahead of now, up to the end of its
// overrun, while its gateway is free; once the booking has ended and
// cannot be extended (the gateway is booked next, or the overrun is
// over), the live is stopped. lead is how long before its end a booking
// is extended.
func (s *Service) keepHold(ctx context.Context, w Webinar, now time.Time, lead time.Duration) error {
	limit := w.Slot.End.Add(s.overrun)
	b, err := s.gateways.Booking(ctx, w.ID)
	if err != nil && !errors.Is(err, gateway.ErrNotFound) {
		return err
	}
	held := b.Slot
	if err != nil || b.GatewayID != w.GatewayID {
		held = gateway.Slot{Start: now, End: now} // nothing held there
	}
	if held.End.Before(now.Add(lead)) && held.End.Before(limit) {
		held = s.extendHold(ctx, w, held, limit)
	}
	if now.Before(held.End) {
		return nil
	}
	reason := "the slot ended and its gateway is booked next"
	if !held.End.Before(limit) {
		reason = fmt.Sprintf("the live outlasted its slot by the longest overrun (%s)", s.overrun)
	}
	s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: stopping a live at the end of its booking", slog.Any("webinar", w),
		slog.String("reason", reason))
	_, err = s.drive(ctx, w.ID, func(ctx context.Context) (Webinar, error) { return s.stopOutside(ctx, w.ID, reason) })
	return err
}

// extendHold books w's gateway from held's start up to limit, or up to
// the next booking of the gateway when that comes first and cannot be
// moved away (see makeRoom); it returns what is held then.
func (s *Service) extendHold(ctx context.Context, w Webinar, held gateway.Slot, limit time.Time) gateway.Slot {
	want := gateway.Slot{Start: held.Start, End: limit}
	b, err := s.gateways.AllocateOn(ctx, w.ID, w.Pool, w.GatewayID, want)
	var full *gateway.NoGatewayFreeError
	if errors.As(err, &full) && len(full.Conflicts) > 0 && s.makeRoom(ctx, w, full.Conflicts) {
		b, err = s.gateways.AllocateOn(ctx, w.ID, w.Pool, w.GatewayID, want)
	}
	if errors.As(err, &full) && len(full.Conflicts) > 0 {
		next := full.Conflicts[0].Slot.Start
		for _, c := range full.Conflicts[1:] {
			if c.Slot.Start.Before(next) {
				next = c.Slot.Start
			}
		}
		if !next.After(held.End) {
			return held
		}
		want.End = next
		b, err = s.gateways.AllocateOn(ctx, w.ID, w.Pool, w.GatewayID, want)
	}
	if err != nil {
		s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar: a live's booking cannot be extended", slog.Any("webinar", w),
			slog.String("error", err.Error()))
		return held
	}
	s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar: a live's booking extended", slog.Any("webinar", w),
		slog.String("until", b.Slot.End.Format(time.RFC3339)))
	return b.Slot
}

// makeRoom moves the webinars booked next on a live's gateway to other
// free gateways of their pool, so that the live may overrun: only those
// that have not started (Scheduled, no stream), each under its lease, the
// host told of its new HLS URL. It reports whether all of them moved.
func (s *Service) makeRoom(ctx context.Context, live Webinar, conflicts []gateway.Booking) bool {
	gws, err := s.gateways.Gateways(ctx)
	if err != nil {
		return false
	}
	for _, c := range conflicts {
		moved, err := s.drive(ctx, c.Owner, func(ctx context.Context) (Webinar, error) {
			return s.moveAway(ctx, c.Owner, live.GatewayID, gws)
		})
		if err != nil || moved.GatewayID == live.GatewayID {
			return false
		}
	}
	return true
}

// moveAway books the scheduled webinar id on the first free gateway of its
// pool other than avoid, and records it.
func (s *Service) moveAway(ctx context.Context, id string, avoid int64, gws []gateway.Gateway) (Webinar, error) {
	w, err := s.store.Webinar(ctx, id)
	if err != nil || w.State != Scheduled || w.MayStream() || w.GatewayID != avoid {
		return w, err
	}
	for _, g := range gws {
		if g.ID == avoid || !g.Enabled || g.Pool != w.Pool {
			continue
		}
		if _, err := s.gateways.AllocateOn(ctx, w.ID, w.Pool, g.ID, w.Slot); err != nil {
			continue
		}
		if w, err = s.save(ctx, w, func(w *Webinar) { w.GatewayID = g.ID }); err != nil {
			return w, err
		}
		s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar: moved to another gateway, the one before it overruns",
			slog.Any("webinar", w))
		s.tellLiveEvent(ctx, LiveEventUpdated, w)
		return w, nil
	}
	return w, nil
}

package webinar

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
)

// repairEvery is how often Reconcile checks every booking against the
// webinars (the other checks run at each call).
const repairEvery = 10 * time.Minute

// Reconcile brings the stored webinars back to what the invariants of the
// package documentation say, once nobody holds their lease (a dead
// process's lease expires after LeaseTTL):
//
//   - a step a crash interrupted is settled: Starting, whatever stream may
//     run is stopped (by session, or by the bot's room) and the webinar is
//     Failed ("interrupted while starting"); StoppingLive, the stream is
//     stopped again and the webinar is LiveStopped; Ending, the meeting is
//     ended, the stream stopped, the gateway freed, the webinar Ended;
//   - a Failed webinar that still owns a stream (its stop failed) has it
//     stopped again, and forgets it once the gateway confirms;
//   - every ten minutes (and at its first call): a scheduled webinar
//     without a gateway (a crash inside Create) gets its booking back, a
//     gateway booked again, or goes Failed when none is free; a webinar
//     whose gateway differs from its booking's (and owns no stream) takes
//     the booking's; a booking whose webinar is gone is released.
//
// It returns how many webinars it settled or repaired. Run it at startup;
// the watcher runs it at every tick.
func (s *Service) Reconcile(ctx context.Context) (int, error) {
	if err := s.checkLive(); err != nil {
		return 0, err
	}
	stuck, err := s.store.Webinars(ctx, Query{States: []State{Starting, StoppingLive, Ending, Failed}})
	if err != nil {
		return 0, err
	}
	fixed := 0
	var errs []error
	for _, w := range stuck {
		if w.State == Failed && w.Session == "" {
			continue
		}
		_, err := s.drive(ctx, w.ID, func(ctx context.Context) (Webinar, error) { return s.settle(ctx, w.ID) })
		switch {
		case errors.Is(err, ErrBusy):
			continue // being driven by a live process
		case err != nil:
			errs = append(errs, err)
			s.logger.LogAttrs(ctx, slog.LevelError, "webinar: reconcile failed", slog.Any("webinar", w), slog.String("error", err.Error()))
		default:
			fixed++
		}
	}
	if s.repairDue() {
		n, err := s.repair(ctx)
		fixed += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return fixed, errors.Join(errs...)
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
			return s.failOwning(ctx, w, "stopping the stream of an interrupted start", err)
		}
		return s.transition(ctx, w, Failed, func(w *Webinar) {
			w.Session, w.ChatVisible = "", false
			w.FailReason = "interrupted while starting"
		})
	case StoppingLive:
		if err := s.stopAnyStream(ctx, w); err != nil {
			return s.failOwning(ctx, w, "SIPMediaGW stop", err)
		}
		return s.transition(ctx, w, LiveStopped, func(w *Webinar) { w.Session, w.ChatVisible = "", false })
	case Ending:
		return s.finish(ctx, w, true)
	case Failed:
		if w.Session != "" {
			return s.dropStream(ctx, w)
		}
	}
	return w, nil // settled meanwhile
}

// failOwning fails w after a stop that did not happen: w keeps the
// stream, by its session or by room.
func (s *Service) failOwning(ctx context.Context, w Webinar, step string, err error) (Webinar, error) {
	if w.Session == "" {
		w.Session = SessionByRoom
	}
	return s.fail(ctx, w, step, err)
}

// repairDue reports whether the bookings' repair should run now.
func (s *Service) repairDue() bool {
	now := s.clock.Now()
	s.sweepMu.Lock()
	defer s.sweepMu.Unlock()
	if !s.lastSweep.IsZero() && now.Sub(s.lastSweep) < repairEvery {
		return false
	}
	s.lastSweep = now
	return true
}

// repair fixes what a crash between a webinar's record and its booking
// leaves: scheduled webinars without a gateway, gateways that differ from
// the booking's, bookings without a webinar.
func (s *Service) repair(ctx context.Context) (int, error) {
	now := s.clock.Now()
	future := gateway.Slot{Start: now, End: gateway.MaxTime}
	list, err := s.store.Webinars(ctx, Query{Window: &future})
	if err != nil {
		return 0, err
	}
	fixed := 0
	var errs []error
	known := make(map[string]bool, len(list))
	for _, w := range list {
		known[w.ID] = true
		if w.State == Ended || w.State == Failed && w.GatewayID == 0 {
			continue
		}
		b, err := s.gateways.Booking(ctx, w.ID)
		switch {
		case err == nil && b.GatewayID == w.GatewayID:
			continue
		case err != nil && !errors.Is(err, gateway.ErrNotFound):
			errs = append(errs, err)
			continue
		case w.MayStream() || w.State != Scheduled && err != nil:
			continue // a live's booking is the watcher's; a meeting run without one is Start's
		}
		_, err = s.drive(ctx, w.ID, func(ctx context.Context) (Webinar, error) { return s.rebook(ctx, w.ID) })
		switch {
		case errors.Is(err, ErrBusy):
		case err != nil:
			errs = append(errs, err)
		default:
			fixed++
		}
	}
	n, err := s.releaseOrphans(ctx, future, known)
	fixed += n
	if err != nil {
		errs = append(errs, err)
	}
	return fixed, errors.Join(errs...)
}

// rebook gives a webinar without a stream the booking its record lacks:
// its booking's gateway when it has one, else a new allocation; when no
// gateway is free the webinar goes Failed and the host is told.
func (s *Service) rebook(ctx context.Context, id string) (Webinar, error) {
	w, err := s.store.Webinar(ctx, id)
	if err != nil || w.MayStream() || w.State == Ended {
		return w, err
	}
	b, err := s.gateways.Booking(ctx, w.ID)
	switch {
	case err == nil:
	case errors.Is(err, gateway.ErrNotFound):
		if b, err = s.gateways.Allocate(ctx, w.ID, w.Pool, w.Slot); err != nil {
			s.capacity(ctx, w.ID, err)
			if w.State == Scheduled {
				return s.fail(ctx, w, "booking a gateway", err)
			}
			return w, err
		}
	default:
		return w, err
	}
	if b.GatewayID == w.GatewayID {
		return w, nil
	}
	s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: gateway repaired from its booking", slog.Any("webinar", w),
		slog.Int64("booked", b.GatewayID))
	if w, err = s.save(ctx, w, func(w *Webinar) { w.GatewayID = b.GatewayID }); err != nil {
		return w, err
	}
	s.tellLiveEvent(ctx, LiveEventUpdated, w)
	return w, nil
}

// releaseOrphans releases the bookings overlapping window whose webinar
// is gone (a crash inside Delete); known lists webinars that exist.
func (s *Service) releaseOrphans(ctx context.Context, window gateway.Slot, known map[string]bool) (int, error) {
	gws, err := s.gateways.Gateways(ctx)
	if err != nil {
		return 0, err
	}
	released := 0
	var errs []error
	for _, g := range gws {
		bookings, err := s.gateways.Bookings(ctx, g.ID, window)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, b := range bookings {
			if known[b.Owner] {
				continue
			}
			if _, err := s.store.Webinar(ctx, b.Owner); !errors.Is(err, ErrNotFound) {
				if err != nil {
					errs = append(errs, err)
				}
				continue // a webinar whose slot is over, holding on (an overrun)
			}
			s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: releasing a booking without a webinar", slog.Any("booking", b))
			if err := s.gateways.Release(ctx, b.Owner); err != nil {
				errs = append(errs, err)
				continue
			}
			released++
		}
	}
	return released, errors.Join(errs...)
}

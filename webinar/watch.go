package webinar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/bbbcast/bbbcast/internal/ctxguard"
)

// DefaultWatchInterval is the watcher's period.
const DefaultWatchInterval = 30 * time.Second

// WatchOptions tune the watcher.
type WatchOptions struct {
	// Interval between ticks (DefaultWatchInterval when 0).
	Interval time.Duration
	// OnTick, when set, is called by Watch once its ticker runs and after
	// every tick (metrics, tests).
	OnTick func(error)
}

// Watch runs Tick every interval on the Service's clock until ctx ends,
// after a first Reconcile. Errors are logged, not fatal.
func (s *Service) Watch(ctx context.Context, o WatchOptions) error {
	if err := s.checkLive(); err != nil {
		return err
	}
	if err := ctxguard.Check(ctx); err != nil {
		return err
	}
	if o.Interval <= 0 {
		o.Interval = DefaultWatchInterval
	}
	if _, err := s.Reconcile(ctx); err != nil {
		s.logger.LogAttrs(ctx, slog.LevelError, "webinar: reconcile failed", slog.String("error", err.Error()))
	}
	t := s.clock.Ticker(o.Interval)
	defer t.Stop()
	if o.OnTick != nil {
		o.OnTick(nil)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			err := s.Tick(ctx, o)
			if err != nil {
				s.logger.LogAttrs(ctx, slog.LevelError, "webinar: watcher tick failed", slog.String("error", err.Error()))
			}
			if o.OnTick != nil {
				o.OnTick(err)
			}
		}
	}
}

// Tick is one pass of the watcher: one getMeetings per BBB server
// answers, for every webinar with a meeting there, whether it still runs;
// a meeting missing twice in a row (or ended) ends its webinar through
// MeetingEnded, which asks BBB once more. A live's booking is extended
// ahead of its end while its gateway is free, up to Config.Overrun past
// its slot; a live whose booking has ended is stopped (see the package
// documentation). Then Reconcile runs.
func (s *Service) Tick(ctx context.Context, o WatchOptions) error {
	if err := s.checkLive(); err != nil {
		return err
	}
	if o.Interval <= 0 {
		o.Interval = DefaultWatchInterval
	}
	running, err := s.store.Webinars(ctx, Query{States: []State{Live, LiveStopped}})
	if err != nil {
		return err
	}
	var errs []error
	byServer := map[string][]Webinar{}
	for _, w := range running {
		byServer[w.Server] = append(byServer[w.Server], w)
	}
	ending := map[string]bool{}
	for server, list := range byServer {
		present, err := s.runningMeetings(ctx, &list[0])
		if err != nil {
			errs = append(errs, fmt.Errorf("BBB server %q: %w", server, err))
			continue
		}
		for _, w := range list {
			if s.missed(w.ID, present[w.MeetingID]) >= 2 {
				ending[w.ID] = true
				if _, err := s.MeetingEnded(ctx, w.MeetingID); err != nil && !errors.Is(err, ErrBusy) {
					errs = append(errs, err)
				}
			}
		}
	}
	s.forgetMisses(running)
	// Bookings are kept whether BBB answered or not.
	now := s.clock.Now()
	for _, w := range running {
		if w.State != Live || ending[w.ID] {
			continue
		}
		if err := s.keepHold(ctx, w, now, 2*o.Interval); err != nil && !errors.Is(err, ErrBusy) {
			errs = append(errs, err)
		}
	}
	if _, err := s.Reconcile(ctx); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// runningMeetings asks w's BBB server, in one getMeetings, which meetings
// run (ended ones do not).
func (s *Service) runningMeetings(ctx context.Context, w *Webinar) (map[string]bool, error) {
	meetings, err := s.bbbFor(w).MeetingStatuses(ctx)
	if err != nil {
		return nil, err
	}
	present := make(map[string]bool, len(meetings))
	for i := range meetings {
		if !meetings[i].Ended() {
			present[meetings[i].MeetingID] = true
		}
	}
	return present, nil
}

// missed counts the consecutive ticks a webinar's meeting was missing.
func (s *Service) missed(id string, present bool) int {
	s.missMu.Lock()
	defer s.missMu.Unlock()
	if present {
		delete(s.misses, id)
		return 0
	}
	s.misses[id]++
	return s.misses[id]
}

// forgetMisses drops the counts of webinars no longer watched.
func (s *Service) forgetMisses(watched []Webinar) {
	keep := make(map[string]bool, len(watched))
	for _, w := range watched {
		keep[w.ID] = true
	}
	s.missMu.Lock()
	defer s.missMu.Unlock()
	for id := range s.misses {
		if !keep[id] {
			delete(s.misses, id)
		}
	}
}

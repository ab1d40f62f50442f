package webinar

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/bbbcast/bbbcast/internal/ctxguard"
)

// Errors of driving a webinar.
var (
	// ErrBusy: another process, or another operation of this one, is
	// driving the webinar right now.
	ErrBusy = errors.New("webinar: another operation is driving this webinar")
	// ErrLeaseLost: the operation stopped because this process no longer
	// held the webinar's lease (it could not renew it in time, and
	// another process may have taken it over). Reconcile settles the
	// step it left.
	ErrLeaseLost = errors.New("webinar: the webinar's lease was lost")
	// ErrClosed: the Service was closed.
	ErrClosed = errors.New("webinar: service closed")
	// ErrNilContext: a call was given a nil context; nothing was done.
	ErrNilContext = ctxguard.ErrNil
)

// errNothingToDo ends an operation whose begin found the webinar where
// the operation would take it: it returns the webinar, without error.
var errNothingToDo = errors.New("webinar: nothing to do")

func leaseKey(id string) string { return "webinar:" + id }

// run is one operation driving a webinar under its lease: one per webinar
// in a process (the lease is the process's, so the process keeps its own
// goroutines apart), one process per webinar (the lease).
type run struct {
	id     string
	ctx    context.Context // cancelled when the lease is lost or the Service closes
	cancel context.CancelCauseFunc
	done   chan struct{} // closed once the operation ended and the lease was released
	// meeting is closed once the BBB meeting of a start was created (or
	// the operation ended): what a presenter's join link waits for.
	meeting chan struct{}
	w       Webinar
	err     error
	ended   time.Time // on the Service's clock, once done
}

// keepOutcome is how long Wait can still tell an ended operation's error.
const keepOutcome = 10 * time.Minute

// claim marks id as driven by this process and takes its lease, renewed
// in the background (every third of LeaseTTL) until release. The run's
// context is the Service's, not ctx: a background operation outlives the
// request that began it. It is cancelled, with cause ErrLeaseLost, when a
// renewal finds the lease taken or cannot renew it before it expires.
func (s *Service) claim(ctx context.Context, id string) (*run, error) {
	if err := ctxguard.Check(ctx); err != nil {
		return nil, err
	}
	s.runsMu.Lock()
	switch {
	case s.closed:
		s.runsMu.Unlock()
		return nil, ErrClosed
	case s.runs[id] != nil:
		s.runsMu.Unlock()
		return nil, ErrBusy
	}
	rctx, cancel := context.WithCancelCause(s.bgCtx)
	r := &run{id: id, ctx: rctx, cancel: cancel, done: make(chan struct{}), meeting: make(chan struct{})}
	s.runs[id] = r
	s.pruneEndedLocked()
	s.bg.Add(1)
	s.runsMu.Unlock()

	ok, err := s.store.AcquireLease(ctx, leaseKey(id), s.holder, s.leaseTTL, s.clock.Now())
	if err == nil && !ok {
		err = ErrBusy
	}
	if err != nil {
		s.forget(r, false)
		return nil, err
	}
	go s.heartbeat(r)
	return r, nil
}

// heartbeat renews r's lease until r ends, and cancels r when the lease
// is lost.
func (s *Service) heartbeat(r *run) {
	t := s.clock.Ticker(s.leaseTTL / 3)
	defer t.Stop()
	renewed := s.clock.Now()
	for {
		select {
		case <-r.ctx.Done():
			return
		case <-t.C:
		}
		now := s.clock.Now()
		ok, err := s.store.AcquireLease(r.ctx, leaseKey(r.id), s.holder, s.leaseTTL, now)
		switch {
		case err == nil && ok:
			renewed = now
			continue
		case err == nil || now.Sub(renewed) >= s.leaseTTL:
			s.logger.LogAttrs(r.ctx, slog.LevelError, "webinar: lease lost, stopping the operation", slog.String("webinar", r.id))
			r.cancel(ErrLeaseLost)
			return
		default:
			s.logger.LogAttrs(r.ctx, slog.LevelWarn, "webinar: renewing a lease failed", slog.String("webinar", r.id),
				slog.String("error", err.Error()))
		}
	}
}

// finish records the operation's outcome, for Wait.
func (r *run) finish(w Webinar, err error) {
	r.w, r.err = w, err
}

// forget removes r from the running operations, releasing its lease when
// held.
func (s *Service) forget(r *run, held bool) {
	r.cancel(nil)
	if held {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(s.bgCtx), 10*time.Second)
		if err := s.store.ReleaseLease(ctx, leaseKey(r.id), s.holder); err != nil {
			s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: releasing a lease failed", slog.String("webinar", r.id),
				slog.String("error", err.Error()))
		}
		cancel()
	}
	r.ended = s.clock.Now()
	s.runsMu.Lock()
	delete(s.runs, r.id)
	s.ended[r.id] = r
	s.runsMu.Unlock()
	closeOnce(r.meeting)
	close(r.done)
	s.bg.Done()
}

// pruneEndedLocked forgets the outcomes older than keepOutcome.
func (s *Service) pruneEndedLocked() {
	now := s.clock.Now()
	for id, r := range s.ended {
		if now.Sub(r.ended) > keepOutcome {
			delete(s.ended, id)
		}
	}
}

func closeOnce(c chan struct{}) {
	select {
	case <-c:
	default:
		close(c)
	}
}

// opErr is the error an operation reports: the cause of its context's
// end when that is what stopped it (a lost lease, a closed Service).
func opErr(ctx context.Context, err error) error {
	if err != nil && ctx.Err() != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			return errors.Join(cause, err)
		}
	}
	return err
}

// drive runs f on the webinar id under its lease and returns when f does.
func (s *Service) drive(ctx context.Context, id string, f func(ctx context.Context) (Webinar, error)) (Webinar, error) {
	r, err := s.claim(ctx, id)
	if err != nil {
		return Webinar{}, err
	}
	defer s.forget(r, true)
	// f stops at ctx's end or r's, whichever comes first.
	fctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	stop := context.AfterFunc(r.ctx, func() { cancel(context.Cause(r.ctx)) })
	defer stop()
	w, err := f(fctx)
	err = opErr(fctx, err)
	r.finish(w, err)
	return w, err
}

// launch begins an operation on the webinar id under its lease: begin
// runs at once and stores the transition (its error is returned, and
// nothing else runs); then rest finishes the operation in the
// background, still under the lease, and the stored transition is
// returned without waiting. Wait waits for rest.
func (s *Service) launch(ctx context.Context, id string, begin func(ctx context.Context) (Webinar, error),
	rest func(ctx context.Context, r *run, w Webinar) (Webinar, error)) (Webinar, error) {
	r, err := s.claim(ctx, id)
	if err != nil {
		return Webinar{}, err
	}
	w, err := begin(ctx)
	if err != nil {
		if errors.Is(err, errNothingToDo) {
			err = nil
		}
		r.finish(w, err)
		s.forget(r, true)
		return w, err
	}
	go func() {
		defer s.forget(r, true)
		done, err := rest(r.ctx, r, w)
		err = opErr(r.ctx, err)
		if err != nil && !errors.Is(err, ErrLeaseLost) && !errors.Is(err, ErrClosed) {
			s.logger.LogAttrs(r.ctx, slog.LevelWarn, "webinar: operation failed", slog.Any("webinar", done), slog.String("error", err.Error()))
		}
		r.finish(done, err)
	}()
	return w, nil
}

// Wait waits for the operation this process runs on the webinar id
// (Start, StopLive, RestartLive, End, MeetingEnded, Reconcile's) to end,
// and returns the webinar as it left it and the operation's error; an
// operation that ended in the last ten minutes is told as well. Otherwise
// it returns the stored webinar at once. It is the waiting form of the
// lifecycle calls, for scripts and tests:
//
//	if _, err := svc.Start(ctx, u, id); err != nil { … }
//	w, err := svc.Wait(ctx, id) // live, or the reason it is not
func (s *Service) Wait(ctx context.Context, id string) (Webinar, error) {
	if err := ctxguard.Check(ctx); err != nil {
		return Webinar{}, err
	}
	s.runsMu.Lock()
	r := s.runs[id]
	if r == nil {
		r = s.ended[id]
	}
	s.runsMu.Unlock()
	if r == nil {
		return s.store.Webinar(ctx, id)
	}
	select {
	case <-r.done:
	case <-ctx.Done():
		return Webinar{}, ctx.Err()
	}
	if r.err != nil {
		return r.w, r.err
	}
	return s.store.Webinar(ctx, id)
}

// running reports whether an operation of this process drives id.
func (s *Service) running(id string) bool {
	s.runsMu.Lock()
	defer s.runsMu.Unlock()
	return s.runs[id] != nil
}

// waitMeeting waits until the running start of id has created its BBB
// meeting, or ended.
func (s *Service) waitMeeting(ctx context.Context, id string) error {
	s.runsMu.Lock()
	r := s.runs[id]
	s.runsMu.Unlock()
	if r == nil {
		return nil
	}
	select {
	case <-r.meeting:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops taking new operations and waits for the running ones to
// end, until ctx ends. Then it cancels those still running: each stops
// before its next side effect and releases its lease, leaving its step
// stored (Starting, StoppingLive, Ending) for Reconcile, in this process
// or another, to settle. It returns ctx's error when it had to cancel.
func (s *Service) Close(ctx context.Context) error {
	if err := ctxguard.Check(ctx); err != nil {
		return err
	}
	s.runsMu.Lock()
	s.closed = true
	s.runsMu.Unlock()
	done := make(chan struct{})
	go func() {
		s.bg.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.bgCancel(ErrClosed)
		return nil
	case <-ctx.Done():
		s.bgCancel(ErrClosed)
		<-done
		return ctx.Err()
	}
}

package webinar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// Errors of the live operations.
var (
	// ErrNotConfigured: the Service lacks what running webinars needs
	// (Config.BBB, PublicURL, Callbacks).
	ErrNotConfigured = errors.New("webinar: not configured to run webinars")
	// ErrStartFailed: a start failed before the BBB meeting was created;
	// the webinar's FailReason says why.
	ErrStartFailed = errors.New("webinar: the webinar could not start")
	// ErrNotStarted: the webinar's meeting does not run (PresenterLink).
	ErrNotStarted = errors.New("webinar: the webinar has not started")
)

// DefaultSIPMediaGW makes the client of a gateway's SIPMediaGW server from
// its settings, allowing plain HTTP and weak tokens when the gateway is
// marked insecure.
func DefaultSIPMediaGW(g gateway.Gateway) (*sipmediagw.Client, error) {
	opts := []sipmediagw.Option{sipmediagw.WithProtocol(g.Server.Protocol)}
	if g.Server.Insecure {
		opts = append(opts, sipmediagw.WithInsecureHTTP(), sipmediagw.WithInsecureToken())
	}
	return sipmediagw.NewClient(g.Server.URL, g.Server.Token.Reveal(), opts...)
}

func (s *Service) checkLive() error {
	if len(s.bbb) == 0 || s.publicURL == "" || s.callbacks == nil {
		return ErrNotConfigured
	}
	return nil
}

// bbbFor returns the client of the webinar's BBB server (the default one
// when its server was removed from the configuration).
func (s *Service) bbbFor(w *Webinar) *bbb.Client {
	if c, ok := s.bbb[w.Server]; ok {
		return c
	}
	return s.bbb[""]
}

// stepCtx bounds one remote call of an operation by StepTimeout.
func (s *Service) stepCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.step)
}

// transition stores w in state to, after the changes of mutate, with a
// compare-and-set, before any side effect of the new state, and tells
// the host.
func (s *Service) transition(ctx context.Context, w Webinar, to State, mutate func(*Webinar)) (Webinar, error) {
	if err := w.State.Check(to); err != nil {
		return w, err
	}
	from := w.State
	w.State = to
	if to.Transient() {
		w.LastError = "" // an operation begins: the last one's message goes
	}
	if mutate != nil {
		mutate(&w)
	}
	w.UpdatedAt = s.clock.Now()
	updated, err := s.store.UpdateWebinar(ctx, w)
	if err != nil {
		return w, err
	}
	s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar state changed", slog.Any("webinar", updated), slog.String("from", string(from)))
	s.notifier.Notify(ctx, Event{Kind: StateChanged, WebinarID: w.ID, From: from, To: to})
	return updated, nil
}

// save stores changes that do not move the state.
func (s *Service) save(ctx context.Context, w Webinar, mutate func(*Webinar)) (Webinar, error) {
	mutate(&w)
	w.UpdatedAt = s.clock.Now()
	return s.store.UpdateWebinar(ctx, w)
}

// fail records a failed step: the webinar goes Failed with reason (its
// Session, the stream it may still own, kept as w has it), and the host
// hears of the error.
func (s *Service) fail(ctx context.Context, w Webinar, step string, cause error) (Webinar, error) {
	reason := step + ": " + cause.Error()
	s.notifier.Notify(ctx, Event{Kind: ErrorOccurred, WebinarID: w.ID, Err: cause})
	failed, err := s.transition(ctx, w, Failed, func(w *Webinar) { w.FailReason, w.LastError = reason, reason })
	if err != nil {
		return w, errors.Join(fmt.Errorf("webinar: %s: %w", step, cause), err)
	}
	return failed, fmt.Errorf("webinar: %s: %w", step, cause)
}

// loadManaged reads a webinar u may manage.
func (s *Service) loadManaged(ctx context.Context, u User, id string) (Webinar, error) {
	w, err := s.store.Webinar(ctx, id)
	if err != nil {
		return Webinar{}, err
	}
	if !s.policy.CanManage(u, &w) {
		return Webinar{}, ErrForbidden
	}
	return w, nil
}

// Start starts the webinar: it books the live period (see the package
// documentation: early starts and late ones move the booking, or are
// refused with a *gateway.NoGatewayFreeError or a *WindowError), stores
// the webinar Starting and returns it at once. In the background, under
// the webinar's lease, it creates the BBB meeting (with a signed end
// callback, guests always accepted), starts the stream on the webinar's
// gateway, shows or hides the chat panel as wanted, and the webinar goes
// Live; a step that fails leaves it Failed with the reason, owning any
// stream that may have come up. Wait waits for the end; the Notifier hears
// of each state. Start is idempotent: a webinar starting or live is
// returned as it is, nothing is restarted.
func (s *Service) Start(ctx context.Context, u User, id string) (Webinar, error) {
	return s.operate(ctx, u, id, func(st State) bool { return st == Live || st == Starting },
		func(ctx context.Context) (Webinar, error) { return s.beginStart(ctx, id) }, s.finishStart)
}

// operate is a presenter's lifecycle call: u must manage the webinar id,
// which is returned as it is when there (a state there says), else the
// operation begins (see launch).
func (s *Service) operate(ctx context.Context, u User, id string, there func(State) bool,
	begin func(ctx context.Context) (Webinar, error), rest func(ctx context.Context, r *run, w Webinar) (Webinar, error)) (Webinar, error) {
	if err := s.checkLive(); err != nil {
		return Webinar{}, err
	}
	w, err := s.loadManaged(ctx, u, id)
	if err != nil {
		return Webinar{}, err
	}
	if there(w.State) {
		return w, nil
	}
	return s.launch(ctx, id, begin, rest)
}

// beginStart books the live period and stores the webinar Starting.
func (s *Service) beginStart(ctx context.Context, id string) (Webinar, error) {
	w, err := s.store.Webinar(ctx, id) // again, under the lease
	if err != nil {
		return Webinar{}, err
	}
	if w.State == Live || w.State == Starting {
		return w, errNothingToDo
	}
	return s.holdAndStart(ctx, w)
}

// holdAndStart books w's live period from now and stores it Starting.
func (s *Service) holdAndStart(ctx context.Context, w Webinar) (Webinar, error) {
	if err := w.State.Check(Starting); err != nil {
		return w, err
	}
	hold, err := s.liveHold(&w, s.clock.Now())
	if err != nil {
		return w, err
	}
	w, moved, err := s.holdGateway(ctx, w, hold)
	if err != nil {
		return w, err
	}
	// A new run: the meeting's createTime is the new meeting's.
	w, err = s.transition(ctx, w, Starting, func(w *Webinar) { w.FailReason, w.CreateTime = "", 0 })
	if err != nil {
		return w, err
	}
	if moved {
		s.tellLiveEvent(ctx, LiveEventUpdated, w) // the HLS URL changed
	}
	return w, nil
}

// finishStart is the background part of a start.
func (s *Service) finishStart(ctx context.Context, r *run, w Webinar) (Webinar, error) {
	var err error
	if w.Session != "" { // an earlier run's stream, not seen stopped yet
		if w, err = s.dropStream(ctx, w); err != nil {
			return s.fail(ctx, w, "stopping the previous stream", err)
		}
	}
	// A fresh credential for the bot's page of this run: an earlier run's
	// URL no longer opens it. (Only now: a stream of an earlier run is
	// stopped by the room its start used.)
	if w, err = s.save(ctx, w, func(w *Webinar) { w.BotSecret = newBotSecret() }); err != nil {
		return w, err
	}
	params, err := s.meetingParams(&w)
	if err != nil {
		return s.fail(ctx, w, "meeting parameters", err)
	}
	created, err := s.createMeeting(ctx, w, params)
	if err != nil {
		return s.fail(ctx, w, "BBB create", err)
	}
	if w, err = s.save(ctx, w, func(w *Webinar) { w.CreateTime = created.CreateTime }); err != nil {
		return w, err
	}
	closeOnce(r.meeting)
	if err := s.clearGateway(ctx, w); err != nil {
		return s.fail(ctx, w, "gateway", err)
	}
	g, client, err := s.gatewayClient(ctx, w)
	if err != nil {
		return s.fail(ctx, w, "gateway", err)
	}
	if err := ctx.Err(); err != nil {
		return w, err // lost the lease or closing: Reconcile settles Starting
	}
	sctx, cancel := s.stepCtx(ctx)
	session, err := client.Start(sctx, s.botStart(w, g, client.Protocol()))
	cancel()
	if err != nil {
		var se *sipmediagw.StartError
		if errors.As(err, &se) && se.MayRun {
			w.Session = ownedSession(se.Session) // it may run: the webinar owns it until seen stopped
		}
		return s.fail(ctx, w, "SIPMediaGW start", err)
	}
	// The bot's page opens with BBB's public chat shown.
	if w, err = s.save(ctx, w, func(w *Webinar) { w.Session, w.ChatVisible = session.Handle(), true }); err != nil {
		return w, err
	}
	w = s.syncChat(ctx, w, client, session)
	return s.transition(ctx, w, Live, nil)
}

func (s *Service) gatewayClient(ctx context.Context, w Webinar) (gateway.Gateway, *sipmediagw.Client, error) {
	if w.GatewayID == 0 {
		return gateway.Gateway{}, nil, errors.New("no gateway booked")
	}
	g, err := s.gateways.Gateway(ctx, w.GatewayID)
	if err != nil {
		return g, nil, err
	}
	c, err := s.sip.get(g)
	return g, c, err
}

// BotPagePath is where, under PublicURL, the streaming bot's page of a
// webinar lives: /bot/{id}/{secret}/{room}. The URL is a credential.
func BotPagePath(w *Webinar) string {
	return "/bot/" + w.ID + "/" + w.BotSecret.Reveal() + "/" + w.BotRoom
}

// botStart tells the bot where its page is: the legacy bot opens
// https://{Domain}/{Room}, so Domain is the page's URL less the scheme and
// the room; a v1.8 bot opens the room as a path on the domain its gateway
// host configures, which must be PublicURL's host and path.
func (s *Service) botStart(w Webinar, g gateway.Gateway, p sipmediagw.Protocol) sipmediagw.StartParams {
	page := s.publicURL + BotPagePath(&w)
	params := sipmediagw.StartParams{RTMPURL: g.RTMPURL.Reveal(), GatewayID: g.Server.LauncherID}
	if p == sipmediagw.Legacy {
		u, _ := url.Parse(page)
		params.Room = w.BotRoom
		params.Domain = u.Host + strings.TrimSuffix(u.EscapedPath(), "/"+w.BotRoom)
	} else {
		params.Room = strings.TrimPrefix(BotPagePath(&w), "/")
	}
	return params
}

// syncChat toggles the chat panel when the stream's differs from the
// wanted one. A failed toggle is recorded, not fatal.
func (s *Service) syncChat(ctx context.Context, w Webinar, client *sipmediagw.Client, session sipmediagw.Session) Webinar {
	if w.ChatVisible == w.ChatShown {
		return w
	}
	sctx, cancel := s.stepCtx(ctx)
	err := client.ToggleChat(sctx, session)
	cancel()
	if err != nil {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: chat toggle failed", slog.Any("webinar", w), slog.String("error", err.Error()))
		saved, serr := s.save(ctx, w, func(w *Webinar) { w.LastError = "chat toggle: " + err.Error() })
		if serr != nil {
			return w
		}
		return saved
	}
	saved, err := s.save(ctx, w, func(w *Webinar) { w.ChatVisible = w.ChatShown })
	if err != nil {
		return w
	}
	return saved
}

// StopLive stops the stream; the meeting goes on. It stores the webinar
// StoppingLive and returns it at once; the stream is stopped in the
// background (Wait waits), then the webinar is LiveStopped, or Failed,
// still owning the stream, when the gateway did not stop it. Stopping a
// stopped stream is not an error.
func (s *Service) StopLive(ctx context.Context, u User, id string) (Webinar, error) {
	return s.operate(ctx, u, id, func(st State) bool { return st == LiveStopped }, func(ctx context.Context) (Webinar, error) {
		w, err := s.store.Webinar(ctx, id)
		if err != nil {
			return w, err
		}
		if w.State == LiveStopped {
			return w, errNothingToDo
		}
		return s.transition(ctx, w, StoppingLive, nil)
	}, func(ctx context.Context, _ *run, w Webinar) (Webinar, error) { return s.stopLiveStep(ctx, w) })
}

// stopLiveStep stops the stream of a webinar StoppingLive.
func (s *Service) stopLiveStep(ctx context.Context, w Webinar) (Webinar, error) {
	if err := s.stopStream(ctx, w); err != nil {
		return s.fail(ctx, w, "SIPMediaGW stop", err)
	}
	return s.transition(ctx, w, LiveStopped, func(w *Webinar) { w.Session, w.ChatVisible = "", false })
}

// RestartLive stops the stream and starts it again, without sleeping in
// between: it stores the first step and returns at once; the rest runs
// in the background (Wait waits), its progress showing in the states the
// webinar goes through. A webinar whose stream is not live is started.
func (s *Service) RestartLive(ctx context.Context, u User, id string) (Webinar, error) {
	return s.operate(ctx, u, id, func(State) bool { return false }, func(ctx context.Context) (Webinar, error) {
		w, err := s.store.Webinar(ctx, id)
		if err != nil {
			return w, err
		}
		if w.State == Live {
			return s.transition(ctx, w, StoppingLive, nil)
		}
		return s.holdAndStart(ctx, w)
	}, func(ctx context.Context, r *run, w Webinar) (Webinar, error) {
		if w.State != StoppingLive {
			return s.finishStart(ctx, r, w)
		}
		w, err := s.stopLiveStep(ctx, w)
		if err != nil {
			return w, err
		}
		if w, err = s.holdAndStart(ctx, w); err != nil {
			if _, serr := s.save(ctx, w, func(w *Webinar) { w.LastError = "restart: " + err.Error() }); serr != nil {
				return w, errors.Join(err, serr)
			}
			return w, err
		}
		return s.finishStart(ctx, r, w)
	})
}

// PresenterJoinURL returns the BBB moderator link of u, starting the
// webinar first when it is scheduled or failed (a presenter's arrival
// starts it, as in Esup-Pod; a running stream is never restarted): call
// it from a request that may change state (a POST), never from a GET. It
// waits for the meeting to be created, not for the stream. The link is
// bound to this run of the meeting (createTime) and is a credential.
func (s *Service) PresenterJoinURL(ctx context.Context, u User, id string) (string, error) {
	w, err := s.loadManaged(ctx, u, id)
	if err != nil {
		return "", err
	}
	switch w.State {
	case Scheduled, Failed:
		if _, err = s.Start(ctx, u, id); err != nil {
			return "", err
		}
	case Ended, Ending:
		return "", fmt.Errorf("%w: the webinar is %s", ErrInvalidState, w.State)
	}
	if err := s.waitMeeting(ctx, id); err != nil {
		return "", err
	}
	if w, err = s.store.Webinar(ctx, id); err != nil {
		return "", err
	}
	switch {
	case w.CreateTime != 0:
	case w.State == Starting:
		return "", ErrBusy // another process is creating the meeting
	default:
		return "", fmt.Errorf("%w: %s", ErrStartFailed, w.FailReason)
	}
	return s.presenterLink(u, w)
}

// PresenterLink returns the BBB moderator link of u to the webinar's
// running meeting, changing nothing: ErrNotStarted when no run of its
// meeting is under way (PresenterJoinURL starts one).
func (s *Service) PresenterLink(ctx context.Context, u User, id string) (string, error) {
	w, err := s.loadManaged(ctx, u, id)
	if err != nil {
		return "", err
	}
	if w.CreateTime == 0 || w.State == Scheduled || w.State.Over() || w.State == Ending {
		return "", ErrNotStarted
	}
	return s.presenterLink(u, w)
}

func (s *Service) presenterLink(u User, w Webinar) (string, error) {
	name := u.Name
	if strings.TrimSpace(name) == "" {
		name = u.ID
	}
	return s.bbbFor(&w).JoinURL(&bbb.JoinParams{FullName: name, MeetingID: w.MeetingID, Role: bbb.RoleModerator,
		UserID: u.ID, CreateTime: w.CreateTime})
}

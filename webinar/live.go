package webinar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// DefaultLeaseTTL bounds how long a crashed process blocks a webinar.
const DefaultLeaseTTL = 2 * time.Minute

// Errors of the live operations.
var (
	// ErrNotConfigured: the Service lacks what running webinars needs
	// (Config.BBB, PublicURL, Callbacks).
	ErrNotConfigured = errors.New("webinar: not configured to run webinars")
	// ErrBusy: another process is driving the webinar right now.
	ErrBusy = errors.New("webinar: another process is driving this webinar")
)

// DefaultSIPMediaGW makes the client of a gateway's SIPMediaGW server from
// its settings, allowing plain HTTP and weak tokens when the gateway is
// marked insecure.
func DefaultSIPMediaGW(g gateway.Gateway) (*sipmediagw.Client, error) {
	p, err := sipmediagw.ParseProtocol(string(g.Server.Protocol))
	if err != nil {
		return nil, err
	}
	opts := []sipmediagw.Option{sipmediagw.WithProtocol(p)}
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

func leaseKey(id string) string { return "webinar:" + id }

// drive runs f holding the webinar's lease, so one process at a time
// drives its side effects, and one goroutine of this process: the lease
// is the process's (a holder may take its own lease again), so a second
// goroutine, such as BBB's end callback arriving while End still runs,
// would otherwise drive the same webinar at the same time and release
// the lease under the first one.
func (s *Service) drive(ctx context.Context, id string, f func() (Webinar, error)) (Webinar, error) {
	s.drivingMu.Lock()
	busy := s.driving[id]
	s.driving[id] = true
	s.drivingMu.Unlock()
	if busy {
		return Webinar{}, ErrBusy
	}
	defer func() {
		s.drivingMu.Lock()
		delete(s.driving, id)
		s.drivingMu.Unlock()
	}()
	ok, err := s.store.AcquireLease(ctx, leaseKey(id), s.holder, s.leaseTTL, s.clock.Now())
	if err != nil {
		return Webinar{}, err
	}
	if !ok {
		return Webinar{}, ErrBusy
	}
	defer func() {
		if err := s.store.ReleaseLease(context.WithoutCancel(ctx), leaseKey(id), s.holder); err != nil {
			s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: releasing a lease failed", slog.String("webinar", id), slog.String("error", err.Error()))
		}
	}()
	return f()
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

// fail records a failed step: the webinar goes Failed with reason, and
// the host hears of the error.
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

// Start creates the BBB meeting (with a signed end callback, guests
// always accepted), starts the stream on the webinar's gateway, then
// shows or hides the chat panel as wanted. It is idempotent: a webinar
// starting or live is returned as it is, nothing is restarted. A step
// that fails leaves the webinar Failed with the reason, and no container
// behind (sipmediagw stops what a failed start may have left).
func (s *Service) Start(ctx context.Context, u User, id string) (Webinar, error) {
	if err := s.checkLive(); err != nil {
		return Webinar{}, err
	}
	w, err := s.loadManaged(ctx, u, id)
	if err != nil {
		return Webinar{}, err
	}
	if w.State == Live || w.State == Starting {
		return w, nil
	}
	return s.drive(ctx, id, func() (Webinar, error) { return s.start(ctx, id) })
}

func (s *Service) start(ctx context.Context, id string) (Webinar, error) {
	w, err := s.store.Webinar(ctx, id) // again, under the lease
	if err != nil {
		return Webinar{}, err
	}
	if w.State == Live || w.State == Starting {
		return w, nil
	}
	if w, err = s.transition(ctx, w, Starting, func(w *Webinar) { w.FailReason = "" }); err != nil {
		return w, err
	}
	created, err := s.createMeeting(ctx, w)
	if err != nil {
		return s.fail(ctx, w, "BBB create", err)
	}
	if w, err = s.save(ctx, w, func(w *Webinar) { w.CreateTime = created.CreateTime }); err != nil {
		return w, err
	}
	g, client, err := s.gatewayClient(ctx, w)
	if err != nil {
		return s.fail(ctx, w, "gateway", err)
	}
	session, err := client.Start(ctx, s.botStart(w, g, client.Protocol()))
	if err != nil {
		return s.fail(ctx, w, "SIPMediaGW start", err)
	}
	// The bot's page opens with BBB's public chat shown.
	if w, err = s.save(ctx, w, func(w *Webinar) { w.Session, w.ChatVisible = session.Handle(), true }); err != nil {
		return w, err
	}
	w = s.syncChat(ctx, w, client, session)
	return s.transition(ctx, w, Live, nil)
}

func (s *Service) createMeeting(ctx context.Context, w Webinar) (*bbb.CreateResult, error) {
	cb, err := s.callbacks.EndCallbackURL(s.publicURL+"/callback/end", w.MeetingID, w.ID)
	if err != nil {
		return nil, err
	}
	return s.bbbFor(&w).Create(ctx, &bbb.CreateParams{
		Name:        w.Title,
		MeetingID:   w.MeetingID,
		GuestPolicy: bbb.GuestAlwaysAccept,
		Record:      bbb.Bool(false),
		Meta:        bbb.Metadata{"endCallbackUrl": cb, "bbb-origin": "bbbcast", "bbbcast-webinar": w.ID},
	})
}

func (s *Service) gatewayClient(ctx context.Context, w Webinar) (gateway.Gateway, *sipmediagw.Client, error) {
	if w.GatewayID == 0 {
		return gateway.Gateway{}, nil, errors.New("no gateway booked")
	}
	g, err := s.gateways.Gateway(ctx, w.GatewayID)
	if err != nil {
		return g, nil, err
	}
	c, err := s.sip(g)
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
	params := sipmediagw.StartParams{RTMPURL: g.RTMPURL.Reveal(), GatewayID: w.ID}
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
	if err := client.ToggleChat(ctx, session); err != nil {
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

// StopLive stops the stream; the meeting goes on. Stopping a stopped
// stream is not an error.
func (s *Service) StopLive(ctx context.Context, u User, id string) (Webinar, error) {
	if err := s.checkLive(); err != nil {
		return Webinar{}, err
	}
	w, err := s.loadManaged(ctx, u, id)
	if err != nil {
		return Webinar{}, err
	}
	if w.State == LiveStopped {
		return w, nil
	}
	return s.drive(ctx, id, func() (Webinar, error) { return s.stopLive(ctx, id) })
}

func (s *Service) stopLive(ctx context.Context, id string) (Webinar, error) {
	w, err := s.store.Webinar(ctx, id)
	if err != nil {
		return Webinar{}, err
	}
	if w.State == LiveStopped {
		return w, nil
	}
	if w, err = s.transition(ctx, w, StoppingLive, nil); err != nil {
		return w, err
	}
	if err := s.stopStream(ctx, w); err != nil {
		return s.fail(ctx, w, "SIPMediaGW stop", err)
	}
	return s.transition(ctx, w, LiveStopped, func(w *Webinar) { w.Session, w.ChatVisible = "", false })
}

// stopStream stops the webinar's stream, if it has one.
func (s *Service) stopStream(ctx context.Context, w Webinar) error {
	if w.Session == "" {
		return nil
	}
	session, err := sipmediagw.ParseSession(w.Session)
	if err != nil {
		return err
	}
	_, client, err := s.gatewayClient(ctx, w)
	if err != nil {
		return err
	}
	return client.Stop(ctx, session)
}

// RestartLive stops the stream and starts it again, without sleeping in
// between: progress shows in the states it goes through.
func (s *Service) RestartLive(ctx context.Context, u User, id string) (Webinar, error) {
	w, err := s.StopLive(ctx, u, id)
	if err != nil {
		return w, err
	}
	return s.Start(ctx, u, id)
}

// End ends the BBB meeting once, then stops the stream and frees the
// gateway. Ending an ended webinar is not an error.
func (s *Service) End(ctx context.Context, u User, id string) (Webinar, error) {
	if err := s.checkLive(); err != nil {
		return Webinar{}, err
	}
	w, err := s.loadManaged(ctx, u, id)
	if err != nil {
		return Webinar{}, err
	}
	if w.State == Ended {
		return w, nil
	}
	return s.drive(ctx, id, func() (Webinar, error) { return s.end(ctx, id) })
}

// MeetingEnded reacts to the end of a meeting in BBB (the end callback,
// the watcher): once BBB confirms the meeting of that run is over, the
// stream is stopped and the webinar ends. A meeting BBB says still runs,
// or one of another run, changes nothing; so does an unknown meeting ID
// (ErrNotFound). It is idempotent.
func (s *Service) MeetingEnded(ctx context.Context, meetingID string) (Webinar, error) {
	if err := s.checkLive(); err != nil {
		return Webinar{}, err
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
	return s.drive(ctx, w.ID, func() (Webinar, error) { return s.finish(ctx, w.ID, false) })
}

// meetingOver asks BBB whether the webinar's current run of its meeting
// is over: gone, ended, or replaced by a later run.
func (s *Service) meetingOver(ctx context.Context, w Webinar) (bool, error) {
	m, err := s.bbbFor(&w).GetMeetingInfo(ctx, w.MeetingID)
	switch {
	case errors.Is(err, bbb.ErrNotFound):
		return true, nil
	case err != nil:
		return false, err
	}
	return m.HasBeenForciblyEnded || !m.EndTime.IsZero() || w.CreateTime != 0 && m.CreateTime != w.CreateTime, nil
}

func (s *Service) end(ctx context.Context, id string) (Webinar, error) {
	return s.finish(ctx, id, true)
}

// finish ends the webinar: the BBB meeting when endMeeting (not when BBB
// ended it already), the stream, the booking.
func (s *Service) finish(ctx context.Context, id string, endMeeting bool) (Webinar, error) {
	w, err := s.store.Webinar(ctx, id)
	if err != nil {
		return Webinar{}, err
	}
	if w.State == Ended {
		return w, nil
	}
	if w.State != Ending {
		if w, err = s.transition(ctx, w, Ending, nil); err != nil {
			return w, err
		}
	}
	if endMeeting {
		if err := s.bbbFor(&w).End(ctx, w.MeetingID, ""); err != nil && !errors.Is(err, bbb.ErrNotFound) {
			return s.fail(ctx, w, "BBB end", err)
		}
	}
	if err := s.stopStream(ctx, w); err != nil {
		return s.fail(ctx, w, "SIPMediaGW stop", err)
	}
	if err := s.gateways.Release(ctx, w.ID); err != nil {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: releasing the gateway failed", slog.Any("webinar", w), slog.String("error", err.Error()))
	}
	return s.transition(ctx, w, Ended, func(w *Webinar) { w.Session, w.ChatVisible, w.GatewayID = "", false, 0 })
}

// PresenterJoinURL returns the BBB moderator link of u, starting the
// webinar first when it is scheduled or failed (a presenter's arrival
// starts it, as in Esup-Pod; a running stream is never restarted). The
// link is bound to this run of the meeting (createTime) and is a
// credential.
func (s *Service) PresenterJoinURL(ctx context.Context, u User, id string) (string, error) {
	w, err := s.loadManaged(ctx, u, id)
	if err != nil {
		return "", err
	}
	switch w.State {
	case Scheduled, Failed:
		if w, err = s.Start(ctx, u, id); err != nil {
			return "", err
		}
	case Ended, Ending:
		return "", fmt.Errorf("%w: the webinar is %s", ErrInvalidState, w.State)
	}
	name := u.Name
	if strings.TrimSpace(name) == "" {
		name = u.ID
	}
	return s.bbbFor(&w).JoinURL(&bbb.JoinParams{FullName: name, MeetingID: w.MeetingID, Role: bbb.RoleModerator,
		UserID: u.ID, CreateTime: w.CreateTime})
}

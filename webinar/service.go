package webinar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/internal/logx"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/benbjohnson/clock"
)

// ErrForbidden: the Policy does not let the user do that.
var ErrForbidden = errors.New("webinar: forbidden")

// Config wires a Service.
type Config struct {
	Store    Store
	Gateways *gateway.Service
	Policy   Policy   // PodPolicy{} when nil
	Notifier Notifier // nothing is told when nil
	Clock    clock.Clock
	Logger   *slog.Logger

	// What running webinars needs (Start, StopLive, End, chat); the
	// records side works without.

	// BBB is the BigBlueButton server meetings run on by default;
	// BBBServers names more, for webinars whose Draft names one.
	BBB        *bbb.Client
	BBBServers map[string]*bbb.Client
	// SIPMediaGW makes the client of a gateway's server;
	// DefaultSIPMediaGW when nil. The Service keeps each client while the
	// gateway's server settings stay the same.
	SIPMediaGW func(gateway.Gateway) (*sipmediagw.Client, error)
	// PublicURL is where the host mounts Handler, as the outside sees it
	// (https://portal.example.org/webinar): BBB calls back there when a
	// meeting ends, the streaming bot opens its page there.
	PublicURL string
	// TrustedOrigins are the origins ("https://www.example.org", no
	// path) besides PublicURL's whose pages may POST to the handler, such
	// as the portal's own pages on another host name.
	TrustedOrigins []string
	// Callbacks signs the end-callback URLs.
	Callbacks *bbb.CallbackSigner
	// ChatRelay chooses how audience messages reach the meeting.
	ChatRelay ChatRelay
	// Meeting, when set, gives the BBB create parameters of a webinar's
	// meeting each time it is created: it sees the stored webinar (its
	// Meeting, the Draft's or Update's) and returns the parameters to use
	// instead (nil for none). When Meeting is nil the webinar's own
	// Meeting is used. The result is checked as a Draft's is: a parameter
	// the Service owns fails the start with an *InputError.
	Meeting func(w Webinar) *bbb.CreateParams
	// Documents, when set, gives the presentation documents to upload
	// when a webinar's meeting is created (by URL, which BBB downloads,
	// or inline): a non-empty list creates the meeting with
	// bbb.Client.CreateWithDocuments.
	Documents func(w Webinar) []bbb.Document
	// Holder names this process in leases (random when empty); LeaseTTL
	// bounds how long a crashed holder blocks a webinar
	// (DefaultLeaseTTL). A running operation renews its lease every
	// third of LeaseTTL.
	Holder   string
	LeaseTTL time.Duration
	// StepTimeout bounds each remote call of an operation (a BBB call, a
	// SIPMediaGW start or stop: DefaultStepTimeout). LeaseTTL may not be
	// shorter: a lease must outlive any one step.
	StepTimeout time.Duration

	// EarlyStart is how long before its slot a webinar may start
	// (DefaultEarlyStart; negative: not before its slot). Overrun is how
	// long a live may outlast its slot while its gateway is not booked
	// next (DefaultOverrun; negative: not at all). See the package
	// documentation.
	EarlyStart time.Duration
	Overrun    time.Duration

	// BotTLS says how the streaming bots reach the pages of an http://
	// PublicURL: BotTLSRequired (the default: NewService and Check warn,
	// as every SIPMediaGW bot opens https://), BotTLSFront (a TLS front
	// serves the same host and path) or BotTLSNone (stand-in bots only).
	BotTLS BotTLS

	// HTTPClient is what Check reaches PublicURL and the gateways' HLS
	// URLs with, as the outside would (a client with a 15 s timeout
	// when nil). Check never follows a redirect: it reports it.
	HTTPClient *http.Client
}

// Defaults of the Config.
const (
	DefaultLeaseTTL    = 2 * time.Minute
	DefaultStepTimeout = 2 * time.Minute
	// MinLeaseTTL is the shortest LeaseTTL: a renewal every third of it
	// must survive a slow store write.
	MinLeaseTTL = 10 * time.Second
)

// Service manages webinars: their records, their gateway bookings and
// what the host is told about them.
type Service struct {
	store    Store
	gateways *gateway.Service
	policy   Policy
	notifier Notifier
	clock    clock.Clock
	logger   *slog.Logger

	bbb        map[string]*bbb.Client // by server name; "" is the default
	sip        *sipClients
	publicURL  string
	callbacks  *bbb.CallbackSigner
	relay      ChatRelay
	meetingFn  func(Webinar) *bbb.CreateParams
	documents  func(Webinar) []bbb.Document
	holder     string
	leaseTTL   time.Duration
	step       time.Duration
	earlyStart time.Duration
	overrun    time.Duration

	missMu sync.Mutex
	misses map[string]int // webinar ID → ticks its meeting was missing in a row

	// The operations this process runs, one per webinar, and the
	// background ones' lifetime.
	runsMu   sync.Mutex
	runs     map[string]*run
	ended    map[string]*run // the latest outcome of each webinar's operation, for Wait
	closed   bool
	bg       sync.WaitGroup
	bgCtx    context.Context
	bgCancel context.CancelCauseFunc

	originCheck *http.CrossOriginProtection // of the handler's POSTs
	checkHTTP   *http.Client                // Check's client for PublicURL and HLS URLs
	botTLS      BotTLS                      // Config.BotTLS

	sweepMu   sync.Mutex
	lastSweep time.Time // Reconcile's last repair of bookings and gateways

	recordings recordingsSeen // the recording-ready callbacks already told
}

// NewService checks cfg and returns a Service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Gateways == nil {
		return nil, errors.New("webinar: a Store and a gateway Service are required")
	}
	s := &Service{store: cfg.Store, gateways: cfg.Gateways, policy: cfg.Policy, notifier: cfg.Notifier,
		clock: cfg.Clock, logger: logx.OrDiscard(cfg.Logger),
		bbb: map[string]*bbb.Client{}, sip: &sipClients{byID: map[int64]sipClient{}, factory: cfg.SIPMediaGW}, publicURL: strings.TrimRight(cfg.PublicURL, "/"), callbacks: cfg.Callbacks,
		relay: cfg.ChatRelay, meetingFn: cfg.Meeting, documents: cfg.Documents, holder: cfg.Holder, leaseTTL: cfg.LeaseTTL, step: cfg.StepTimeout,
		earlyStart: durationOr(cfg.EarlyStart, DefaultEarlyStart), overrun: durationOr(cfg.Overrun, DefaultOverrun),
		misses: map[string]int{}, runs: map[string]*run{}, ended: map[string]*run{}}
	for name, c := range cfg.BBBServers {
		if c != nil {
			s.bbb[name] = c
		}
	}
	if cfg.BBB != nil {
		s.bbb[""] = cfg.BBB
	}
	if s.sip.factory == nil {
		s.sip.factory = DefaultSIPMediaGW
	}
	if s.holder == "" {
		s.holder = "bbbcast-" + randomHex(8)
	}
	if s.leaseTTL <= 0 {
		s.leaseTTL = DefaultLeaseTTL
	}
	if s.step <= 0 {
		s.step = DefaultStepTimeout
	}
	switch {
	case s.leaseTTL < MinLeaseTTL:
		return nil, fmt.Errorf("webinar: LeaseTTL (%s) is shorter than MinLeaseTTL (%s)", s.leaseTTL, MinLeaseTTL)
	case s.leaseTTL < s.step:
		return nil, fmt.Errorf("webinar: LeaseTTL (%s) is shorter than StepTimeout (%s): another process could take a webinar over in the middle of a step (set a shorter StepTimeout too)", s.leaseTTL, s.step)
	}
	if err := s.checkOrigins(cfg.TrustedOrigins); err != nil {
		return nil, err
	}
	if s.policy == nil {
		s.policy = PodPolicy{}
	}
	if s.notifier == nil {
		s.notifier = nopNotifier{}
	}
	if s.clock == nil {
		s.clock = clock.New()
	}
	s.checkHTTP, s.botTLS = checkClient(cfg.HTTPClient), cfg.BotTLS
	if s.botTLS > BotTLSNone {
		return nil, fmt.Errorf("webinar: BotTLS: %s", s.botTLS)
	}
	if strings.HasPrefix(s.publicURL, "http://") && s.botTLS == BotTLSRequired {
		s.logger.LogAttrs(context.Background(), slog.LevelWarn, "webinar: PublicURL is plain http, but every SIPMediaGW bot opens its page with https://: "+
			"a real bot will not join. Serve PublicURL over https, or set Config.BotTLS (BotTLSFront when a TLS front serves the same host and path)",
			slog.String("publicURL", s.publicURL))
	}
	s.bgCtx, s.bgCancel = context.WithCancelCause(context.Background())
	return s, nil
}

// checkOrigins checks PublicURL and makes the cross-origin protection of
// the handler, which trusts PublicURL's origin and the host's.
func (s *Service) checkOrigins(trusted []string) error {
	s.originCheck = http.NewCrossOriginProtection()
	s.originCheck.SetDenyHandler(http.HandlerFunc(refuseCrossOrigin))
	if s.publicURL != "" {
		u, err := url.Parse(s.publicURL)
		switch {
		case err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.Opaque != "":
			return errors.New("webinar: PublicURL must be an absolute http(s) URL")
		case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s.publicURL, "#"):
			return errors.New("webinar: PublicURL may not hold user information, a query or a fragment")
		}
		trusted = append([]string{u.Scheme + "://" + u.Host}, trusted...)
	}
	for _, o := range trusted {
		if err := s.originCheck.AddTrustedOrigin(o); err != nil {
			return fmt.Errorf("webinar: TrustedOrigins: %w", err)
		}
	}
	return nil
}

// durationOr is d, def when d is 0, and 0 when d is negative.
func durationOr(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// Draft is a webinar to create.
type Draft struct {
	Title string
	// Server names the BBB server of Config.BBBServers the meeting runs
	// on; "" is Config.BBB.
	Server      string
	Pool        string
	Slot        gateway.Slot
	ChatEnabled bool
	ChatShown   bool
	CoOwners    []string
	// Meeting holds the host's parameters of the BBB meeting, nil for
	// none: see Webinar.Meeting. The parameters the Service owns must be
	// left unset, and nothing may lock the streaming bot or the chat
	// relay out (see CheckMeeting).
	Meeting *bbb.CreateParams
}

// Create records a webinar owned by u and books a gateway for its slot.
// When no gateway is free nothing is kept, the error is a
// *gateway.NoGatewayFreeError and the host is told (CapacityExceeded).
// The record is written first, under the webinar's lease, then the
// booking: a crash in between leaves a scheduled webinar without a
// gateway, which Reconcile books (or fails) once the lease expired.
func (s *Service) Create(ctx context.Context, u User, d Draft) (Webinar, error) {
	if err := checkName("user", u.ID); err != nil {
		return Webinar{}, err
	}
	if !s.policy.CanCreate(u) {
		return Webinar{}, ErrForbidden
	}
	if err := errors.Join(checkTitle(d.Title), checkName("pool", d.Pool), checkName("server", d.Server),
		checkNames("coOwners", d.CoOwners)); err != nil {
		return Webinar{}, err
	}
	if err := s.checkSlot(d.Slot); err != nil {
		return Webinar{}, err
	}
	if err := CheckMeeting(d.Meeting, d.ChatEnabled); err != nil {
		return Webinar{}, err
	}
	if _, ok := s.bbb[d.Server]; d.Server != "" && !ok {
		return Webinar{}, &InputError{Field: "server", Reason: "no such BBB server"}
	}
	now := s.clock.Now()
	w := Webinar{Owner: u.ID, CoOwners: d.CoOwners, Title: d.Title, Server: d.Server, Pool: d.Pool, Slot: d.Slot,
		ChatEnabled: d.ChatEnabled, ChatShown: d.ChatShown, Meeting: normMeeting(d.Meeting), State: Scheduled,
		CreatedAt: now, UpdatedAt: now}
	newIdentity(&w)
	w, err := s.drive(ctx, w.ID, func(ctx context.Context) (Webinar, error) { return s.create(ctx, w) })
	if err != nil {
		return Webinar{}, err
	}
	s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar created", slog.Any("webinar", w))
	s.tellLiveEvent(ctx, LiveEventCreated, w)
	return w, nil
}

// create writes the record, then books its gateway.
func (s *Service) create(ctx context.Context, w Webinar) (Webinar, error) {
	w, err := s.store.CreateWebinar(ctx, w)
	if err != nil {
		return Webinar{}, err
	}
	b, err := s.gateways.Allocate(ctx, w.ID, w.Pool, w.Slot)
	if err != nil {
		if derr := s.store.DeleteWebinar(ctx, w.ID, w.Version); derr != nil {
			s.logger.LogAttrs(ctx, slog.LevelError, "webinar: dropping a webinar without gateway failed",
				slog.Any("webinar", w), slog.String("error", derr.Error()))
		}
		s.capacity(ctx, w.ID, err)
		return Webinar{}, err
	}
	w.GatewayID = b.GatewayID
	return s.store.UpdateWebinar(ctx, w)
}

// capacity tells the host when err is a shortage of gateways.
func (s *Service) capacity(ctx context.Context, id string, err error) {
	var full *gateway.NoGatewayFreeError
	if errors.As(err, &full) {
		s.notifier.Notify(ctx, Event{Kind: CapacityExceeded, WebinarID: id, Capacity: &gateway.CapacityEvent{
			Pool: full.Pool, Slot: full.Slot, Owner: id, Gateways: full.Gateways, Conflicts: full.Conflicts, Truncated: full.Truncated}})
	}
}

func (s *Service) tellLiveEvent(ctx context.Context, kind EventKind, w Webinar) {
	ev, err := s.liveEvent(ctx, w)
	if err != nil {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: live event unavailable", slog.Any("webinar", w), slog.String("error", err.Error()))
	}
	s.notifier.Notify(ctx, Event{Kind: kind, WebinarID: w.ID, LiveEvent: &ev})
}

func (s *Service) liveEvent(ctx context.Context, w Webinar) (LiveEvent, error) {
	ev := LiveEvent{WebinarID: w.ID, Title: w.Title, Start: w.Slot.Start, End: w.Slot.End, ChatEnabled: w.ChatEnabled, State: w.State}
	if w.GatewayID == 0 {
		return ev, nil
	}
	g, err := s.gateways.Gateway(ctx, w.GatewayID)
	if err != nil {
		return ev, err
	}
	ev.HLSURL = g.HLSURL
	return ev, nil
}

// Changes are the fields Update sets; nil fields are left as they are.
type Changes struct {
	Title       *string
	Slot        *gateway.Slot
	ChatEnabled *bool
	ChatShown   *bool
	CoOwners    *[]string
	// Meeting replaces the webinar's meeting parameters (an empty
	// CreateParams removes them). They are used when the meeting is next
	// created, so they may change only while no meeting of the webinar
	// exists (Scheduled or Failed): otherwise a change is refused with
	// ErrInvalidState, and parameters equal to the stored ones are no
	// change.
	Meeting *bbb.CreateParams
}

// maxConflictRetries bounds how often an update re-reads a webinar that
// changed under it.
const maxConflictRetries = 5

// Update applies c to the webinar id. A new slot goes through the gateway
// allocation: the webinar keeps its gateway when it is free, moves to
// another otherwise, and the update is refused, changing nothing, when no
// gateway is free. Disabling the chat hides it from the stream too; a live
// stream's chat panel follows at once.
func (s *Service) Update(ctx context.Context, u User, id string, c Changes) (Webinar, error) {
	if c.Title != nil {
		if err := checkTitle(*c.Title); err != nil {
			return Webinar{}, err
		}
	}
	if c.CoOwners != nil {
		if err := checkNames("coOwners", *c.CoOwners); err != nil {
			return Webinar{}, err
		}
	}
	update := func(ctx context.Context) (Webinar, error) { return s.update(ctx, u, id, c) }
	if c.Slot != nil {
		if err := s.checkSlot(*c.Slot); err != nil {
			return Webinar{}, err
		}
		w, err := s.loadManaged(ctx, u, id)
		if err != nil {
			return Webinar{}, err
		}
		if !sameSlot(*c.Slot, w.Slot) {
			// A new slot changes the booking: under the lease, so that
			// it does not race a start's.
			update = func(ctx context.Context) (Webinar, error) {
				return s.drive(ctx, id, func(ctx context.Context) (Webinar, error) { return s.update(ctx, u, id, c) })
			}
		}
	}
	updated, err := update(ctx)
	if err != nil {
		return Webinar{}, err
	}
	if synced, err := s.applyChatShown(ctx, updated); err != nil {
		s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: chat panel not updated", slog.Any("webinar", updated), slog.String("error", err.Error()))
	} else {
		updated = synced
	}
	s.tellLiveEvent(ctx, LiveEventUpdated, updated)
	return updated, nil
}

func (s *Service) update(ctx context.Context, u User, id string, c Changes) (Webinar, error) {
	for attempt := 0; ; attempt++ {
		w, err := s.store.Webinar(ctx, id)
		if err != nil {
			return Webinar{}, err
		}
		if !s.policy.CanManage(u, &w) {
			return Webinar{}, ErrForbidden
		}
		if w.State.Over() {
			return Webinar{}, fmt.Errorf("%w: the webinar has ended", ErrInvalidState)
		}
		moved := false
		if c.Slot != nil && !sameSlot(*c.Slot, w.Slot) {
			gw, err := s.rebookSlot(ctx, w, *c.Slot)
			if err != nil {
				return Webinar{}, err
			}
			moved = gw != w.GatewayID
			w.Slot, w.GatewayID = *c.Slot, gw
		}
		if err := changeMeeting(&w, c); err != nil {
			return Webinar{}, err
		}
		apply(&w, c)
		if c.Meeting != nil || c.ChatEnabled != nil {
			if err := CheckMeeting(w.Meeting, w.ChatEnabled); err != nil {
				return Webinar{}, err
			}
		}
		w.UpdatedAt = s.clock.Now()
		updated, err := s.store.UpdateWebinar(ctx, w)
		if errors.Is(err, ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return Webinar{}, err
		}
		s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar updated", slog.Any("webinar", updated), slog.Bool("moved", moved))
		return updated, nil
	}
}

// rebookSlot books w's gateway for a new slot and returns the gateway.
// While a stream of w may run the booking stays on its gateway and keeps
// covering now; otherwise it moves to another gateway when its own is
// taken.
func (s *Service) rebookSlot(ctx context.Context, w Webinar, slot gateway.Slot) (int64, error) {
	if !w.MayStream() || w.GatewayID == 0 {
		b, err := s.gateways.Allocate(ctx, w.ID, w.Pool, slot)
		if err != nil {
			s.capacity(ctx, w.ID, err)
			return 0, err
		}
		return b.GatewayID, nil
	}
	now := s.clock.Now()
	hold := slot
	if now.Before(hold.Start) {
		hold.Start = now
	}
	if least := now.Add(minHold); hold.End.Before(least) {
		hold.End = least
	}
	b, err := s.gateways.AllocateOn(ctx, w.ID, w.Pool, w.GatewayID, hold)
	if err != nil {
		return 0, err
	}
	return b.GatewayID, nil
}

func sameSlot(a, b gateway.Slot) bool { return a.Start.Equal(b.Start) && a.End.Equal(b.End) }

func apply(w *Webinar, c Changes) {
	if c.Title != nil {
		w.Title = *c.Title
	}
	if c.ChatEnabled != nil {
		w.ChatEnabled = *c.ChatEnabled
		if !w.ChatEnabled && c.ChatShown == nil {
			w.ChatShown = false // a disabled chat is not shown either
		}
	}
	if c.ChatShown != nil {
		w.ChatShown = *c.ChatShown
	}
	if c.CoOwners != nil {
		w.CoOwners = *c.CoOwners
	}
}

// Delete removes a webinar that is not in progress, releases its gateway
// and tells the host its live event is gone. A webinar starting, live,
// stopping or ending gives ErrInvalidState: end it first. A stream the
// webinar still owns (a stop that failed) is stopped first: when the
// gateway does not confirm it, nothing is deleted and the error says why.
func (s *Service) Delete(ctx context.Context, u User, id string) error {
	if _, err := s.loadManaged(ctx, u, id); err != nil {
		return err
	}
	_, err := s.drive(ctx, id, func(ctx context.Context) (Webinar, error) { return s.delete(ctx, u, id) })
	return err
}

func (s *Service) delete(ctx context.Context, u User, id string) (Webinar, error) {
	w, err := s.loadManaged(ctx, u, id)
	if err != nil {
		return w, err
	}
	if w.State.Streaming() || w.State == Ending {
		return w, fmt.Errorf("%w: end the webinar before deleting it (it is %s)", ErrInvalidState, w.State)
	}
	if w.Session != "" {
		if w, err = s.dropStream(ctx, w); err != nil {
			return w, fmt.Errorf("webinar: its stream could not be stopped, nothing was deleted: %w", err)
		}
	}
	if err := s.store.DeleteWebinar(ctx, id, w.Version); err != nil {
		return w, err
	}
	if err := s.gateways.Release(ctx, id); err != nil {
		s.logger.LogAttrs(ctx, slog.LevelError, "webinar: releasing the gateway of a deleted webinar failed",
			slog.Any("webinar", w), slog.String("error", err.Error()))
	}
	s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar deleted", slog.Any("webinar", w))
	s.notifier.Notify(ctx, Event{Kind: LiveEventDeleted, WebinarID: id})
	return w, nil
}

// Get returns a webinar.
func (s *Service) Get(ctx context.Context, id string) (Webinar, error) {
	return s.store.Webinar(ctx, id)
}

// List returns the webinars matching q.
func (s *Service) List(ctx context.Context, q Query) ([]Webinar, error) {
	return s.store.Webinars(ctx, q)
}

// LiveEvent returns the audience's view of a webinar.
func (s *Service) LiveEvent(ctx context.Context, id string) (LiveEvent, error) {
	w, err := s.store.Webinar(ctx, id)
	if err != nil {
		return LiveEvent{}, err
	}
	return s.liveEvent(ctx, w)
}

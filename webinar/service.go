package webinar

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/internal/logx"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/benbjohnson/clock"
)

// ErrForbidden: the Policy does not let the user do that.
var ErrForbidden = errors.New("webinar: forbidden")

// InputError is a refused field of a draft or change.
type InputError struct {
	Field  string
	Reason string
}

func (e *InputError) Error() string { return "webinar: " + e.Field + ": " + e.Reason }

// MinTitleLen and MaxTitleLen bound a title, in characters. The title is
// the BBB meeting's name, which BBB wants 2 characters long at least.
const (
	MinTitleLen = 2
	MaxTitleLen = 250
)

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
	// DefaultSIPMediaGW when nil.
	SIPMediaGW func(gateway.Gateway) (*sipmediagw.Client, error)
	// PublicURL is where the host mounts Handler, as the outside sees it
	// (https://portal.example.org/webinar): BBB calls back there when a
	// meeting ends, the streaming bot opens its page there.
	PublicURL string
	// Callbacks signs the end-callback URLs.
	Callbacks *bbb.CallbackSigner
	// ChatRelay chooses how audience messages reach the meeting.
	ChatRelay ChatRelay
	// Holder names this process in leases (random when empty); LeaseTTL
	// bounds how long a crashed holder blocks a webinar (2 min default).
	Holder   string
	LeaseTTL time.Duration
}

// Service manages webinars: their records, their gateway bookings and
// what the host is told about them.
type Service struct {
	store    Store
	gateways *gateway.Service
	policy   Policy
	notifier Notifier
	clock    clock.Clock
	logger   *slog.Logger

	bbb       map[string]*bbb.Client // by server name; "" is the default
	sip       func(gateway.Gateway) (*sipmediagw.Client, error)
	publicURL string
	callbacks *bbb.CallbackSigner
	relay     ChatRelay
	holder    string
	leaseTTL  time.Duration

	missMu sync.Mutex
	misses map[string]int // webinar ID → ticks its meeting was missing in a row

	drivingMu sync.Mutex
	driving   map[string]bool // webinar IDs a goroutine of this process drives
}

// NewService checks cfg and returns a Service.
func NewService(cfg Config) (*Service, error) {
	if cfg.Store == nil || cfg.Gateways == nil {
		return nil, errors.New("webinar: a Store and a gateway Service are required")
	}
	s := &Service{store: cfg.Store, gateways: cfg.Gateways, policy: cfg.Policy, notifier: cfg.Notifier,
		clock: cfg.Clock, logger: logx.OrDiscard(cfg.Logger),
		bbb: map[string]*bbb.Client{}, sip: cfg.SIPMediaGW, publicURL: strings.TrimRight(cfg.PublicURL, "/"), callbacks: cfg.Callbacks,
		relay: cfg.ChatRelay, holder: cfg.Holder, leaseTTL: cfg.LeaseTTL, misses: map[string]int{},
		driving: map[string]bool{}}
	for name, c := range cfg.BBBServers {
		if c != nil {
			s.bbb[name] = c
		}
	}
	if cfg.BBB != nil {
		s.bbb[""] = cfg.BBB
	}
	if s.sip == nil {
		s.sip = DefaultSIPMediaGW
	}
	if s.holder == "" {
		s.holder = "bbbcast-" + randomHex(8)
	}
	if s.leaseTTL <= 0 {
		s.leaseTTL = DefaultLeaseTTL
	}
	if s.publicURL != "" {
		if u, err := url.Parse(s.publicURL); err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			return nil, errors.New("webinar: PublicURL must be an absolute http(s) URL")
		}
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
	return s, nil
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
}

func checkTitle(t string) error {
	if strings.TrimSpace(t) == "" {
		return &InputError{Field: "title", Reason: "required"}
	}
	if utf8.RuneCountInString(strings.TrimSpace(t)) < MinTitleLen {
		return &InputError{Field: "title", Reason: fmt.Sprintf("at least %d characters", MinTitleLen)}
	}
	if !utf8.ValidString(t) || utf8.RuneCountInString(t) > MaxTitleLen {
		return &InputError{Field: "title", Reason: fmt.Sprintf("at most %d characters of valid UTF-8", MaxTitleLen)}
	}
	return nil
}

// Create records a webinar owned by u and books a gateway for its slot.
// When no gateway is free nothing is kept, the error is a
// *gateway.NoGatewayFreeError and the host is told (CapacityExceeded).
func (s *Service) Create(ctx context.Context, u User, d Draft) (Webinar, error) {
	if !s.policy.CanCreate(u) {
		return Webinar{}, ErrForbidden
	}
	if err := checkTitle(d.Title); err != nil {
		return Webinar{}, err
	}
	if err := d.Slot.Validate(0); err != nil {
		return Webinar{}, err
	}
	if _, ok := s.bbb[d.Server]; d.Server != "" && !ok {
		return Webinar{}, &InputError{Field: "server", Reason: "no such BBB server"}
	}
	now := s.clock.Now()
	w := Webinar{Owner: u.ID, CoOwners: d.CoOwners, Title: d.Title, Server: d.Server, Pool: d.Pool, Slot: d.Slot,
		ChatEnabled: d.ChatEnabled, ChatShown: d.ChatShown, State: Scheduled, CreatedAt: now, UpdatedAt: now}
	newIdentity(&w)
	// The record first, so a crash leaves a webinar to clean, never a
	// booking nobody owns.
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
	if w, err = s.store.UpdateWebinar(ctx, w); err != nil {
		return Webinar{}, err
	}
	s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar created", slog.Any("webinar", w))
	s.tellLiveEvent(ctx, LiveEventCreated, w)
	return w, nil
}

// capacity tells the host when err is a shortage of gateways.
func (s *Service) capacity(ctx context.Context, id string, err error) {
	var full *gateway.NoGatewayFreeError
	if errors.As(err, &full) {
		s.notifier.Notify(ctx, Event{Kind: CapacityExceeded, WebinarID: id, Capacity: &gateway.CapacityEvent{
			Pool: full.Pool, Slot: full.Slot, Owner: id, Gateways: full.Gateways, Conflicts: full.Conflicts}})
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
	if c.Slot != nil {
		if err := c.Slot.Validate(0); err != nil {
			return Webinar{}, err
		}
	}
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
		if c.Slot != nil && !sameSlot(*c.Slot, w.Slot) {
			b, err := s.gateways.Allocate(ctx, w.ID, w.Pool, *c.Slot)
			if err != nil {
				s.capacity(ctx, w.ID, err)
				return Webinar{}, err
			}
			w.Slot, w.GatewayID = *c.Slot, b.GatewayID
		}
		apply(&w, c)
		w.UpdatedAt = s.clock.Now()
		updated, err := s.store.UpdateWebinar(ctx, w)
		if errors.Is(err, ErrConflict) && attempt < maxConflictRetries {
			continue
		}
		if err != nil {
			return Webinar{}, err
		}
		s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar updated", slog.Any("webinar", updated))
		if synced, err := s.applyChatShown(ctx, updated); err != nil {
			s.logger.LogAttrs(ctx, slog.LevelWarn, "webinar: chat panel not updated", slog.Any("webinar", updated), slog.String("error", err.Error()))
		} else {
			updated = synced
		}
		s.tellLiveEvent(ctx, LiveEventUpdated, updated)
		return updated, nil
	}
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
// stopping or ending gives ErrInvalidState: end it first.
func (s *Service) Delete(ctx context.Context, u User, id string) error {
	w, err := s.store.Webinar(ctx, id)
	if err != nil {
		return err
	}
	if !s.policy.CanManage(u, &w) {
		return ErrForbidden
	}
	if w.State.Streaming() || w.State == Ending {
		return fmt.Errorf("%w: end the webinar before deleting it (it is %s)", ErrInvalidState, w.State)
	}
	if err := s.store.DeleteWebinar(ctx, id, w.Version); err != nil {
		return err
	}
	if err := s.gateways.Release(ctx, id); err != nil {
		s.logger.LogAttrs(ctx, slog.LevelError, "webinar: releasing the gateway of a deleted webinar failed",
			slog.Any("webinar", w), slog.String("error", err.Error()))
	}
	s.logger.LogAttrs(ctx, slog.LevelInfo, "webinar deleted", slog.Any("webinar", w))
	s.notifier.Notify(ctx, Event{Kind: LiveEventDeleted, WebinarID: id})
	return nil
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

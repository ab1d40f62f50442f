package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/bbbcast/bbbcast/internal/logx"
	"github.com/benbjohnson/clock"
)

// Service is the gateway registry and allocator a host uses: it validates
// gateways and slots, applies the allocation rule through the store's
// atomic Allocate, and reports capacity shortages.
type Service struct {
	store      Store
	rule       Rule
	maxSlot    time.Duration
	onCapacity func(context.Context, CapacityEvent)
	clock      clock.Clock
	logger     *slog.Logger
}

// CapacityEvent tells the host that demand exceeded the gateways: an
// allocation found every gateway of the pool booked.
type CapacityEvent struct {
	Pool      string
	Slot      Slot
	Owner     string    // who asked and got nothing
	Gateways  int       // enabled gateways in the pool
	Conflicts []Booking // who holds them, at most MaxConflicts
	Truncated bool      // more held them than Conflicts lists
}

// Config wires a Service. Its zero fields take the defaults, so
// Config{Store: st} is a working Service.
type Config struct {
	// Store keeps the gateways and bookings and allocates atomically.
	// Without one, every call of the Service fails with ErrNoStore.
	Store Store
	// Rule chooses the gateway of an allocation among the free ones
	// (FirstFree when nil).
	Rule Rule
	// MaxSlot is the longest slot allocated (DefaultMaxSlot when 0;
	// negative: no limit but MinTime and MaxTime).
	MaxSlot time.Duration
	// CapacityHandler, when set, is called synchronously each time an
	// allocation of the pool fails for lack of a free gateway (not when
	// a pinned allocation, AllocateOn, is refused).
	CapacityHandler func(context.Context, CapacityEvent)
	// Clock decides which bookings are in the past (the system clock
	// when nil).
	Clock clock.Clock
	// Logger logs gateway changes, allocations and refusals (nothing is
	// logged when nil).
	Logger *slog.Logger
}

// DefaultMaxSlot is the longest slot allocated when Config.MaxSlot is 0.
const DefaultMaxSlot = 24 * time.Hour

// NewService returns a Service configured by cfg.
func NewService(cfg Config) *Service {
	s := &Service{store: cfg.Store, rule: cfg.Rule, maxSlot: cfg.MaxSlot, onCapacity: cfg.CapacityHandler,
		clock: cfg.Clock, logger: logx.OrDiscard(cfg.Logger)}
	if s.store == nil {
		s.store = noStore{}
	}
	if s.rule == nil {
		s.rule = FirstFree
	}
	switch {
	case s.maxSlot == 0:
		s.maxSlot = DefaultMaxSlot
	case s.maxSlot < 0:
		s.maxSlot = 0 // Slot.Validate's "no limit"
	}
	if s.clock == nil {
		s.clock = clock.New()
	}
	return s
}

// CreateGateway validates g and stores it.
func (s *Service) CreateGateway(ctx context.Context, g Gateway) (Gateway, error) {
	if err := g.Validate(); err != nil {
		return Gateway{}, err
	}
	created, err := s.store.CreateGateway(ctx, g)
	if err == nil {
		s.logger.LogAttrs(ctx, slog.LevelInfo, "gateway created", slog.Any("gateway", created))
	}
	return created, err
}

// UpdateGateway validates g and replaces the stored gateway g.ID. Existing
// bookings stay where they are, even on a gateway now disabled.
func (s *Service) UpdateGateway(ctx context.Context, g Gateway) error {
	if err := g.Validate(); err != nil {
		return err
	}
	err := s.store.UpdateGateway(ctx, g)
	if err == nil {
		s.logger.LogAttrs(ctx, slog.LevelInfo, "gateway updated", slog.Any("gateway", g))
	}
	return err
}

// DeleteGateway deletes a gateway with no booking that has not ended.
func (s *Service) DeleteGateway(ctx context.Context, id int64) error {
	return s.store.DeleteGateway(ctx, id, s.clock.Now())
}

// Gateway returns one gateway.
func (s *Service) Gateway(ctx context.Context, id int64) (Gateway, error) {
	return s.store.Gateway(ctx, id)
}

// Gateways lists the gateways in allocation order.
func (s *Service) Gateways(ctx context.Context) ([]Gateway, error) { return s.store.Gateways(ctx) }

// Allocate books a gateway of pool for owner during slot, or moves the
// owner's booking to slot (keeping its gateway when it is free). When no
// gateway is free it returns a *NoGatewayFreeError, changes nothing and
// calls the capacity handler.
func (s *Service) Allocate(ctx context.Context, owner, pool string, slot Slot) (Booking, error) {
	return s.allocate(ctx, Request{Owner: owner, Pool: pool, Slot: slot, Rule: s.rule})
}

// AllocateOn books gateway id for owner during slot, or moves the
// owner's booking there: that gateway or nothing, never another one. A
// webinar whose stream runs on a gateway extends its booking with it.
// When the gateway is not free (or not an enabled gateway of pool) it
// returns a *NoGatewayFreeError with GatewayID set and changes nothing;
// the capacity handler is not called (the pool may have room).
func (s *Service) AllocateOn(ctx context.Context, owner, pool string, id int64, slot Slot) (Booking, error) {
	if id <= 0 {
		return Booking{}, ErrNotFound
	}
	return s.allocate(ctx, Request{Owner: owner, Pool: pool, Slot: slot, GatewayID: id})
}

func (s *Service) allocate(ctx context.Context, req Request) (Booking, error) {
	owner, pool, slot := req.Owner, req.Pool, req.Slot
	if owner == "" {
		return Booking{}, fmt.Errorf("gateway: allocate: empty owner")
	}
	if err := slot.Validate(s.maxSlot); err != nil {
		return Booking{}, err
	}
	b, err := s.store.Allocate(ctx, req)
	var full *NoGatewayFreeError
	switch {
	case errors.As(err, &full):
		s.logger.LogAttrs(ctx, slog.LevelWarn, "no gateway free", slog.String("owner", owner), slog.String("pool", pool),
			slog.String("slot", slot.String()), slog.Int64("pinned", req.GatewayID), slog.Int("gateways", full.Gateways))
		if s.onCapacity != nil && req.GatewayID == 0 {
			s.onCapacity(ctx, CapacityEvent{Pool: pool, Slot: slot, Owner: owner, Gateways: full.Gateways,
				Conflicts: full.Conflicts, Truncated: full.Truncated})
		}
	case err == nil:
		s.logger.LogAttrs(ctx, slog.LevelInfo, "gateway booked", slog.Any("booking", b))
	}
	return b, err
}

// Release frees the owner's booking; releasing nothing is not an error.
func (s *Service) Release(ctx context.Context, owner string) error {
	b, err := s.store.Release(ctx, owner)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil
	case err == nil:
		s.logger.LogAttrs(ctx, slog.LevelInfo, "gateway released", slog.Any("booking", b))
	}
	return err
}

// Booking returns the owner's booking (ErrNotFound).
func (s *Service) Booking(ctx context.Context, owner string) (Booking, error) {
	return s.store.Booking(ctx, owner)
}

// Bookings lists a gateway's bookings overlapping window.
func (s *Service) Bookings(ctx context.Context, gatewayID int64, window Slot) ([]Booking, error) {
	if gatewayID <= 0 {
		return nil, ErrNotFound
	}
	if err := window.Validate(0); err != nil {
		return nil, err
	}
	return s.store.Bookings(ctx, BookingQuery{GatewayID: gatewayID, Window: window})
}

// Capacity is the number of gateways of a pool free during Slot.
type Capacity struct {
	Slot  Slot
	Total int // enabled gateways in the pool
	Free  int
}

// FreeCapacity describes, between window.Start and window.End, how many of
// the pool's enabled gateways are free: consecutive intervals with a
// constant count, covering the window.
func (s *Service) FreeCapacity(ctx context.Context, pool string, window Slot) ([]Capacity, error) {
	if err := window.Validate(0); err != nil {
		return nil, err
	}
	gws, err := s.store.Gateways(ctx)
	if err != nil {
		return nil, err
	}
	enabled := map[int64]bool{}
	for _, g := range gws {
		if g.Enabled && g.Pool == pool {
			enabled[g.ID] = true
		}
	}
	bookings, err := s.store.Bookings(ctx, BookingQuery{Pool: pool, Window: window})
	if err != nil {
		return nil, err
	}
	return capacityTimeline(window, len(enabled), bookings, func(b Booking) bool { return enabled[b.GatewayID] }), nil
}

// capacityTimeline sweeps the bookings' edges across the window.
func capacityTimeline(window Slot, total int, bookings []Booking, counts func(Booking) bool) []Capacity {
	type edge struct {
		at    time.Time
		delta int
	}
	edges := make([]edge, 0, 2*len(bookings))
	for _, b := range bookings {
		if !counts(b) || !b.Slot.Overlaps(window) {
			continue
		}
		start, end := maxTime(b.Slot.Start, window.Start), minTime(b.Slot.End, window.End)
		edges = append(edges, edge{start, +1}, edge{end, -1})
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.at.Compare(b.at) })
	out := []Capacity{}
	busy, from := 0, window.Start
	emit := func(to time.Time) {
		if !to.After(from) {
			return
		}
		free := total - busy
		if n := len(out); n > 0 && out[n-1].Free == free && out[n-1].Slot.End.Equal(from) {
			out[n-1].Slot.End = to
		} else {
			out = append(out, Capacity{Slot: Slot{Start: from, End: to}, Total: total, Free: free})
		}
		from = to
	}
	for _, e := range edges {
		emit(e.at)
		busy += e.delta
	}
	emit(window.End)
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

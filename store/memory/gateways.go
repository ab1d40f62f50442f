package memory

import (
	"github.com/bbbcast/bbbcast/internal/ctxguard"

	"context"
	"slices"
	"sync"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// Store keeps gateways, bookings, webinars and leases in memory. The zero
// value is not usable: call New.
type Store struct {
	mu       sync.Mutex
	nextID   int64
	gateways map[int64]*gw
	pools    map[string][]*gw // each pool's gateways in allocation order
	byServer map[string]int64 // gateway.ServerKey → gateway ID
	owners   map[string]int64 // owner → ID of the gateway holding its booking

	wmu        sync.Mutex // webinars and leases, apart from gateways
	webinars   map[string]webinar.Webinar
	meetingIDs map[string]string // BBB meeting ID → webinar ID
	leases     map[string]lease
}

// gw is a gateway and its bookings, sorted by start; they never overlap,
// so their ends are sorted too.
type gw struct {
	g        gateway.Gateway
	bookings []entry
}

// entry is a booking, compact: about 32 bytes plus the owner's text.
type entry struct {
	start, end int64 // Unix nanoseconds
	owner      string
}

// New returns an empty store.
func New() *Store {
	return &Store{
		nextID:   1,
		gateways: map[int64]*gw{},
		pools:    map[string][]*gw{},
		byServer: map[string]int64{},
		owners:   map[string]int64{},

		webinars:   map[string]webinar.Webinar{},
		meetingIDs: map[string]string{},
		leases:     map[string]lease{},
	}
}

// reindexLocked rebuilds the per-pool allocation order.
func (s *Store) reindexLocked() {
	clear(s.pools)
	for _, g := range s.gateways {
		s.pools[g.g.Pool] = append(s.pools[g.g.Pool], g)
	}
	for _, list := range s.pools {
		slices.SortFunc(list, func(a, b *gw) int { return compareGateways(&a.g, &b.g) })
	}
}

func compareGateways(a, b *gateway.Gateway) int {
	switch {
	case gateway.Less(a, b):
		return -1
	case gateway.Less(b, a):
		return 1
	}
	return 0
}

// CreateGateway implements gateway.Store.
func (s *Store) CreateGateway(ctx context.Context, g gateway.Gateway) (gateway.Gateway, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return gateway.Gateway{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := g.Server.Key()
	if _, dup := s.byServer[key]; dup {
		return gateway.Gateway{}, gateway.ErrDuplicateServer
	}
	g.ID = s.nextID
	s.nextID++
	s.gateways[g.ID] = &gw{g: g}
	s.byServer[key] = g.ID
	s.reindexLocked()
	return g, nil
}

// UpdateGateway implements gateway.Store.
func (s *Store) UpdateGateway(ctx context.Context, g gateway.Gateway) error {
	if err := ctxguard.Err(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.gateways[g.ID]
	if !ok {
		return gateway.ErrNotFound
	}
	key := g.Server.Key()
	if id, dup := s.byServer[key]; dup && id != g.ID {
		return gateway.ErrDuplicateServer
	}
	delete(s.byServer, cur.g.Server.Key())
	s.byServer[key] = g.ID
	cur.g = g
	s.reindexLocked()
	return nil
}

// DeleteGateway implements gateway.Store.
func (s *Store) DeleteGateway(ctx context.Context, id int64, now time.Time) error {
	if err := ctxguard.Err(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.gateways[id]
	if !ok {
		return gateway.ErrNotFound
	}
	n := now.UnixNano()
	for _, e := range cur.bookings {
		if e.end > n {
			return gateway.ErrInUse
		}
	}
	for _, e := range cur.bookings {
		delete(s.owners, e.owner)
	}
	delete(s.gateways, id)
	delete(s.byServer, cur.g.Server.Key())
	s.reindexLocked()
	return nil
}

// Gateway implements gateway.Store.
func (s *Store) Gateway(ctx context.Context, id int64) (gateway.Gateway, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return gateway.Gateway{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.gateways[id]
	if !ok {
		return gateway.Gateway{}, gateway.ErrNotFound
	}
	return cur.g, nil
}

// Gateways implements gateway.Store.
func (s *Store) Gateways(ctx context.Context) ([]gateway.Gateway, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]gateway.Gateway, 0, len(s.gateways))
	for _, g := range s.gateways {
		out = append(out, g.g)
	}
	slices.SortFunc(out, func(a, b gateway.Gateway) int { return compareGateways(&a, &b) })
	return out, nil
}

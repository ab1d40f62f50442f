package memory

import (
	"github.com/bbbcast/bbbcast/internal/ctxguard"
	"github.com/bbbcast/bbbcast/store/storekit"

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
	// indexes holds the pools' busy indexes, built by the first
	// allocation by rule after a pool's order changes (see poolIndex).
	indexes  map[string]*poolIndex
	indexMin int              // pools of fewer gateways go unindexed: minIndexed, lower in tests
	noIndex  bool             // tests: allocate by checking every gateway
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
	pos      int // position in its pool's allocation order
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
		indexes:  map[string]*poolIndex{},
		indexMin: minIndexed,
		byServer: map[string]int64{},
		owners:   map[string]int64{},

		webinars:   map[string]webinar.Webinar{},
		meetingIDs: map[string]string{},
		leases:     map[string]lease{},
	}
}

// placeLocked puts g in its pool's allocation order, found by binary
// search (sorting the pool on every change made creating 10,000 gateways
// take 13 s). Its pool's index stays when g goes at the end, else it is
// dropped, to be rebuilt by the next allocation by rule.
func (s *Store) placeLocked(g *gw) {
	pool := g.g.Pool
	list := s.pools[pool]
	i, _ := slices.BinarySearchFunc(list, g, func(a, b *gw) int { return storekit.CompareGateways(&a.g, &b.g) })
	list = slices.Insert(list, i, g)
	s.pools[pool] = list
	for j := i; j < len(list); j++ {
		list[j].pos = j
	}
	if ix := s.indexes[pool]; ix != nil {
		if i == len(list)-1 && len(list) < maxIndexed {
			ix.appendGateway(g)
		} else {
			delete(s.indexes, pool)
		}
	}
}

// unplaceLocked takes g out of the allocation order of pool, which is
// g's pool or was, and drops the pool's index.
func (s *Store) unplaceLocked(g *gw, pool string) {
	list := slices.Delete(s.pools[pool], g.pos, g.pos+1)
	for j := g.pos; j < len(list); j++ {
		list[j].pos = j
	}
	if len(list) == 0 {
		delete(s.pools, pool)
	} else {
		s.pools[pool] = list
	}
	delete(s.indexes, pool)
}

// indexLocked returns the index of pool, built if need be; nil when the
// pool goes unindexed.
func (s *Store) indexLocked(pool string) *poolIndex {
	if ix := s.indexes[pool]; ix != nil || s.noIndex {
		return ix
	}
	list := s.pools[pool]
	if len(list) == 0 || len(list) < s.indexMin || len(list) >= maxIndexed {
		return nil
	}
	ix := newPoolIndex(list)
	s.indexes[pool] = ix
	return ix
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
	cur := &gw{g: g}
	s.gateways[g.ID] = cur
	s.byServer[key] = g.ID
	s.placeLocked(cur)
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
	old := cur.g
	cur.g = g
	switch {
	case old.Pool != g.Pool || old.Order != g.Order:
		s.unplaceLocked(cur, old.Pool)
		s.placeLocked(cur)
	case old.Enabled != g.Enabled:
		if ix := s.indexes[g.Pool]; ix != nil {
			ix.setEnabled(cur.pos, g.Enabled)
		}
	}
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
	s.unplaceLocked(cur, cur.g.Pool)
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
	slices.SortFunc(out, func(a, b gateway.Gateway) int { return storekit.CompareGateways(&a, &b) })
	return out, nil
}

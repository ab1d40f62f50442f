package memory

import (
	"github.com/bbbcast/bbbcast/internal/ctxguard"

	"context"
	"slices"
	"sort"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
)

func toSlot(e entry) gateway.Slot {
	return gateway.Slot{Start: time.Unix(0, e.start).UTC(), End: time.Unix(0, e.end).UTC()}
}

func (g *gw) booking(e entry) gateway.Booking {
	return gateway.Booking{Owner: e.owner, GatewayID: g.g.ID, Pool: g.g.Pool, Slot: toSlot(e)}
}

// firstEndingAfter is the index of the first booking ending after t: a
// binary search written out, as it runs once per gateway an allocation
// looks at.
func (g *gw) firstEndingAfter(t int64) int {
	lo, hi := 0, len(g.bookings)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if g.bookings[mid].end > t {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo
}

// free reports whether no booking but owner's overlaps [start, end).
func (g *gw) free(start, end int64, owner string) bool {
	for i := g.firstEndingAfter(start); i < len(g.bookings) && g.bookings[i].start < end; i++ {
		if g.bookings[i].owner != owner {
			return false
		}
	}
	return true
}

func (g *gw) indexOf(owner string) int {
	for i, e := range g.bookings {
		if e.owner == owner {
			return i
		}
	}
	return -1
}

func (g *gw) remove(owner string) (entry, bool) {
	i := g.indexOf(owner)
	if i < 0 {
		return entry{}, false
	}
	e := g.bookings[i]
	g.bookings = slices.Delete(g.bookings, i, i+1)
	return e, true
}

func (g *gw) insert(e entry) {
	i := sort.Search(len(g.bookings), func(i int) bool { return g.bookings[i].start >= e.start })
	g.bookings = slices.Insert(g.bookings, i, e)
}

// candidate describes g for a rule.
func (g *gw) candidate(start, end int64) gateway.Candidate {
	c := gateway.Candidate{Gateway: g.g}
	if i := g.firstEndingAfter(start); i > 0 {
		c.LastEnd = time.Unix(0, g.bookings[i-1].end).UTC()
	}
	w := int64(gateway.LoadWindow)
	lo := g.firstEndingAfter(start - w)
	for i := lo; i < len(g.bookings) && g.bookings[i].start < end+w; i++ {
		c.Load++
	}
	return c
}

// Allocate implements gateway.Store: the whole decision under one lock.
func (s *Store) Allocate(ctx context.Context, req gateway.Request) (gateway.Booking, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return gateway.Booking{}, err
	}
	if err := req.Slot.Validate(0); err != nil {
		return gateway.Booking{}, err
	}
	start, end := req.Slot.Start.UnixNano(), req.Slot.End.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()

	pool := s.pools[req.Pool]
	var current *gw
	if id, ok := s.owners[req.Owner]; ok {
		current = s.gateways[id]
	}
	e := entry{start: start, end: end, owner: req.Owner}
	if req.GatewayID != 0 {
		return s.allocateOnLocked(req, current, e)
	}
	// Keep the current gateway when it can take the new slot.
	if current != nil && current.g.Enabled && current.g.Pool == req.Pool && current.free(start, end, req.Owner) {
		current.remove(req.Owner)
		current.insert(e)
		return current.booking(e), nil
	}
	chosen := s.pickLocked(pool, req, start, end)
	if chosen == nil {
		return gateway.Booking{}, s.noneFreeLocked(pool, req, start, end)
	}
	if current != nil {
		current.remove(req.Owner)
	}
	chosen.insert(e)
	s.owners[req.Owner] = chosen.g.ID
	return chosen.booking(e), nil
}

// allocateOnLocked books the gateway req pins, or nothing.
func (s *Store) allocateOnLocked(req gateway.Request, current *gw, e entry) (gateway.Booking, error) {
	g, ok := s.gateways[req.GatewayID]
	if !ok {
		return gateway.Booking{}, gateway.ErrNotFound
	}
	if !g.g.Enabled || g.g.Pool != req.Pool {
		return gateway.Booking{}, &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot, GatewayID: g.g.ID}
	}
	if !g.free(e.start, e.end, req.Owner) {
		return gateway.Booking{}, s.noneFreeLocked([]*gw{g}, req, e.start, e.end)
	}
	if current != nil {
		current.remove(req.Owner)
	}
	g.insert(e)
	s.owners[req.Owner] = g.g.ID
	return g.booking(e), nil
}

func (s *Store) pickLocked(pool []*gw, req gateway.Request, start, end int64) *gw {
	if gateway.IsFirstFree(req.Rule) {
		for _, g := range pool {
			if g.g.Enabled && g.free(start, end, req.Owner) {
				return g
			}
		}
		return nil
	}
	free := make([]*gw, 0, len(pool))
	cands := make([]gateway.Candidate, 0, len(pool))
	for _, g := range pool {
		if g.g.Enabled && g.free(start, end, req.Owner) {
			free = append(free, g)
			cands = append(cands, g.candidate(start, end))
		}
	}
	if len(free) == 0 {
		return nil
	}
	i := req.Rule.Pick(req.Slot, cands)
	if i < 0 || i >= len(free) {
		i = 0
	}
	return free[i]
}

func (s *Store) noneFreeLocked(pool []*gw, req gateway.Request, start, end int64) error {
	err := &gateway.NoGatewayFreeError{Pool: req.Pool, Slot: req.Slot, GatewayID: req.GatewayID}
	for _, g := range pool {
		if !g.g.Enabled {
			continue
		}
		err.Gateways++
		for i := g.firstEndingAfter(start); i < len(g.bookings) && g.bookings[i].start < end; i++ {
			if g.bookings[i].owner != req.Owner {
				err.Conflicts = append(err.Conflicts, g.booking(g.bookings[i]))
			}
		}
	}
	return err
}

// Release implements gateway.Store.
func (s *Store) Release(ctx context.Context, owner string) (gateway.Booking, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return gateway.Booking{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.owners[owner]
	if !ok {
		return gateway.Booking{}, gateway.ErrNotFound
	}
	g := s.gateways[id]
	e, _ := g.remove(owner)
	delete(s.owners, owner)
	return g.booking(e), nil
}

// Booking implements gateway.Store.
func (s *Store) Booking(ctx context.Context, owner string) (gateway.Booking, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return gateway.Booking{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.owners[owner]
	if !ok {
		return gateway.Booking{}, gateway.ErrNotFound
	}
	g := s.gateways[id]
	return g.booking(g.bookings[g.indexOf(owner)]), nil
}

// Bookings implements gateway.Store.
func (s *Store) Bookings(ctx context.Context, q gateway.BookingQuery) ([]gateway.Booking, error) {
	if err := ctxguard.Err(ctx); err != nil {
		return nil, err
	}
	if err := q.Window.Validate(0); err != nil {
		return nil, err
	}
	start, end := q.Window.Start.UnixNano(), q.Window.End.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	var list []*gw
	if q.GatewayID != 0 {
		g, ok := s.gateways[q.GatewayID]
		if !ok {
			return nil, gateway.ErrNotFound
		}
		list = []*gw{g}
	} else {
		list = s.pools[q.Pool]
	}
	out := []gateway.Booking{}
	for _, g := range list {
		for i := g.firstEndingAfter(start); i < len(g.bookings) && g.bookings[i].start < end; i++ {
			out = append(out, g.booking(g.bookings[i]))
		}
	}
	return out, nil
}

var _ gateway.Store = (*Store)(nil)

package memory

import (
	"github.com/bbbcast/bbbcast/internal/ctxguard"
	"github.com/bbbcast/bbbcast/store/storekit"

	"context"
	"math/bits"
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

// bookLocked gives g the booking e, in its pool's index too.
func (s *Store) bookLocked(g *gw, e entry) {
	g.insert(e)
	if ix := s.indexes[g.g.Pool]; ix != nil {
		ix.update(g.pos, e.start, e.end, true)
	}
}

// unbookLocked takes owner's booking off g, off its pool's index too.
func (s *Store) unbookLocked(g *gw, owner string) (entry, bool) {
	e, ok := g.remove(owner)
	if ok {
		if ix := s.indexes[g.g.Pool]; ix != nil {
			ix.update(g.pos, e.start, e.end, false)
		}
	}
	return e, ok
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
		s.unbookLocked(current, req.Owner)
		s.bookLocked(current, e)
		return current.booking(e), nil
	}
	chosen := s.pickLocked(pool, req, start, end)
	if chosen == nil {
		return gateway.Booking{}, s.noneFreeLocked(pool, req, start, end)
	}
	if current != nil {
		s.unbookLocked(current, req.Owner)
	}
	s.bookLocked(chosen, e)
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
		s.unbookLocked(current, req.Owner)
	}
	s.bookLocked(g, e)
	s.owners[req.Owner] = g.g.ID
	return g.booking(e), nil
}

// pickLocked returns the gateway req.Rule picks among the enabled gateways
// of pool free during [start, end), nil when none is.
//
// With the pool's index, the free gateways are the enabled ones that the
// index does not report busy: exactly the ones the scan below finds, in
// the same order, so the choice is the same. The index counts the owner's
// own booking as busy where the scan does not, which changes nothing:
// Allocate calls pickLocked only when the owner's gateway, if it is an
// enabled gateway of the pool, is busy with another booking anyway, and
// the owner has no other booking.
//
// FirstFree takes the first free gateway: with the index, after checking
// the first firstFreeProbes gateways, a scan of the words of two bitsets.
// The other rules look at every free gateway (a Candidate each, with its
// LastEnd and Load): linear in the free gateways, the index only sparing
// them the busy ones.
func (s *Store) pickLocked(pool []*gw, req gateway.Request, start, end int64) *gw {
	if ix := s.indexLocked(req.Pool); ix != nil {
		return pickIndexed(ix, pool, req, start, end)
	}
	if storekit.IsFirstFree(req.Rule) {
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

// firstFreeProbes is how many gateways at the head of a pool FirstFree
// checks one by one before it asks the index: on a pool that is not busy
// the first gateway is free most of the time, and a binary search in its
// bookings, which every allocation reads, costs less than the index's
// nodes, which are cold in the cache for a slot anywhere in the year.
const firstFreeProbes = 2

// pickIndexed is pickLocked with the pool's index.
func pickIndexed(ix *poolIndex, pool []*gw, req gateway.Request, start, end int64) *gw {
	if storekit.IsFirstFree(req.Rule) {
		for _, g := range pool[:min(len(pool), firstFreeProbes)] {
			if g.g.Enabled && g.free(start, end, req.Owner) {
				return g
			}
		}
		busy := ix.busyDuring(start, end)
		for w, on := range ix.enabled {
			if free := on &^ busy[w]; free != 0 {
				return pool[w<<6+bits.TrailingZeros64(free)]
			}
		}
		return nil
	}
	busy := ix.busyDuring(start, end)
	n := 0
	for w, on := range ix.enabled {
		n += bits.OnesCount64(on &^ busy[w])
	}
	if n == 0 {
		return nil
	}
	free := make([]*gw, 0, n)
	cands := make([]gateway.Candidate, 0, n)
	for w, on := range ix.enabled {
		for f := on &^ busy[w]; f != 0; f &= f - 1 {
			g := pool[w<<6+bits.TrailingZeros64(f)]
			free = append(free, g)
			cands = append(cands, g.candidate(start, end))
		}
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
		if err.Truncated {
			continue // counting the enabled gateways only
		}
		for i := g.firstEndingAfter(start); i < len(g.bookings) && g.bookings[i].start < end; i++ {
			if g.bookings[i].owner == req.Owner {
				continue
			}
			if req.GatewayID == 0 && len(err.Conflicts) == gateway.MaxConflicts {
				err.Truncated = true
				break
			}
			err.Conflicts = append(err.Conflicts, g.booking(g.bookings[i]))
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
	e, _ := s.unbookLocked(g, owner)
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

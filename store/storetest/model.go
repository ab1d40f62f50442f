package storetest

import (
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
)

// model is the brute-force reference of the property test: a plain list
// of gateways and a plain list of bookings, with the rules of the
// gateway.Store documentation applied naively, by scanning everything.
type model struct {
	gateways []gateway.Gateway // in creation order
	bookings []gateway.Booking // in no order; Pool is set on the way out
	maxID    int64
}

// overlap is the rule of half-open slots, written out.
func overlap(a, b gateway.Slot) bool {
	return a.Start.Before(b.End) && b.Start.Before(a.End)
}

func (m *model) find(id int64) int {
	for i, g := range m.gateways {
		if g.ID == id {
			return i
		}
	}
	return -1
}

func (m *model) findOwner(owner string) int {
	for i, b := range m.bookings {
		if b.Owner == owner {
			return i
		}
	}
	return -1
}

// ordered is every gateway in allocation order: Order, then ID.
func (m *model) ordered() []gateway.Gateway {
	out := append([]gateway.Gateway(nil), m.gateways...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Order != out[j].Order {
			return out[i].Order < out[j].Order
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// out is b as the store shows it: in its gateway's pool.
func (m *model) out(b gateway.Booking) gateway.Booking {
	b.Pool = m.gateways[m.find(b.GatewayID)].Pool
	return b
}

// on lists the bookings of gateway id overlapping w, owner's aside, by
// start.
func (m *model) on(id int64, w gateway.Slot, except string) []gateway.Booking {
	var out []gateway.Booking
	for _, b := range m.bookings {
		if b.GatewayID == id && b.Owner != except && overlap(b.Slot, w) {
			out = append(out, m.out(b))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Slot.Start.Before(out[j].Slot.Start) })
	return out
}

func (m *model) sameServer(srv gateway.Server, except int64) bool {
	for _, g := range m.gateways {
		if g.ID != except && g.Server.Key() == srv.Key() {
			return true
		}
	}
	return false
}

func (m *model) create(g gateway.Gateway) error {
	if m.sameServer(g.Server, 0) {
		return gateway.ErrDuplicateServer
	}
	return nil
}

func (m *model) update(g gateway.Gateway) error {
	i := m.find(g.ID)
	switch {
	case i < 0:
		return gateway.ErrNotFound
	case m.sameServer(g.Server, g.ID):
		return gateway.ErrDuplicateServer
	}
	m.gateways[i] = g
	return nil
}

func (m *model) delete(id int64, now time.Time) error {
	i := m.find(id)
	if i < 0 {
		return gateway.ErrNotFound
	}
	for _, b := range m.bookings {
		if b.GatewayID == id && b.Slot.End.After(now) {
			return gateway.ErrInUse
		}
	}
	kept := m.bookings[:0]
	for _, b := range m.bookings {
		if b.GatewayID != id {
			kept = append(kept, b)
		}
	}
	m.bookings = kept
	m.gateways = append(m.gateways[:i], m.gateways[i+1:]...)
	return nil
}

// candidate describes g for a rule, from the Candidate doc comments.
func (m *model) candidate(g gateway.Gateway, s gateway.Slot) gateway.Candidate {
	c := gateway.Candidate{Gateway: g}
	around := gateway.Slot{Start: s.Start.Add(-gateway.LoadWindow), End: s.End.Add(gateway.LoadWindow)}
	for _, b := range m.bookings {
		if b.GatewayID != g.ID {
			continue
		}
		if !b.Slot.End.After(s.Start) && b.Slot.End.After(c.LastEnd) {
			c.LastEnd = b.Slot.End
		}
		if overlap(b.Slot, around) {
			c.Load++
		}
	}
	return c
}

// The rules, as their doc comments say.
const (
	ruleNil = iota // nil means FirstFree
	ruleFirstFree
	ruleLRU
	ruleSpread
	ruleCount
)

var ruleNames = [ruleCount]string{"nil", "FirstFree", "LeastRecentlyUsed", "SpreadLoad"}
var storeRules = [ruleCount]gateway.Rule{nil, gateway.FirstFree, gateway.LeastRecentlyUsed, gateway.SpreadLoad}

func modelPick(rule int, free []gateway.Candidate) int {
	best := 0
	switch rule {
	case ruleLRU: // rested longest before the slot, never used first
		for i, c := range free {
			b := free[best]
			switch {
			case b.LastEnd.IsZero():
			case c.LastEnd.IsZero():
				best = i
			case c.LastEnd.Before(b.LastEnd):
				best = i
			}
		}
	case ruleSpread: // fewest bookings around the slot, first among equals
		for i, c := range free {
			if c.Load < free[best].Load {
				best = i
			}
		}
	}
	return best
}

func (m *model) allocate(owner, pool string, s gateway.Slot, rule int) (gateway.Booking, error) {
	mine := m.findOwner(owner)
	if mine >= 0 {
		g := m.gateways[m.find(m.bookings[mine].GatewayID)]
		if g.Enabled && g.Pool == pool && len(m.on(g.ID, s, owner)) == 0 {
			m.bookings[mine].Slot = s
			return m.out(m.bookings[mine]), nil
		}
	}
	var (
		free      []gateway.Candidate
		conflicts []gateway.Booking
		enabled   int
	)
	for _, g := range m.ordered() {
		if g.Pool != pool || !g.Enabled {
			continue
		}
		enabled++
		if busy := m.on(g.ID, s, owner); len(busy) > 0 {
			conflicts = append(conflicts, busy...)
		} else {
			free = append(free, m.candidate(g, s))
		}
	}
	if len(free) == 0 {
		full := &gateway.NoGatewayFreeError{Pool: pool, Slot: s, Gateways: enabled, Conflicts: conflicts}
		if len(conflicts) > gateway.MaxConflicts {
			full.Conflicts, full.Truncated = conflicts[:gateway.MaxConflicts], true
		}
		return gateway.Booking{}, full
	}
	b := gateway.Booking{Owner: owner, GatewayID: free[modelPick(rule, free)].Gateway.ID, Slot: s}
	if mine >= 0 {
		m.bookings[mine] = b
	} else {
		m.bookings = append(m.bookings, b)
	}
	return m.out(b), nil
}

// allocateOn is a pinned allocation: gateway id or nothing.
func (m *model) allocateOn(owner, pool string, id int64, s gateway.Slot) (gateway.Booking, error) {
	i := m.find(id)
	if i < 0 {
		return gateway.Booking{}, gateway.ErrNotFound
	}
	g := m.gateways[i]
	if !g.Enabled || g.Pool != pool {
		return gateway.Booking{}, &gateway.NoGatewayFreeError{Pool: pool, Slot: s, GatewayID: id}
	}
	if busy := m.on(id, s, owner); len(busy) > 0 {
		return gateway.Booking{}, &gateway.NoGatewayFreeError{Pool: pool, Slot: s, GatewayID: id, Gateways: 1, Conflicts: busy}
	}
	b := gateway.Booking{Owner: owner, GatewayID: id, Slot: s}
	if mine := m.findOwner(owner); mine >= 0 {
		m.bookings[mine] = b
	} else {
		m.bookings = append(m.bookings, b)
	}
	return m.out(b), nil
}

func (m *model) release(owner string) (gateway.Booking, error) {
	i := m.findOwner(owner)
	if i < 0 {
		return gateway.Booking{}, gateway.ErrNotFound
	}
	b := m.out(m.bookings[i])
	m.bookings = append(m.bookings[:i], m.bookings[i+1:]...)
	return b, nil
}

func (m *model) booking(owner string) (gateway.Booking, error) {
	i := m.findOwner(owner)
	if i < 0 {
		return gateway.Booking{}, gateway.ErrNotFound
	}
	return m.out(m.bookings[i]), nil
}

// list is Bookings: of one gateway, or of a pool by gateway in
// allocation order, then by start.
func (m *model) list(q gateway.BookingQuery) ([]gateway.Booking, error) {
	if q.GatewayID != 0 {
		if m.find(q.GatewayID) < 0 {
			return nil, gateway.ErrNotFound
		}
		return m.on(q.GatewayID, q.Window, ""), nil
	}
	var out []gateway.Booking
	for _, g := range m.ordered() {
		if g.Pool == q.Pool {
			out = append(out, m.on(g.ID, q.Window, "")...)
		}
	}
	return out, nil
}

// Sizes of the property test: under a second per seed with -race.
const (
	modelSeeds  = 4
	modelOps    = 3000
	modelOwners = 30
)

var modelPools = []string{"a", "a", "a", "a", "a", "a", "b", "b", "c"} // c never has a gateway

// testModel replays, for several seeds, one random sequence of operations
// on the store and on the model, and requires identical answers.
func testModel(t *testing.T, newStore func(*testing.T) gateway.Store) {
	for seed := int64(1); seed <= modelSeeds; seed++ {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			t.Parallel()
			r := &replay{harness: newHarness(t, newStore), rng: rand.New(rand.NewSource(seed)), seed: seed}
			r.run(modelOps)
		})
	}
}

type replay struct {
	*harness
	m    model
	rng  *rand.Rand
	seed int64
	step int
	log  []string // the operations so far, for a failure's report
	// counts by outcome, logged at the end
	counts map[string]int
}

func (r *replay) logf(format string, args ...any) {
	r.log = append(r.log, fmt.Sprintf("%4d ", r.step)+fmt.Sprintf(format, args...))
}

func (r *replay) fail(format string, args ...any) {
	r.t.Helper()
	from := max(0, len(r.log)-25)
	r.t.Fatalf("seed %d, operation %d: %s\nthe last operations:\n%s", r.seed, r.step, fmt.Sprintf(format, args...), strings.Join(r.log[from:], "\n"))
}

func (r *replay) randomSlot() gateway.Slot {
	start := base.Add(time.Duration(r.rng.Intn(3*24*4)) * 15 * time.Minute)
	end := start.Add(time.Duration(1+r.rng.Intn(16)) * 15 * time.Minute)
	switch r.rng.Intn(16) {
	case 0:
		start = start.Add(ns)
	case 1:
		start = start.Add(-ns)
	case 2:
		end = end.Add(ns)
	case 3:
		end = end.Add(-ns)
	}
	return gateway.Slot{Start: start, End: end}
}

func (r *replay) randomOwner() string {
	if r.rng.Intn(50) == 0 {
		return "ghost"
	}
	return fmt.Sprint("o", r.rng.Intn(modelOwners))
}

// randomGatewayID is an existing gateway's ID, or sometimes a missing one.
func (r *replay) randomGatewayID() int64 {
	if len(r.m.gateways) == 0 || r.rng.Intn(20) == 0 {
		return r.m.maxID + 1000
	}
	return r.m.gateways[r.rng.Intn(len(r.m.gateways))].ID
}

func (r *replay) run(ops int) {
	r.counts = map[string]int{}
	for range 5 {
		r.createGateway()
	}
	for r.step = 1; r.step <= ops; r.step++ {
		switch n := r.rng.Intn(100); {
		case n < 4:
			r.createGateway()
		case n < 12:
			r.updateGateway()
		case n < 14:
			r.deleteGateway()
		case n < 70:
			r.allocate()
		case n < 80:
			r.allocateOn()
		case n < 90:
			r.release()
		default:
			r.query()
		}
		if r.step%250 == 0 {
			r.compareState()
		}
	}
	r.compareState()
	r.t.Logf("seed %d: %d operations: %v", r.seed, ops, r.counts)
}

func (r *replay) sameErr(what string, want, got error) {
	r.t.Helper()
	if errKind(want) != errKind(got) {
		r.fail("%s: the model says %s, the store %s", what, errKind(want), errKind(got))
	}
}

func (r *replay) createGateway() {
	g := r.newGateway(modelPools[r.rng.Intn(len(modelPools)-1)], r.rng.Intn(4))
	if len(r.m.gateways) > 0 && r.rng.Intn(10) == 0 {
		g.Server.URL = strings.ToUpper(r.m.gateways[r.rng.Intn(len(r.m.gateways))].Server.URL) + "/"
	}
	r.logf("create gateway pool=%s order=%d url=%s", g.Pool, g.Order, g.Server.URL)
	want := r.m.create(g)
	got, err := r.store.CreateGateway(r.ctx, g)
	r.sameErr("create", want, err)
	r.counts["create "+errKind(err)]++
	if err != nil {
		return
	}
	if got.ID <= r.m.maxID {
		r.fail("create: ID %d after %d", got.ID, r.m.maxID)
	}
	g.ID, r.m.maxID = got.ID, got.ID
	r.m.gateways = append(r.m.gateways, g)
	r.logf("  → gateway %d", g.ID)
}

func (r *replay) updateGateway() {
	id := r.randomGatewayID()
	g := r.newGateway("a", 0)
	if i := r.m.find(id); i >= 0 {
		g = r.m.gateways[i]
	}
	g.ID = id
	what := ""
	switch n := r.rng.Intn(10); {
	case n < 6:
		g.Enabled = !g.Enabled
		what = fmt.Sprint("enabled=", g.Enabled)
	case n < 7:
		g.Pool = modelPools[r.rng.Intn(len(modelPools)-1)]
		what = "pool=" + g.Pool
	case n < 9:
		g.Order = r.rng.Intn(4)
		what = fmt.Sprint("order=", g.Order)
	case len(r.m.gateways) == 0:
		g.Enabled = !g.Enabled
		what = fmt.Sprint("enabled=", g.Enabled)
	default:
		other := r.m.gateways[r.rng.Intn(len(r.m.gateways))]
		g.Server.URL = strings.Replace(other.Server.URL, "https://", "HTTPS://", 1) + ":443"
		what = "url=" + g.Server.URL
	}
	r.logf("update gateway %d %s", id, what)
	want := r.m.update(g)
	r.sameErr("update", want, r.store.UpdateGateway(r.ctx, g))
	r.counts["update "+errKind(want)]++
}

func (r *replay) deleteGateway() {
	id := r.randomGatewayID()
	now := base.Add(time.Duration(r.rng.Intn(5*24*4)-4*24) * 15 * time.Minute)
	r.logf("delete gateway %d now=%s", id, now.Format(time.RFC3339))
	want := r.m.delete(id, now)
	r.sameErr("delete", want, r.store.DeleteGateway(r.ctx, id, now))
	r.counts["delete "+errKind(want)]++
}

func (r *replay) allocate() {
	owner := r.randomOwner()
	pool := modelPools[r.rng.Intn(len(modelPools))]
	s := r.randomSlot()
	rule := r.rng.Intn(ruleCount)
	before, beforeErr := r.m.booking(owner)
	if beforeErr == nil && r.rng.Intn(2) == 0 {
		// Editing a slot: moved or stretched by up to two hours, so
		// that it often overlaps the old one.
		shift := func() time.Duration { return time.Duration(r.rng.Intn(17)-8) * 15 * time.Minute }
		s = gateway.Slot{Start: before.Slot.Start.Add(shift()), End: before.Slot.End.Add(shift())}
		if !s.End.After(s.Start) {
			s.End = s.Start.Add(15 * time.Minute)
		}
	}
	r.logf("allocate %s pool=%s %s rule=%s", owner, pool, slotString(s), ruleNames[rule])
	want, wantErr := r.m.allocate(owner, pool, s, rule)
	got, err := r.store.Allocate(r.ctx, gateway.Request{Owner: owner, Pool: pool, Slot: s, Rule: storeRules[rule]})
	r.compareAllocation("allocate", before, beforeErr, want, wantErr, got, err)
}

// allocateOn pins a random gateway, often the owner's own (an extension)
// or one of its pool.
func (r *replay) allocateOn() {
	owner := r.randomOwner()
	pool := modelPools[r.rng.Intn(len(modelPools))]
	s := r.randomSlot()
	id := r.randomGatewayID()
	before, beforeErr := r.m.booking(owner)
	if beforeErr == nil && r.rng.Intn(2) == 0 {
		// Extending a running webinar's booking on its gateway.
		id, pool = before.GatewayID, before.Pool
		s = gateway.Slot{Start: before.Slot.Start, End: before.Slot.End.Add(time.Duration(r.rng.Intn(8)+1) * 15 * time.Minute)}
	}
	r.logf("allocateOn %s pool=%s gateway=%d %s", owner, pool, id, slotString(s))
	want, wantErr := r.m.allocateOn(owner, pool, id, s)
	got, err := r.store.Allocate(r.ctx, gateway.Request{Owner: owner, Pool: pool, Slot: s, GatewayID: id})
	r.compareAllocation("allocateOn", before, beforeErr, want, wantErr, got, err)
}

// compareAllocation requires the store's answer to an allocation to be
// the model's, and counts its outcome.
func (r *replay) compareAllocation(op string, before gateway.Booking, beforeErr error, want gateway.Booking, wantErr error, got gateway.Booking, err error) {
	r.sameErr(op, wantErr, err)
	switch {
	case err == nil:
		if norm(want) != norm(got) {
			r.fail("%s: the model books %+v, the store %+v", op, norm(want), norm(got))
		}
		r.logf("  → gateway %d", got.GatewayID)
		switch {
		case beforeErr != nil:
			r.counts[op+": new"]++
		case before.GatewayID == got.GatewayID:
			r.counts[op+": kept"]++
		default:
			r.counts[op+": moved"]++
		}
	case errors.Is(err, gateway.ErrNoGatewayFree):
		var w, g *gateway.NoGatewayFreeError
		require.ErrorAs(r.t, wantErr, &w)
		if !errors.As(err, &g) {
			r.fail("%s: %v is not a *NoGatewayFreeError", op, err)
		}
		if w.Pool != g.Pool || normSlot(w.Slot) != normSlot(g.Slot) || w.Gateways != g.Gateways || w.GatewayID != g.GatewayID ||
			!slices.Equal(normAll(w.Conflicts), normAll(g.Conflicts)) || w.Truncated != g.Truncated {
			r.fail("%s refused:\nthe model: %+v\nthe store: %+v", op, *w, *g)
		}
		r.logf("  → refused, %d conflicts", len(g.Conflicts))
		r.counts[op+": refused"]++
	default:
		r.counts[op+": "+errKind(err)]++
	}
}

func (r *replay) release() {
	owner := r.randomOwner()
	r.logf("release %s", owner)
	want, wantErr := r.m.release(owner)
	got, err := r.store.Release(r.ctx, owner)
	r.sameErr("release", wantErr, err)
	if err == nil && norm(want) != norm(got) {
		r.fail("release: the model returns %+v, the store %+v", norm(want), norm(got))
	}
	r.counts["release "+errKind(err)]++
}

func (r *replay) query() {
	owner := r.randomOwner()
	want, wantErr := r.m.booking(owner)
	got, err := r.store.Booking(r.ctx, owner)
	r.sameErr("booking of "+owner, wantErr, err)
	if err == nil && norm(want) != norm(got) {
		r.fail("booking of %s: the model has %+v, the store %+v", owner, norm(want), norm(got))
	}
	q := gateway.BookingQuery{Window: r.randomSlot()}
	q.Window.End = q.Window.End.Add(time.Duration(r.rng.Intn(12)) * time.Hour)
	if r.rng.Intn(2) == 0 {
		q.GatewayID = r.randomGatewayID()
	} else {
		q.Pool = modelPools[r.rng.Intn(len(modelPools))]
	}
	r.logf("bookings %+v", q)
	r.compareList(q)
	r.counts["query"]++
}

func (r *replay) compareList(q gateway.BookingQuery) {
	r.t.Helper()
	want, wantErr := r.m.list(q)
	got, err := r.store.Bookings(r.ctx, q)
	r.sameErr(fmt.Sprintf("bookings %+v", q), wantErr, err)
	if !slices.Equal(normAll(want), normAll(got)) {
		r.fail("bookings %+v:\nthe model: %+v\nthe store: %+v", q, normAll(want), normAll(got))
	}
}

// sameGateway compares every field, secrets by value: a store rebuilds
// them, it need not hand back the ones it was given.
func sameGateway(a, b gateway.Gateway) bool {
	if !a.RTMPURL.Equal(b.RTMPURL) || !a.Server.Token.Equal(b.Server.Token) {
		return false
	}
	a.RTMPURL, b.RTMPURL = gateway.Secret{}, gateway.Secret{}
	a.Server.Token, b.Server.Token = gateway.Secret{}, gateway.Secret{}
	return a == b
}

// compareState compares everything: gateways, every owner's booking and
// every pool's bookings.
func (r *replay) compareState() {
	r.t.Helper()
	gws, err := r.store.Gateways(r.ctx)
	require.NoError(r.t, err)
	if want := r.m.ordered(); !slices.EqualFunc(want, gws, sameGateway) {
		r.fail("gateways:\nthe model: %+v\nthe store: %+v", want, gws)
	}
	for i := range modelOwners {
		owner := fmt.Sprint("o", i)
		want, wantErr := r.m.booking(owner)
		got, err := r.store.Booking(r.ctx, owner)
		r.sameErr("booking of "+owner, wantErr, err)
		if norm(want) != norm(got) {
			r.fail("booking of %s: the model has %+v, the store %+v", owner, norm(want), norm(got))
		}
	}
	for _, pool := range []string{"a", "b", "c"} {
		r.compareList(gateway.BookingQuery{Pool: pool, Window: everything})
	}
}

func slotString(s gateway.Slot) string {
	return "[" + s.Start.Format(time.RFC3339Nano) + ", " + s.End.Format(time.RFC3339Nano) + ")"
}

package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
	"github.com/bbbcast/bbbcast/store/memory"
)

// spy is a memory store that records the calls it gets and can fail them.
type spy struct {
	gateway.Store
	mu     sync.Mutex
	calls  []string
	req    gateway.Request // the last allocation
	now    time.Time       // the last deletion's now
	fail   error           // returned by calls when set,
	failOn string          // by this one only when set
}

func newSpy() *spy { return &spy{Store: memory.New()} }

func (s *spy) record(call string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, call)
	if s.failOn != "" && s.failOn != call {
		return nil
	}
	return s.fail
}

func (s *spy) Calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.calls...)
}

func (s *spy) CreateGateway(ctx context.Context, g gateway.Gateway) (gateway.Gateway, error) {
	if err := s.record("CreateGateway"); err != nil {
		return gateway.Gateway{}, err
	}
	return s.Store.CreateGateway(ctx, g)
}

func (s *spy) UpdateGateway(ctx context.Context, g gateway.Gateway) error {
	if err := s.record("UpdateGateway"); err != nil {
		return err
	}
	return s.Store.UpdateGateway(ctx, g)
}

func (s *spy) DeleteGateway(ctx context.Context, id int64, now time.Time) error {
	s.mu.Lock()
	s.now = now
	s.mu.Unlock()
	if err := s.record("DeleteGateway"); err != nil {
		return err
	}
	return s.Store.DeleteGateway(ctx, id, now)
}

func (s *spy) Allocate(ctx context.Context, req gateway.Request) (gateway.Booking, error) {
	s.mu.Lock()
	s.req = req
	s.mu.Unlock()
	if err := s.record("Allocate"); err != nil {
		return gateway.Booking{}, err
	}
	return s.Store.Allocate(ctx, req)
}

func (s *spy) Release(ctx context.Context, owner string) (gateway.Booking, error) {
	if err := s.record("Release"); err != nil {
		return gateway.Booking{}, err
	}
	return s.Store.Release(ctx, owner)
}

func (s *spy) Bookings(ctx context.Context, q gateway.BookingQuery) ([]gateway.Booking, error) {
	if err := s.record("Bookings"); err != nil {
		return nil, err
	}
	return s.Store.Bookings(ctx, q)
}

func (s *spy) Gateways(ctx context.Context) ([]gateway.Gateway, error) {
	if err := s.record("Gateways"); err != nil {
		return nil, err
	}
	return s.Store.Gateways(ctx)
}

// newGateways stores n valid gateways of pool through svc.
func newGateways(t *testing.T, svc *gateway.Service, pool string, n int) []gateway.Gateway {
	t.Helper()
	out := make([]gateway.Gateway, n)
	for i := range out {
		g := validGateway()
		g.Pool = pool
		g.Name = fmt.Sprintf("%s-%d", pool, i)
		g.Server.URL = fmt.Sprintf("https://%s-%d.sip.example.org", pool, i)
		var err error
		out[i], err = svc.CreateGateway(context.Background(), g)
		require.NoError(t, err)
	}
	return out
}

func TestServiceValidatesBeforeTheStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newSpy()
	svc := gateway.NewService(gateway.Config{Store: st, MaxSlot: 2 * time.Hour})
	bad := validGateway()
	bad.Server.Token = gateway.NewSecret("1234")
	_, err := svc.CreateGateway(ctx, bad)
	assert.ErrorIs(t, err, gateway.ErrInvalidGateway)
	bad.ID = 1
	assert.ErrorIs(t, svc.UpdateGateway(ctx, bad), gateway.ErrInvalidGateway)
	h := time.Hour
	for _, s := range []gateway.Slot{{}, sl(9*h, 9*h), sl(10*h, 9*h), sl(9*h, 11*h+ns)} {
		_, err = svc.Allocate(ctx, "w", "", s)
		assert.ErrorIs(t, err, gateway.ErrInvalidSlot, "%s", s)
	}
	_, err = svc.Allocate(ctx, "", "", sl(9*h, 10*h))
	assert.Error(t, err, "an owner is required")
	_, err = svc.Bookings(ctx, 1, sl(9*h, 9*h))
	assert.ErrorIs(t, err, gateway.ErrInvalidSlot)
	_, err = svc.FreeCapacity(ctx, "", sl(10*h, 9*h))
	assert.ErrorIs(t, err, gateway.ErrInvalidSlot)
	assert.Empty(t, st.Calls(), "nothing invalid reaches the store")

	// The maximum is inclusive.
	newGateways(t, svc, "", 1)
	_, err = svc.Allocate(ctx, "w", "", sl(9*h, 11*h))
	assert.NoError(t, err)
}

func TestServiceMaxSlot(t *testing.T) {
	t.Parallel()
	const year = 365 * 24 * time.Hour
	tests := []struct {
		name    string
		maxSlot time.Duration
		ok      time.Duration // the longest slot allocated
		refused time.Duration // 0: none refused under a year
	}{
		{"zero is DefaultMaxSlot", 0, gateway.DefaultMaxSlot, gateway.DefaultMaxSlot + ns},
		{"set", 2 * time.Hour, 2 * time.Hour, 2*time.Hour + ns},
		{"negative is no limit", -1, year, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			svc := gateway.NewService(gateway.Config{Store: memory.New(), MaxSlot: tt.maxSlot})
			newGateways(t, svc, "", 1)
			if tt.refused > 0 {
				_, err := svc.Allocate(ctx, "w", "", sl(0, tt.refused))
				assert.ErrorIs(t, err, gateway.ErrInvalidSlot)
			}
			_, err := svc.Allocate(ctx, "w", "", sl(0, tt.ok))
			assert.NoError(t, err)
		})
	}
}

func TestServiceAllocatePassesTheRule(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, rule := range []gateway.Rule{gateway.LeastRecentlyUsed, gateway.SpreadLoad} {
		st := newSpy()
		svc := gateway.NewService(gateway.Config{Store: st, Rule: rule})
		newGateways(t, svc, "p", 2)
		_, err := svc.Allocate(ctx, "w", "p", sl(time.Hour, 2*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, gateway.Request{Owner: "w", Pool: "p", Slot: sl(time.Hour, 2*time.Hour), Rule: rule}, st.req)
	}
	st := newSpy()
	svc := gateway.NewService(gateway.Config{Store: st})
	newGateways(t, svc, "p", 1)
	_, err := svc.Allocate(ctx, "w", "p", sl(time.Hour, 2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, gateway.FirstFree, st.req.Rule, "FirstFree by default")
}

func TestServiceCapacityHandler(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newSpy()
	var events []gateway.CapacityEvent
	svc := gateway.NewService(gateway.Config{Store: st, CapacityHandler: func(_ context.Context, e gateway.CapacityEvent) {
		events = append(events, e)
	}})
	g := newGateways(t, svc, "p", 2)
	h := time.Hour
	b1, err := svc.Allocate(ctx, "w1", "p", sl(9*h, 11*h))
	require.NoError(t, err)
	b2, err := svc.Allocate(ctx, "w2", "p", sl(10*h, 12*h))
	require.NoError(t, err)
	assert.Empty(t, events, "no event while gateways are free")

	_, err = svc.Allocate(ctx, "w3", "p", sl(10*h, 11*h))
	require.ErrorIs(t, err, gateway.ErrNoGatewayFree)
	require.Len(t, events, 1)
	assert.Equal(t, gateway.CapacityEvent{Pool: "p", Slot: sl(10*h, 11*h), Owner: "w3", Gateways: 2,
		Conflicts: []gateway.Booking{b1, b2}}, events[0])
	assert.Equal(t, []int64{g[0].ID, g[1].ID}, []int64{b1.GatewayID, b2.GatewayID})

	// A refused edit reports too, and its own booking is no conflict.
	b4, err := svc.Allocate(ctx, "w4", "p", sl(12*h, 13*h))
	require.NoError(t, err)
	require.Equal(t, g[0].ID, b4.GatewayID)
	_, err = svc.Allocate(ctx, "w1", "p", sl(10*h, 12*h+30*time.Minute))
	require.ErrorIs(t, err, gateway.ErrNoGatewayFree)
	require.Len(t, events, 2)
	assert.Equal(t, []gateway.Booking{b4, b2}, events[1].Conflicts)
	still, err := svc.Booking(ctx, "w1")
	require.NoError(t, err)
	assert.Equal(t, b1, still, "a refused edit changes nothing")

	// Other failures are no capacity event.
	st.fail = errors.New("database down")
	_, err = svc.Allocate(ctx, "w5", "p", sl(10*h, 11*h))
	require.ErrorIs(t, err, st.fail)
	assert.Len(t, events, 2)
}

func TestServiceRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := newSpy()
	svc := gateway.NewService(gateway.Config{Store: st})
	newGateways(t, svc, "", 1)
	assert.NoError(t, svc.Release(ctx, "nobody"), "releasing nothing is not an error")
	_, err := svc.Allocate(ctx, "w", "", sl(time.Hour, 2*time.Hour))
	require.NoError(t, err)
	require.NoError(t, svc.Release(ctx, "w"))
	_, err = svc.Booking(ctx, "w")
	assert.ErrorIs(t, err, gateway.ErrNotFound)
	assert.NoError(t, svc.Release(ctx, "w"), "twice")
	st.fail = errors.New("database down")
	assert.ErrorIs(t, svc.Release(ctx, "w"), st.fail, "other errors are returned")
}

func TestServiceDeleteGatewayUsesTheClock(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	mock := clock.NewMock()
	mock.Set(at(9*time.Hour + 30*time.Minute))
	st := newSpy()
	svc := gateway.NewService(gateway.Config{Store: st, Clock: mock})
	g := newGateways(t, svc, "", 1)[0]
	_, err := svc.Allocate(ctx, "w", "", sl(9*time.Hour, 10*time.Hour))
	require.NoError(t, err)
	assert.ErrorIs(t, svc.DeleteGateway(ctx, g.ID), gateway.ErrInUse)
	assert.True(t, st.now.Equal(mock.Now()), "now is the clock's: %s", st.now)
	mock.Add(30 * time.Minute) // the booking has ended
	require.NoError(t, svc.DeleteGateway(ctx, g.ID))
	assert.True(t, st.now.Equal(at(10*time.Hour)))
	_, err = svc.Gateway(ctx, g.ID)
	assert.ErrorIs(t, err, gateway.ErrNotFound)
}

func TestServicePassesThrough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := gateway.NewService(gateway.Config{Store: memory.New()})
	g := newGateways(t, svc, "p", 2)
	got, err := svc.Gateway(ctx, g[1].ID)
	require.NoError(t, err)
	assert.Equal(t, g[1], got)
	all, err := svc.Gateways(ctx)
	require.NoError(t, err)
	assert.Equal(t, g, all)
	g[0].Name = "renamed"
	require.NoError(t, svc.UpdateGateway(ctx, g[0]))
	got, err = svc.Gateway(ctx, g[0].ID)
	require.NoError(t, err)
	assert.Equal(t, "renamed", got.Name)
	b, err := svc.Allocate(ctx, "w", "p", sl(time.Hour, 2*time.Hour))
	require.NoError(t, err)
	list, err := svc.Bookings(ctx, g[0].ID, sl(0, 24*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, []gateway.Booking{b}, list)
	list, err = svc.Bookings(ctx, g[1].ID, sl(0, 24*time.Hour))
	require.NoError(t, err)
	assert.Empty(t, list)
	got2, err := svc.Booking(ctx, "w")
	require.NoError(t, err)
	assert.Equal(t, b, got2)
}

// Bookings lists one gateway's bookings; gateway 0 does not exist (IDs
// start at 1), so asking for it is an error, not the bookings of every
// gateway of the default pool.
func TestServiceBookingsOfGatewayZero(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := gateway.NewService(gateway.Config{Store: memory.New()})
	newGateways(t, svc, "", 2)
	_, err := svc.Allocate(ctx, "w", "", sl(time.Hour, 2*time.Hour))
	require.NoError(t, err)
	list, err := svc.Bookings(ctx, 0, sl(0, 24*time.Hour))
	assert.ErrorIs(t, err, gateway.ErrNotFound, "got %v", list)
}

func TestServiceFreeCapacity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := gateway.NewService(gateway.Config{Store: memory.New()})
	g := newGateways(t, svc, "p", 4)
	newGateways(t, svc, "q", 1)
	h := time.Hour
	for _, b := range []struct {
		owner    string
		pool     string
		from, to time.Duration
	}{
		{"a", "p", 9 * h, 11 * h},  // g0
		{"b", "p", 10 * h, 12 * h}, // g1
		{"c", "p", 11 * h, 12 * h}, // g0, back to back with a
		{"d", "p", 7 * h, 14 * h},  // g2, to be disabled
		{"e", "p", 10 * h, 11 * h}, // g3, to move to q
		{"f", "q", 8 * h, 13 * h},  // q
	} {
		_, err := svc.Allocate(ctx, b.owner, b.pool, sl(b.from, b.to))
		require.NoError(t, err, b.owner)
	}
	g[2].Enabled = false
	require.NoError(t, svc.UpdateGateway(ctx, g[2]))
	g[3].Pool = "q"
	require.NoError(t, svc.UpdateGateway(ctx, g[3]))

	got, err := svc.FreeCapacity(ctx, "p", sl(8*h, 13*h))
	require.NoError(t, err)
	c := func(from, to time.Duration, free int) gateway.Capacity {
		return gateway.Capacity{Slot: sl(from, to), Total: 2, Free: free}
	}
	assert.Equal(t, []gateway.Capacity{c(8*h, 9*h, 2), c(9*h, 10*h, 1), c(10*h, 12*h, 0), c(12*h, 13*h, 2)}, got)

	got, err = svc.FreeCapacity(ctx, "q", sl(8*h, 13*h))
	require.NoError(t, err)
	assert.Equal(t, []gateway.Capacity{
		{Slot: sl(8*h, 10*h), Total: 2, Free: 1},
		{Slot: sl(10*h, 11*h), Total: 2, Free: 0},
		{Slot: sl(11*h, 13*h), Total: 2, Free: 1},
	}, got)

	got, err = svc.FreeCapacity(ctx, "nowhere", sl(8*h, 13*h))
	require.NoError(t, err)
	assert.Equal(t, []gateway.Capacity{{Slot: sl(8*h, 13*h)}}, got)
}

func TestServiceFreeCapacityStoreErrors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, call := range []string{"Gateways", "Bookings"} {
		st := newSpy()
		svc := gateway.NewService(gateway.Config{Store: st})
		newGateways(t, svc, "p", 1)
		st.failOn, st.fail = call, errors.New("database down")
		_, err := svc.FreeCapacity(ctx, "p", sl(0, time.Hour))
		assert.ErrorIs(t, err, st.fail, call)
	}
}

func TestServiceLogsWithoutSecrets(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var buf bytes.Buffer
	svc := gateway.NewService(gateway.Config{Store: memory.New(), Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
	g := newGateways(t, svc, "p", 1)[0]
	g.Name = "renamed"
	require.NoError(t, svc.UpdateGateway(ctx, g))
	_, err := svc.Allocate(ctx, "w1", "p", sl(time.Hour, 2*time.Hour))
	require.NoError(t, err)
	_, err = svc.Allocate(ctx, "w2", "p", sl(time.Hour, 2*time.Hour))
	require.ErrorIs(t, err, gateway.ErrNoGatewayFree)
	require.NoError(t, svc.Release(ctx, "w1"))
	out := buf.String()
	for _, msg := range []string{"gateway created", "gateway updated", "gateway booked", "no gateway free", "gateway released"} {
		assert.Contains(t, out, `"msg":"`+msg+`"`)
	}
	assert.NotContains(t, out, tokenMarker)
	assert.NotContains(t, out, streamMarker)
}

// A Service made without a store answers ErrNoStore, never panics.
func TestServiceWithoutStore(t *testing.T) {
	t.Parallel()
	svc := gateway.NewService(gateway.Config{})
	ctx := context.Background()
	_, err := svc.Gateways(ctx)
	assert.ErrorIs(t, err, gateway.ErrNoStore)
	_, err = svc.Allocate(ctx, "w1", "", gateway.Slot{Start: time.Now(), End: time.Now().Add(time.Hour)})
	assert.ErrorIs(t, err, gateway.ErrNoStore)
	_, err = svc.CreateGateway(ctx, gateway.Gateway{Name: "gw", RTMPURL: gateway.NewSecret("rtmp://x.example.org/live/k"),
		HLSURL: "https://x.example.org/a.m3u8", Server: gateway.Server{URL: "https://gw.example.org", Token: gateway.NewSecret("0123456789abcdef"), Protocol: sipmediagw.Legacy}})
	assert.ErrorIs(t, err, gateway.ErrNoStore)
}

package webinar_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bbbcast/bbbcast/bbb"
	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/store/memory"
	"github.com/bbbcast/bbbcast/webinar"
)

func TestNewServiceLeaseAndStep(t *testing.T) {
	t.Parallel()
	store := memory.New()
	for _, tc := range []struct {
		name      string
		ttl, step time.Duration
		ok        bool
	}{
		{"defaults", 0, 0, true},
		{"a lease as long as a step", time.Minute, time.Minute, true},
		{"a lease shorter than a step", 30 * time.Second, 0, false},
		{"a lease shorter than the one given", time.Minute, 2 * time.Minute, false},
		{"a one-second lease", time.Second, time.Second, false},
		{"the shortest lease", webinar.MinLeaseTTL, 5 * time.Second, true},
	} {
		_, err := webinar.NewService(webinar.Config{Store: store, Gateways: gateway.NewService(gateway.Config{Store: store}), LeaseTTL: tc.ttl, StepTimeout: tc.step})
		assert.Equal(t, tc.ok, err == nil, "%s: %v", tc.name, err)
	}
}

// leaseStore fails lease renewals once told to.
type leaseStore struct {
	*memory.Store
	failing atomic.Bool
}

func (s *leaseStore) AcquireLease(ctx context.Context, key, holder string, ttl time.Duration, now time.Time) (bool, error) {
	if s.failing.Load() {
		return false, errors.New("the database is unreachable")
	}
	return s.Store.AcquireLease(ctx, key, holder, ttl, now)
}

// An operation that cannot renew its lease before it expires stops: its
// step is cancelled and it writes nothing more, leaving its stored step
// for Reconcile.
func TestLostLeaseStopsTheOperation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var store *leaseStore
	f := newLiveFixtureConfig(t, sipmediagwtest.V17, webinar.RelaySIPMediaGW, func(c *webinar.Config) {
		store = &leaseStore{Store: c.Store.(*memory.Store)}
		c.Store = store
		c.LeaseTTL = 12 * time.Second
		c.StepTimeout = 10 * time.Second
	})
	w := startedWebinar(t, f)
	f.gw.Fail(sipmediagwtest.OpStop, sipmediagwtest.Fault{Kind: sipmediagwtest.Hang})
	_, err := f.svc.End(ctx, teacher, w.ID)
	require.NoError(t, err)
	require.NoError(t, f.gw.WaitPending(ctx, 1), "the stop hangs")
	store.failing.Store(true)
	for range 4 { // the heartbeat fails every 4 s; the lease is gone after 12
		f.clock.Add(4 * time.Second)
	}
	got, err := f.svc.Wait(ctx, w.ID)
	require.ErrorIs(t, err, webinar.ErrLeaseLost)
	assert.Equal(t, webinar.Ending, got.State)
	stored, err := f.store.Webinar(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Ending, stored.State, "nothing written after the lease was lost")
	assert.Equal(t, w.Session, stored.Session, "the stream is still owned")
}

// Close waits for the operations in flight until its context ends, then
// cancels them: each leaves its stored step, and its lease, to another
// process's Reconcile, at once.
func TestCloseHandsOver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newLiveFixture(t, sipmediagwtest.V16, webinar.RelaySIPMediaGW)
	w := startedWebinar(t, f)
	f.gw.Fail(sipmediagwtest.OpStop, sipmediagwtest.Fault{Kind: sipmediagwtest.Hang})
	_, err := f.svc.End(ctx, teacher, w.ID)
	require.NoError(t, err)
	require.NoError(t, f.gw.WaitPending(ctx, 1))
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, f.svc.Close(short), context.DeadlineExceeded)
	_, err = f.svc.Start(ctx, teacher, w.ID)
	require.ErrorIs(t, err, webinar.ErrClosed)

	f.gw.ClearFaults()
	next, err := webinar.NewService(webinar.Config{Store: f.store, Gateways: f.gateways, Clock: f.clock,
		BBB: f.bbb.Client(), PublicURL: publicURL, Callbacks: mustSigner(t)})
	require.NoError(t, err)
	n, err := next.Reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the lease was released: no wait for it to expire")
	got, err := next.Get(ctx, w.ID)
	require.NoError(t, err)
	assert.Equal(t, webinar.Ended, got.State)
	assert.Empty(t, f.gw.Running())
}

func mustSigner(t *testing.T) *bbb.CallbackSigner {
	t.Helper()
	s, err := bbb.NewCallbackSigner([]byte("0123456789abcdef0123456789abcdef"))
	require.NoError(t, err)
	return s
}

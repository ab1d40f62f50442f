package storetest

import (
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// acquire calls AcquireLease, requiring no error, and reports whether
// holder got the lease.
func (x *webinarHarness) acquire(key, holder string, ttl time.Duration, now time.Time) bool {
	x.t.Helper()
	ok, err := x.store.AcquireLease(x.ctx, key, holder, ttl, now)
	require.NoError(x.t, err, "acquire %s by %s at %s", key, holder, now)
	return ok
}

// release calls ReleaseLease, requiring no error.
func (x *webinarHarness) release(key, holder string) {
	x.t.Helper()
	require.NoError(x.t, x.store.ReleaseLease(x.ctx, key, holder), "release %s by %s", key, holder)
}

// The leases tests give every instant explicitly, counted from base; a
// lease acquired at now for ttl is held while now' < now+ttl.
var leaseTests = []webinarTest{
	{"AcquireFree", func(x *webinarHarness) {
		assert.True(x.t, x.acquire("k", "a", h, base), "a free key")
		assert.True(x.t, x.acquire("other", "b", h, base), "keys are independent")
		assert.True(x.t, x.acquire("webinar:w1", "b", h, base), "no webinar needs to exist")
	}},
	{"RefusedWhileValid", func(x *webinarHarness) {
		require.True(x.t, x.acquire("k", "a", h, base))
		for _, now := range []time.Time{base, base.Add(ns), base.Add(30 * time.Minute), base.Add(h - ns)} {
			assert.False(x.t, x.acquire("k", "b", h, now), "b at %s", now)
		}
		// The refusals did not take or extend anything: b gets it at
		// base+1h exactly.
		assert.True(x.t, x.acquire("k", "b", h, base.Add(h)))
	}},
	{"ExpiresAtUntil", func(x *webinarHarness) {
		ttl := 90 * time.Second
		require.True(x.t, x.acquire("k", "a", ttl, base))
		assert.False(x.t, x.acquire("k", "b", h, base.Add(ttl-ns)), "held one ns before until")
		assert.True(x.t, x.acquire("k", "b", h, base.Add(ttl)), "expired at until exactly")
		// Now b holds it until base+ttl+1h; a is refused.
		assert.False(x.t, x.acquire("k", "a", ttl, base.Add(ttl)), "the former holder is refused")
		assert.False(x.t, x.acquire("k", "a", ttl, base.Add(ttl+h-ns)))
		assert.True(x.t, x.acquire("k", "a", ttl, base.Add(ttl+h)))
	}},
	{"ExpiredLongAgo", func(x *webinarHarness) {
		require.True(x.t, x.acquire("k", "a", time.Minute, base))
		assert.True(x.t, x.acquire("k", "b", time.Minute, base.AddDate(0, 0, 3)))
	}},
	{"RenewExtends", func(x *webinarHarness) {
		require.True(x.t, x.acquire("k", "a", h, base))
		// a renews at base+30m: until moves to base+1h30m.
		assert.True(x.t, x.acquire("k", "a", h, base.Add(30*time.Minute)), "the holder renews")
		assert.False(x.t, x.acquire("k", "b", h, base.Add(h)), "the first until has passed, the renewed one not")
		assert.False(x.t, x.acquire("k", "b", h, base.Add(90*time.Minute-ns)))
		// a renews again with a short ttl: the lease is from then on.
		assert.True(x.t, x.acquire("k", "a", time.Minute, base.Add(80*time.Minute)))
		assert.False(x.t, x.acquire("k", "b", h, base.Add(81*time.Minute-ns)))
		assert.True(x.t, x.acquire("k", "b", h, base.Add(81*time.Minute)), "until is the last renewal's now+ttl")
	}},
	{"RenewAfterExpiry", func(x *webinarHarness) {
		require.True(x.t, x.acquire("k", "a", h, base))
		// Expired and nobody took it: a gets it again, from the new now.
		assert.True(x.t, x.acquire("k", "a", h, base.Add(5*h)))
		assert.False(x.t, x.acquire("k", "b", h, base.Add(6*h-ns)))
		assert.True(x.t, x.acquire("k", "b", h, base.Add(6*h)))
	}},
	{"ReleaseByHolder", func(x *webinarHarness) {
		require.True(x.t, x.acquire("k", "a", h, base))
		require.True(x.t, x.acquire("k2", "a", h, base))
		x.release("k", "a")
		assert.True(x.t, x.acquire("k", "b", h, base.Add(ns)), "released: free before its until")
		assert.False(x.t, x.acquire("k2", "b", h, base.Add(ns)), "only the released key is freed")
		x.release("k", "a") // a no longer holds it
		assert.False(x.t, x.acquire("k", "a", h, base.Add(2*ns)), "a's second release left b's lease")
	}},
	{"ReleaseByOther", func(x *webinarHarness) {
		require.True(x.t, x.acquire("k", "a", h, base))
		x.release("k", "b")
		x.release("k", "")
		assert.False(x.t, x.acquire("k", "b", h, base.Add(ns)), "another's release leaves the lease")
		assert.False(x.t, x.acquire("k", "c", h, base.Add(h-ns)))
		assert.True(x.t, x.acquire("k", "a", h, base.Add(ns)), "and its holder still holds it")
	}},
	{"ReleaseUnknown", func(x *webinarHarness) {
		x.release("never-acquired", "a")
		x.release("", "")
		assert.True(x.t, x.acquire("never-acquired", "b", h, base))
	}},
}

package systemtest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// errCrashed is what every store call and remote call of a crashed
// process returns: it had died, nothing it does reaches anything.
var errCrashed = errors.New("systemtest: the process crashed")

// Crash says where a process dies: at its At-th side effect (a store
// write or a remote call, counted from 1 once armed), before it happens
// or, when After, once it happened and before its caller hears of it.
type Crash struct {
	At    int
	After bool
}

// injector counts a process's side effects and kills it at one of them:
// from then on all its calls fail with errCrashed, as if it were gone.
type injector struct {
	mu     sync.Mutex
	armed  bool
	crash  Crash
	n      int
	dead   bool
	events []string // what was counted, in order
}

// arm starts counting; c.At 0 counts without crashing.
func (in *injector) arm(c Crash) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.armed, in.crash, in.n, in.events = true, c, 0, nil
}

// isDead reports whether the process has crashed.
func (in *injector) isDead() bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.dead
}

// counted returns the side effects counted since arm.
func (in *injector) counted() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]string(nil), in.events...)
}

// effect runs do, a side effect named what, unless the process is dead,
// and kills the process there when its number has come.
func (in *injector) effect(what string, do func() error) error {
	in.mu.Lock()
	if in.dead {
		in.mu.Unlock()
		return errCrashed
	}
	crash := false
	if in.armed {
		in.n++
		in.events = append(in.events, what)
		crash = in.n == in.crash.At
	}
	if crash && !in.crash.After {
		in.dead = true
	}
	in.mu.Unlock()
	if crash && !in.crash.After {
		return errCrashed
	}
	err := do()
	if crash {
		in.mu.Lock()
		in.dead = true
		in.mu.Unlock()
		return errCrashed
	}
	return err
}

// read runs do, a call without side effect, unless the process is dead.
func (in *injector) read(do func() error) error {
	if in.isDead() {
		return errCrashed
	}
	return do()
}

// transport is an http.RoundTripper whose requests are side effects.
type transport struct {
	in   *injector
	base http.RoundTripper
	name string // the server's role, for the events' names
}

func (t transport) RoundTrip(r *http.Request) (*http.Response, error) {
	var resp *http.Response
	err := t.in.effect("http "+t.name+" "+r.Method+" "+r.URL.Path, func() error {
		var err error
		resp, err = t.base.RoundTrip(r)
		return err
	})
	if errors.Is(err, errCrashed) && resp != nil {
		// It reached the server; the dead process never reads the answer.
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		resp = nil
	}
	return resp, err
}

// Store is what the stores implement: the webinar and the gateway sides.
type Store interface {
	webinar.Store
	gateway.Store
}

// crashStore is a process's view of the store: its writes are side
// effects, and once dead it reaches nothing.
type crashStore struct {
	Store
	in *injector
}

func (s crashStore) CreateWebinar(ctx context.Context, w webinar.Webinar) (out webinar.Webinar, err error) {
	err = s.in.effect("store CreateWebinar", func() error { out, err = s.Store.CreateWebinar(ctx, w); return err })
	return out, err
}

func (s crashStore) UpdateWebinar(ctx context.Context, w webinar.Webinar) (out webinar.Webinar, err error) {
	err = s.in.effect("store UpdateWebinar "+string(w.State), func() error { out, err = s.Store.UpdateWebinar(ctx, w); return err })
	return out, err
}

func (s crashStore) DeleteWebinar(ctx context.Context, id string, version int64) error {
	return s.in.effect("store DeleteWebinar", func() error { return s.Store.DeleteWebinar(ctx, id, version) })
}

func (s crashStore) AcquireLease(ctx context.Context, key, holder string, ttl time.Duration, now time.Time) (ok bool, err error) {
	err = s.in.effect("store AcquireLease", func() error { ok, err = s.Store.AcquireLease(ctx, key, holder, ttl, now); return err })
	return ok, err
}

func (s crashStore) ReleaseLease(ctx context.Context, key, holder string) error {
	return s.in.effect("store ReleaseLease", func() error { return s.Store.ReleaseLease(ctx, key, holder) })
}

func (s crashStore) Allocate(ctx context.Context, req gateway.Request) (out gateway.Booking, err error) {
	err = s.in.effect("store Allocate", func() error { out, err = s.Store.Allocate(ctx, req); return err })
	return out, err
}

func (s crashStore) Release(ctx context.Context, owner string) (out gateway.Booking, err error) {
	err = s.in.effect("store Release", func() error { out, err = s.Store.Release(ctx, owner); return err })
	return out, err
}

func (s crashStore) Webinar(ctx context.Context, id string) (out webinar.Webinar, err error) {
	err = s.in.read(func() error { out, err = s.Store.Webinar(ctx, id); return err })
	return out, err
}

func (s crashStore) Webinars(ctx context.Context, q webinar.Query) (out []webinar.Webinar, err error) {
	err = s.in.read(func() error { out, err = s.Store.Webinars(ctx, q); return err })
	return out, err
}

func (s crashStore) Gateway(ctx context.Context, id int64) (out gateway.Gateway, err error) {
	err = s.in.read(func() error { out, err = s.Store.Gateway(ctx, id); return err })
	return out, err
}

func (s crashStore) Gateways(ctx context.Context) (out []gateway.Gateway, err error) {
	err = s.in.read(func() error { out, err = s.Store.Gateways(ctx); return err })
	return out, err
}

func (s crashStore) Booking(ctx context.Context, owner string) (out gateway.Booking, err error) {
	err = s.in.read(func() error { out, err = s.Store.Booking(ctx, owner); return err })
	return out, err
}

func (s crashStore) Bookings(ctx context.Context, q gateway.BookingQuery) (out []gateway.Booking, err error) {
	err = s.in.read(func() error { out, err = s.Store.Bookings(ctx, q); return err })
	return out, err
}

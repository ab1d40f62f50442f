package systemtest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

// FaultCase is a fault of the real world played against the system.
type FaultCase struct {
	Name    string
	Options func(o *Options)
	Run     func(t *testing.T, h *Harness)
}

// serverError is a gateway answering 500 with an HTML page.
var serverError = sipmediagwtest.Fault{Kind: sipmediagwtest.Status, Code: 500, Body: "<html>Internal Server Error</html>"}

// FaultCases are the faults RunFaults plays.
var FaultCases = []FaultCase{
	{Name: "stop fails, then delete, start and end", Run: func(t *testing.T, h *Harness) {
		p := h.Start("portal")
		id := live(h, p, "Lecture", -5, 55)
		h.Servers[0].Fail(sipmediagwtest.OpStop, serverError)
		w := h.MustDo(p, StopLive, id, webinar.Failed)
		requireOwned(t, h, w)
		if err := p.Svc.Delete(context.Background(), Presenter, id); err == nil {
			t.Fatal("a webinar whose stream could not be stopped was deleted")
		}
		requireOwned(t, h, h.get(id))
		w = h.MustDo(p, Start, id, webinar.Failed)
		if !strings.Contains(w.FailReason, "previous stream") {
			t.Errorf("start over a stream not seen stopped: %q", w.FailReason)
		}
		requireOwned(t, h, w)
		w = h.MustDo(p, End, id, webinar.Failed)
		requireOwned(t, h, w)
		// BBB's end callback follows the End; its run meets the same
		// fault. Reconcile must find the webinar free, not driven.
		ctx := testContext(t)
		if _, err := h.BBB.WaitCallbacks(ctx, 1); err != nil {
			t.Fatal(err)
		}
		_, _ = p.Svc.Wait(ctx, id)
		requireOwned(t, h, h.get(id))
		h.Servers[0].ClearFaults()
		if _, err := p.Svc.Reconcile(ctx); err != nil {
			t.Fatal(err)
		}
		if w = h.get(id); w.Session != "" || h.Streams() != 0 {
			t.Fatalf("after reconcile: session %q, %d streams", w.Session, h.Streams())
		}
		h.MustDo(p, End, id, webinar.Ended)
	}},
	{Name: "launch fails and so does its cleanup", Run: func(t *testing.T, h *Harness) {
		p := h.Start("portal")
		w := h.Create(p, "Lecture", Slot(-5, 55))
		h.Servers[0].Fail(sipmediagwtest.OpStart, sipmediagwtest.Fault{Kind: sipmediagwtest.LaunchFailure, Times: 1})
		h.Servers[0].Fail(sipmediagwtest.OpStop, serverError)
		w = h.MustDo(p, Start, w.ID, webinar.Failed)
		if h.Streams() != 1 || w.Session == "" {
			t.Fatalf("the container the launch left: %d streams, session %q", h.Streams(), w.Session)
		}
		requireOwned(t, h, w)
		h.MustDo(p, End, w.ID, webinar.Failed)
		h.Servers[0].ClearFaults()
		h.MustDo(p, End, w.ID, webinar.Ended)
	}},
	{Name: "launch slower than the client's timeout", Options: func(o *Options) {
		o.LaunchDelay = time.Hour // on the launchers' clock, which the test moves
		o.StartTimeout, o.CleanupWindow = 300*time.Millisecond, 10*time.Second
	}, Run: func(t *testing.T, h *Harness) {
		p := h.Start("portal")
		w := h.Create(p, "Lecture", Slot(-5, 55))
		if _, err := p.Svc.Start(context.Background(), Presenter, w.ID); err != nil {
			t.Fatal(err)
		}
		// The client gave up and its cleanup found nothing yet; then the
		// container comes up.
		ctx := testContext(t)
		if err := h.Servers[0].WaitAnswered(ctx, sipmediagwtest.OpStop, 1); err != nil {
			t.Fatal(err)
		}
		h.Launchers.Add(time.Hour)
		w, _ = p.Svc.Wait(ctx, w.ID)
		if w.State != webinar.Failed || !strings.Contains(w.FailReason, "SIPMediaGW start") {
			t.Fatalf("%s: %s", w.State, w.FailReason)
		}
		if n := h.Streams(); n != 0 {
			t.Fatalf("%d streams after the cleanup", n)
		}
		h.MustDo(p, End, w.ID, webinar.Ended)
	}},
	{Name: "stop hangs past the lease", Options: func(o *Options) {
		// The lease runs on the test's clock, the step's timeout in real
		// time: the loop below must end well within it, even on a loaded
		// machine with a remote store (it once took 5.5 s in CI).
		o.LeaseTTL, o.StepTimeout = 10*time.Second, 10*time.Second
	}, Run: func(t *testing.T, h *Harness) {
		ctx := testContext(t)
		a := h.Start("replica-a")
		id := live(h, a, "Lecture", -5, 55)
		h.Servers[0].Fail(sipmediagwtest.OpStop, sipmediagwtest.Fault{Kind: sipmediagwtest.Hang})
		if _, err := a.Svc.End(ctx, Presenter, id); err != nil {
			t.Fatal(err)
		}
		if err := h.Servers[0].WaitPending(ctx, 1); err != nil {
			t.Fatal(err)
		}
		b := h.Start("replica-b")
		for range 5 { // 20 s on the clock, twice the lease
			h.Clock.Add(4 * time.Second)
			if n, _ := b.Svc.Reconcile(ctx); n != 0 {
				t.Fatalf("replica b settled %d webinars while replica a drove them", n)
			}
			if w := h.get(id); w.State != webinar.Ending {
				t.Fatalf("the webinar is %s while a's End runs", w.State)
			}
		}
		w, _ := a.Svc.Wait(ctx, id) // the stop's step timed out
		if w.State != webinar.Failed || w.Session == "" {
			t.Fatalf("after the hung stop: %s, session %q", w.State, w.Session)
		}
		// BBB's end callback reached a meanwhile, which ends the webinar
		// once its End is over: a leaves, b ends the webinar.
		h.Servers[0].ClearFaults()
		a.Stop()
		h.MustDo(b, End, id, webinar.Ended)
	}},
	{Name: "early start refused when every gateway is busy", Run: func(t *testing.T, h *Harness) {
		p := h.Start("portal")
		live(h, p, "First", -60, 60)
		live(h, p, "Second", -60, 60)
		next := h.Create(p, "Next", Slot(60, 120))
		_, err := p.Svc.Start(context.Background(), Presenter, next.ID)
		var win *webinar.WindowError
		if !errors.As(err, &win) {
			t.Fatalf("an hour early: %v, want a *WindowError", err)
		}
		h.Clock.Add(35 * time.Minute)
		_, err = p.Svc.Start(context.Background(), Presenter, next.ID)
		var full *gateway.NoGatewayFreeError
		if !errors.As(err, &full) || len(full.Conflicts) != 2 {
			t.Fatalf("25 minutes early on a full pool: %v", err)
		}
		msg := webinar.Explain(err)
		for _, want := range []string{"No gateway is free", "gateway 1 until", "gateway 2 until"} {
			if !strings.Contains(msg, want) {
				t.Errorf("Explain: %q lacks %q", msg, want)
			}
		}
		if w := h.get(next.ID); w.State != webinar.Scheduled || w.GatewayID != next.GatewayID {
			t.Errorf("a refused start changed the webinar: %s on gateway %d", w.State, w.GatewayID)
		}
	}},
	{Name: "back to back on one gateway, the first overruns", Options: func(o *Options) { o.Gateways = 1 }, Run: func(t *testing.T, h *Harness) {
		p := h.Start("portal")
		h.Clock.Set(T0.Add(-30 * time.Minute))
		first := live(h, p, "First", -60, 0)
		next := h.Create(p, "Next", Slot(0, 60))
		tick := webinar.WatchOptions{Interval: time.Minute}
		h.Clock.Set(T0.Add(-30 * time.Second))
		if err := p.Svc.Tick(context.Background(), tick); err != nil {
			t.Fatal(err)
		}
		if w := h.get(first); w.State != webinar.Live {
			t.Fatalf("first is %s before its slot ends", w.State)
		}
		h.Clock.Set(T0.Add(10 * time.Second))
		if err := p.Svc.Tick(context.Background(), tick); err != nil {
			t.Fatal(err)
		}
		w := h.get(first)
		if w.State != webinar.LiveStopped || !strings.Contains(w.LastError, "booked next") {
			t.Fatalf("first is %s (%q) once its slot ended, the gateway booked next", w.State, w.LastError)
		}
		h.MustDo(p, Start, next.ID, webinar.Live)
	}},
	{Name: "back to back, the first overruns while another gateway is free", Run: func(t *testing.T, h *Harness) {
		p := h.Start("portal")
		h.Clock.Set(T0.Add(-30 * time.Minute))
		first := live(h, p, "First", -60, 0)
		next := h.Create(p, "Next", Slot(0, 60))
		if next.GatewayID != h.Gateways[0].ID {
			t.Fatalf("next booked on gateway %d", next.GatewayID)
		}
		h.Clock.Set(T0.Add(-30 * time.Second))
		if err := p.Svc.Tick(context.Background(), webinar.WatchOptions{Interval: time.Minute}); err != nil {
			t.Fatal(err)
		}
		if moved := h.get(next.ID); moved.GatewayID != h.Gateways[1].ID {
			t.Fatalf("next stayed on gateway %d", moved.GatewayID)
		}
		h.Clock.Set(T0.Add(10 * time.Minute))
		w := h.MustDo(p, Start, next.ID, webinar.Live)
		if f := h.get(first); f.State != webinar.Live {
			t.Fatalf("first is %s ten minutes into its overrun", f.State)
		}
		if h.Streams() != 2 || w.GatewayID != h.Gateways[1].ID {
			t.Fatalf("%d streams, next on gateway %d", h.Streams(), w.GatewayID)
		}
	}},
}

// RunFaults plays each of FaultCases in a world of its own on a store of
// newStore, and requires the promises to hold throughout (Violations,
// steps may be in progress) and once every webinar is ended.
func RunFaults(t *testing.T, newStore func(*testing.T) Store) {
	for _, fc := range FaultCases {
		t.Run(fc.Name, func(t *testing.T) {
			o := Options{}
			if fc.Options != nil {
				fc.Options(&o)
			}
			h := New(t, newStore(t), o)
			fc.Run(t, h)
			if bad := h.Violations(false); len(bad) > 0 {
				t.Errorf("promises broken:\n  %s", strings.Join(bad, "\n  "))
			}
			_, afterEnd := h.Recover("after")
			if len(afterEnd) > 0 {
				t.Errorf("once every webinar ended:\n  %s", strings.Join(afterEnd, "\n  "))
			}
		})
	}
}

// RunAll runs the crash matrix and the fault cases on a store of
// newStore, and logs the matrix's figures under name.
func RunAll(t *testing.T, name string, newStore func(*testing.T) Store) {
	t.Run("Faults", func(t *testing.T) {
		t.Parallel()
		RunFaults(t, newStore)
	})
	t.Run("CrashMatrix", func(t *testing.T) {
		t.Parallel()
		res := RunMatrix(t, newStore)
		t.Logf("%s: %d scenarios, %d kill points, %d violations", name, res.Scenarios, res.KillPoints, res.Violations)
	})
}

// requireOwned fails t unless w owns the stream a server still runs.
func requireOwned(t *testing.T, h *Harness, w webinar.Webinar) {
	t.Helper()
	if w.Session == "" {
		t.Fatalf("webinar %s (%s) let go of its stream (%d running)", w.ID, w.State, h.Streams())
	}
	if bad := h.Violations(false); len(bad) > 0 {
		t.Fatalf("promises broken:\n  %s", strings.Join(bad, "\n  "))
	}
}

// get reads a webinar.
func (h *Harness) get(id string) webinar.Webinar {
	h.T.Helper()
	w, err := h.Store.Webinar(context.Background(), id)
	if err != nil {
		h.T.Fatal(err)
	}
	return w
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

package systemtest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bbbcast/bbbcast/sipmediagw/sipmediagwtest"
	"github.com/bbbcast/bbbcast/webinar"
)

// Scenario is an operation a crash is tried at every side effect of.
type Scenario struct {
	Name string
	// Setup prepares the world with a healthy process and returns the
	// webinar the operation acts on.
	Setup func(h *Harness, p *Process) string
	// Op is the operation, run by the process that may crash; it
	// returns once the operation and its background part are over.
	Op func(h *Harness, p *Process, id string) error
}

// live creates a webinar in the current hour and starts it.
func live(h *Harness, p *Process, title string, from, to int) string {
	w := h.Create(p, title, Slot(from, to))
	h.MustDo(p, Start, w.ID, webinar.Live)
	return w.ID
}

func lifecycle(op func(*webinar.Service) func(context.Context, webinar.User, string) (webinar.Webinar, error)) func(*Harness, *Process, string) error {
	return func(_ *Harness, p *Process, id string) error {
		_, err := Do(p, op, id)
		return err
	}
}

// Scenarios are the operations of the crash matrix.
var Scenarios = []Scenario{
	{Name: "create", Setup: func(*Harness, *Process) string { return "" },
		Op: func(h *Harness, p *Process, _ string) error {
			_, err := p.Svc.Create(context.Background(), Presenter, webinar.Draft{Title: "Created", Slot: Slot(5, 65)})
			return err
		}},
	{Name: "start", Setup: func(h *Harness, p *Process) string { return h.Create(p, "Lecture", Slot(-5, 55)).ID },
		Op: lifecycle(Start)},
	{Name: "early start onto a busy gateway", Setup: func(h *Harness, p *Process) string {
		live(h, p, "Before", -60, 30)
		return h.Create(p, "After", Slot(30, 90)).ID // back to back on gateway 1; starts 30 min early
	}, Op: lifecycle(Start)},
	{Name: "start while the last webinar overruns", Setup: func(h *Harness, p *Process) string {
		h.Clock.Set(T0.Add(-30 * time.Minute))
		live(h, p, "Overrunning", -60, 0)
		next := h.Create(p, "Next", Slot(0, 60)) // gateway 1, after it
		h.Clock.Set(T0)
		return next.ID
	}, Op: lifecycle(Start)},
	{Name: "stop live", Setup: func(h *Harness, p *Process) string { return live(h, p, "Lecture", -5, 55) },
		Op: lifecycle(StopLive)},
	{Name: "restart live", Setup: func(h *Harness, p *Process) string { return live(h, p, "Lecture", -5, 55) },
		Op: lifecycle(RestartLive)},
	{Name: "end", Setup: func(h *Harness, p *Process) string { return live(h, p, "Lecture", -5, 55) },
		Op: lifecycle(End)},
	{Name: "delete", Setup: func(h *Harness, p *Process) string { return h.Create(p, "Lecture", Slot(5, 65)).ID },
		Op: func(_ *Harness, p *Process, id string) error {
			return p.Svc.Delete(context.Background(), Presenter, id)
		}},
	{Name: "delete a failed webinar owning its stream", Setup: func(h *Harness, p *Process) string {
		id := live(h, p, "Lecture", -5, 55)
		h.Servers[0].Fail(sipmediagwtest.OpStop, serverError)
		h.MustDo(p, StopLive, id, webinar.Failed)
		h.Servers[0].ClearFaults()
		return id
	}, Op: func(_ *Harness, p *Process, id string) error {
		return p.Svc.Delete(context.Background(), Presenter, id)
	}},
	{Name: "watcher makes room for an overrun", Setup: func(h *Harness, p *Process) string {
		h.Clock.Set(T0.Add(-30 * time.Minute))
		id := live(h, p, "Overrunning", -60, 0)
		h.Create(p, "Next", Slot(0, 60)) // gateway 1, after it: moved to gateway 2
		h.Clock.Set(T0.Add(-30 * time.Second))
		return id
	}, Op: func(_ *Harness, p *Process, _ string) error {
		return p.Svc.Tick(context.Background(), webinar.WatchOptions{Interval: time.Minute})
	}},
}

// MatrixResult counts what RunMatrix tried.
type MatrixResult struct {
	Scenarios  int
	KillPoints int // crashes tried: each side effect, before and after
	Violations int
}

// RunMatrix runs each scenario once without a crash, counting its side
// effects (store writes and remote calls), then once per side effect with
// a crash before it and once with a crash after it. After each run a new
// process recovers (Reconcile once the dead leases expired), and the
// promises must hold (Violations); then it ends every webinar, and no
// stream may be left. newStore returns an empty store.
func RunMatrix(t *testing.T, newStore func(*testing.T) Store) MatrixResult {
	var (
		mu  sync.Mutex
		res = MatrixResult{Scenarios: len(Scenarios)}
	)
	// Within a group, so that the parallel cases are done when it returns.
	t.Run("crash", func(t *testing.T) { runScenarios(t, newStore, &mu, &res) })
	return res
}

func runScenarios(t *testing.T, newStore func(*testing.T) Store, mu *sync.Mutex, res *MatrixResult) {
	for _, sc := range Scenarios {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			effects, bad := runCase(t, newStore, sc, Crash{})
			if len(bad) > 0 {
				t.Errorf("without a crash:\n  %s", strings.Join(bad, "\n  "))
			}
			if len(effects) == 0 {
				t.Fatal("the operation made no side effect")
			}
			for i := range effects {
				for _, after := range []bool{false, true} {
					c := Crash{At: i + 1, After: after}
					when := "before"
					if after {
						when = "after"
					}
					t.Run(fmt.Sprintf("%02d %s %s", c.At, when, effects[i]), func(t *testing.T) {
						t.Parallel()
						_, bad := runCase(t, newStore, sc, c)
						mu.Lock()
						res.KillPoints++
						res.Violations += len(bad)
						mu.Unlock()
						if len(bad) > 0 {
							t.Errorf("crash %s side effect %d (%s):\n  %s", when, c.At, effects[i], strings.Join(bad, "\n  "))
						}
					})
				}
			}
		})
	}
}

// runCase runs sc in a new world with a process that crashes at c, then
// recovers; it returns the side effects the process made and the
// promises broken.
func runCase(t *testing.T, newStore func(*testing.T) Store, sc Scenario, c Crash) ([]string, []string) {
	h := New(t, newStore(t), Options{})
	setup := h.Start("setup")
	id := sc.Setup(h, setup)
	setup.Stop()
	p := h.Start("first")
	p.Arm(c)
	err := sc.Op(h, p, id)
	p.Stop()
	var bad []string
	if !p.Dead() {
		if err != nil && c.At == 0 {
			bad = append(bad, "the operation failed: "+err.Error())
		}
		bad = append(bad, h.Violations(true)...)
	}
	afterReconcile, afterEnd := h.Recover("second")
	for _, v := range afterReconcile {
		bad = append(bad, "after reconcile: "+v)
	}
	for _, v := range afterEnd {
		bad = append(bad, "after end: "+v)
	}
	return p.Effects(), bad
}

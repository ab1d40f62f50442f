package systemtest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// everything is a window holding every booking of the tests.
var everything = gateway.Slot{Start: T0.AddDate(-1, 0, 0), End: T0.AddDate(1, 0, 0)}

// Violations checks the system's promises against the store and the
// servers, and describes each one broken:
//
//   - no webinar is in a step (Starting, StoppingLive, Ending), unless
//     steps may still run (settled false);
//   - every stream a server runs is owned by a stored webinar that may
//     stream (its Session kept, or a step of its live in progress);
//   - no server ever ran two streams at once (one gateway, one stream);
//   - bookings are the webinars' gateways: a webinar that is not over is
//     booked on its gateway (a scheduled one has one), an ended one is
//     not, and no booking lacks its webinar.
func (h *Harness) Violations(settled bool) []string {
	ctx := context.Background()
	var out []string
	list, err := h.Store.Webinars(ctx, webinar.Query{})
	if err != nil {
		return []string{"listing the webinars: " + err.Error()}
	}
	byRoom := map[string]webinar.Webinar{}
	byID := map[string]webinar.Webinar{}
	for _, w := range list {
		byRoom[w.BotRoom], byID[w.ID] = w, w
		if settled && w.State.Transient() {
			out = append(out, fmt.Sprintf("webinar %s left %s", w.ID, w.State))
		}
		b, err := h.Store.Booking(ctx, w.ID)
		switch {
		case w.State == webinar.Ended && err == nil:
			out = append(out, fmt.Sprintf("ended webinar %s still booked on gateway %d", w.ID, b.GatewayID))
		case w.State == webinar.Ended:
		case w.GatewayID == 0 && w.State != webinar.Failed:
			out = append(out, fmt.Sprintf("webinar %s (%s) has no gateway", w.ID, w.State))
		case w.GatewayID == 0:
		case errors.Is(err, gateway.ErrNotFound):
			out = append(out, fmt.Sprintf("webinar %s (%s) on gateway %d has no booking", w.ID, w.State, w.GatewayID))
		case err != nil:
			out = append(out, "reading a booking: "+err.Error())
		case b.GatewayID != w.GatewayID:
			out = append(out, fmt.Sprintf("webinar %s is on gateway %d, its booking on %d", w.ID, w.GatewayID, b.GatewayID))
		}
	}
	for i, srv := range h.Servers {
		if n := srv.MaxRunning(); n > 1 {
			out = append(out, fmt.Sprintf("gateway %d carried %d streams at once", h.Gateways[i].ID, n))
		}
		for _, s := range srv.Running() {
			w, ok := byRoom[s.Room]
			switch {
			case !ok:
				out = append(out, fmt.Sprintf("gateway %d streams room %s, which no webinar has", h.Gateways[i].ID, s.Room))
			case !w.MayStream():
				out = append(out, fmt.Sprintf("gateway %d streams webinar %s, which is %s and owns no stream",
					h.Gateways[i].ID, w.ID, w.State))
			case w.GatewayID != h.Gateways[i].ID:
				out = append(out, fmt.Sprintf("gateway %d streams webinar %s, which is on gateway %d", h.Gateways[i].ID, w.ID, w.GatewayID))
			}
		}
		bookings, err := h.Store.Bookings(ctx, gateway.BookingQuery{GatewayID: h.Gateways[i].ID, Window: everything})
		if err != nil {
			out = append(out, "listing bookings: "+err.Error())
		}
		for _, b := range bookings {
			if _, ok := byID[b.Owner]; !ok {
				out = append(out, fmt.Sprintf("gateway %d booked for %s, which no webinar is", b.GatewayID, b.Owner))
			}
		}
	}
	return out
}

// Streams counts the streams the servers run.
func (h *Harness) Streams() int {
	n := 0
	for _, srv := range h.Servers {
		n += len(srv.Running())
	}
	return n
}

// Recover is what a healthy process does after another one crashed: it
// starts once the dead one's leases have expired, reconciles, and
// reports the promises broken then; then it ends every webinar and
// reports those broken once nothing should stream.
func (h *Harness) Recover(name string) (afterReconcile, afterEnd []string) {
	h.T.Helper()
	ctx := context.Background()
	h.Clock.Add(webinar.DefaultLeaseTTL + time.Second)
	p := h.Start(name)
	if _, err := p.Svc.Reconcile(ctx); err != nil {
		afterReconcile = append(afterReconcile, "reconcile: "+err.Error())
	}
	afterReconcile = append(afterReconcile, h.Violations(true)...)
	list, err := h.Store.Webinars(ctx, webinar.Query{})
	if err != nil {
		return afterReconcile, []string{err.Error()}
	}
	for _, w := range list {
		if w.State == webinar.Ended {
			continue
		}
		if got, err := Do(p, End, w.ID); err != nil || got.State != webinar.Ended {
			afterEnd = append(afterEnd, fmt.Sprintf("end %s: %s (%s) %v", w.ID, got.State, got.FailReason, err))
		}
	}
	afterEnd = append(afterEnd, h.Violations(true)...)
	if n := h.Streams(); n > 0 {
		afterEnd = append(afterEnd, fmt.Sprintf("%d streams run after every webinar ended", n))
	}
	return afterReconcile, afterEnd
}

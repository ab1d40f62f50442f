package webinar

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/sipmediagw"
)

// Unexplained is what Explain says of an error it has no sentence for.
const Unexplained = "The operation failed."

// Explain says in a sentence, fit to show a presenter, why an operation
// of the Service was refused: no gateway free for the live period (and
// who holds the gateways when), a start outside the period a webinar may
// stream in, a gateway still carrying another webinar's stream, a refused
// field or state. Other errors get Unexplained: their text may hold
// details meant for the logs. Times are shown in the location of the
// times the error holds.
func Explain(err error) string {
	var (
		full *gateway.NoGatewayFreeError
		win  *WindowError
		busy *GatewayBusyError
		in   *InputError
		st   *StateError
	)
	switch {
	case err == nil:
		return ""
	case errors.As(err, &full):
		return explainNoGateway(full)
	case errors.As(err, &win):
		if win.At.Before(win.Opens) {
			return fmt.Sprintf("It is too early: the webinar may start from %s.", showTime(win.Opens))
		}
		return fmt.Sprintf("It is too late: the webinar's slot, and the time it may overrun, ended at %s. Change its slot to start it again.",
			showTime(win.Closes))
	case errors.As(err, &busy):
		return fmt.Sprintf("Gateway %d is still streaming another webinar that overran its slot, and it could not be stopped. Try again in a minute.",
			busy.GatewayID)
	case errors.As(err, &in):
		return in.Field + ": " + in.Reason + "."
	case errors.As(err, &st):
		return fmt.Sprintf("Not possible while the webinar is %s.", st.From)
	case errors.Is(err, ErrInvalidState):
		// The package's own refusals say why after the sentinel's text.
		if why, ok := strings.CutPrefix(err.Error(), ErrInvalidState.Error()+": "); ok && why != "" {
			return strings.ToUpper(why[:1]) + why[1:] + "."
		}
		return "Not possible in the webinar's current state."
	case errors.Is(err, ErrForbidden):
		return "You may not do that with this webinar."
	case errors.Is(err, ErrNotFound):
		return "There is no such webinar."
	case errors.Is(err, ErrChatClosed):
		return "The chat is closed."
	case errors.Is(err, ErrBusy), errors.Is(err, ErrConflict):
		return "The webinar is busy with another action: try again in a moment."
	case errors.Is(err, ErrStartFailed):
		return "The webinar could not start: see the reason on its page."
	case errors.Is(err, ErrNotConfigured), errors.Is(err, ErrClosed):
		return "Webinars are not available right now."
	case errors.Is(err, sipmediagw.ErrNotSupported):
		return "This webinar's gateway cannot do that (its SIPMediaGW release lacks it)."
	}
	return Unexplained
}

// explainNoGateway says who holds the gateways during the slot.
func explainNoGateway(e *gateway.NoGatewayFreeError) string {
	span := showTime(e.Slot.Start) + " to " + showTime(e.Slot.End)
	if e.GatewayID != 0 {
		if e.Gateways == 0 {
			return fmt.Sprintf("Gateway %d is disabled or in another pool.", e.GatewayID)
		}
		return fmt.Sprintf("Gateway %d is booked from %s%s.", e.GatewayID, showTime(firstStart(e.Conflicts)), holders(e.Conflicts))
	}
	if e.Gateways == 0 {
		return "No gateway is enabled in this pool: an administrator must add one."
	}
	list := holders(e.Conflicts)
	if e.Truncated && list != "" {
		list = list[:len(list)-1] + ", and more)"
	}
	return fmt.Sprintf("No gateway is free from %s: all %d gateways of the pool are booked%s.", span, e.Gateways, list)
}

// holders lists, per gateway, until when the conflicts hold it.
func holders(conflicts []gateway.Booking) string {
	if len(conflicts) == 0 {
		return ""
	}
	until := map[int64]time.Time{}
	var order []int64
	for _, b := range conflicts {
		if _, ok := until[b.GatewayID]; !ok {
			order = append(order, b.GatewayID)
		}
		if b.Slot.End.After(until[b.GatewayID]) {
			until[b.GatewayID] = b.Slot.End
		}
	}
	parts := make([]string, 0, len(order))
	for _, id := range order {
		parts = append(parts, fmt.Sprintf("gateway %d until %s", id, showTime(until[id])))
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func firstStart(list []gateway.Booking) time.Time {
	var first time.Time
	for i, b := range list {
		if i == 0 || b.Slot.Start.Before(first) {
			first = b.Slot.Start
		}
	}
	return first
}

// showTime shows an instant to a person: the date, the time and the zone.
func showTime(t time.Time) string { return t.Format("Mon 2 Jan 15:04 MST") }

package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// describe turns an error of the library into a sentence for the page.
// The library's errors never carry a secret, so their text may be shown.
func describe(err error) string {
	var (
		nf *gateway.NoGatewayFreeError
		ie *webinar.InputError
		se *webinar.StateError
	)
	switch {
	case errors.As(err, &nf):
		return fmt.Sprintf("No gateway is free for that slot: %s.", noneFreeDetail(nf))
	case errors.As(err, &ie):
		return fmt.Sprintf("%s: %s.", ie.Field, ie.Reason)
	case errors.As(err, &se):
		return fmt.Sprintf("Not possible while the webinar is %s.", stateLabel(se.From, ""))
	case errors.Is(err, webinar.ErrForbidden):
		return "You may not do that with this webinar."
	case errors.Is(err, webinar.ErrNotFound):
		return "There is no such webinar."
	case errors.Is(err, webinar.ErrChatClosed):
		return "The chat is closed."
	case errors.Is(err, context.DeadlineExceeded):
		return "It took too long: " + err.Error()
	}
	return err.Error()
}

func noneFreeDetail(nf *gateway.NoGatewayFreeError) string {
	if nf.Gateways == 0 {
		return "the pool has no enabled gateway (an administrator adds them under Admin → Gateways)"
	}
	return fmt.Sprintf("all %d gateways of the pool are booked by other webinars (%d bookings overlap)",
		nf.Gateways, len(nf.Conflicts))
}

// stateLabel is how the pages name a state.
func stateLabel(s webinar.State, failReason string) string {
	switch s {
	case webinar.Scheduled:
		return "scheduled"
	case webinar.Starting:
		return "starting…"
	case webinar.Live:
		return "live"
	case webinar.StoppingLive:
		return "stopping the live…"
	case webinar.LiveStopped:
		return "live stopped (the meeting goes on)"
	case webinar.Ending:
		return "ending…"
	case webinar.Ended:
		return "ended"
	case webinar.Failed:
		if failReason != "" {
			return "failed: " + strings.TrimSuffix(failReason, ".")
		}
		return "failed"
	}
	return string(s)
}

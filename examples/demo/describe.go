package main

import (
	"context"
	"errors"
	"strings"

	"github.com/bbbcast/bbbcast/gateway"
	"github.com/bbbcast/bbbcast/webinar"
)

// describe turns an error of the library into a sentence for the page.
// The library's errors never carry a secret, so their text may be shown.
func describe(err error) string {
	var nf *gateway.NoGatewayFreeError
	switch {
	case errors.As(err, &nf) && nf.GatewayID == 0 && nf.Gateways == 0:
		return "No gateway is enabled in this pool: an administrator adds them under Admin → Gateways."
	case errors.Is(err, context.DeadlineExceeded):
		return "It took too long: " + err.Error()
	}
	if msg := webinar.Explain(err); msg != webinar.Unexplained {
		return msg
	}
	return err.Error() // a demo shows the details
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
